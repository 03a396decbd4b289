package awsres

import (
	"reflect"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Tokens of the resources and lookups behind TLS, DNS, WAF and access logs.
const (
	CertificateToken           = "aws:acm/certificate:Certificate"
	CertificateValidationToken = "aws:acm/certificateValidation:CertificateValidation"
	RecordToken                = "aws:route53/record:Record"
	WebACLToken                = "aws:wafv2/webAcl:WebAcl"
	BucketToken                = "aws:s3/bucketV2:BucketV2"
	PublicAccessBlockToken     = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
	OwnershipControlsToken     = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
	EncryptionToken            = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
	LifecycleToken             = "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"
	BucketPolicyToken          = "aws:s3/bucketPolicy:BucketPolicy"
	GetZoneToken               = "aws:route53/getZone:getZone"
	GetLBHostedZoneIDToken     = "aws:lb/getHostedZoneId:getHostedZoneId"
	GetELBServiceAccountToken  = "aws:elb/getServiceAccount:getServiceAccount"
)

// Certificate is an ACM certificate validated through DNS.
type Certificate struct {
	pulumi.CustomResourceState

	Arn pulumi.StringOutput `pulumi:"arn"`
	// DomainValidationOptions holds, per name, the DNS record that proves control of it.
	DomainValidationOptions pulumi.MapArrayOutput `pulumi:"domainValidationOptions"`
}

// CertificateArgs name the certificate's domains.
type CertificateArgs struct {
	DomainName              pulumi.StringInput
	SubjectAlternativeNames pulumi.StringArrayInput
	ValidationMethod        pulumi.StringInput
	KeyAlgorithm            pulumi.StringInput
}

type certificateArgs struct {
	DomainName              string   `pulumi:"domainName"`
	SubjectAlternativeNames []string `pulumi:"subjectAlternativeNames"`
	ValidationMethod        string   `pulumi:"validationMethod"`
	KeyAlgorithm            string   `pulumi:"keyAlgorithm"`
}

// ElementType maps CertificateArgs onto `aws:acm/certificate:Certificate` properties.
func (CertificateArgs) ElementType() reflect.Type {
	return reflect.TypeOf((*certificateArgs)(nil)).Elem()
}

// NewCertificate registers `aws:acm/certificate:Certificate`.
func NewCertificate(ctx *pulumi.Context, name string, args *CertificateArgs, opts ...pulumi.ResourceOption) (*Certificate, error) {
	var c Certificate
	return &c, register(ctx, CertificateToken, name, args, &c, opts)
}

// CertificateValidation completes once ACM has issued the certificate.
type CertificateValidation struct {
	pulumi.CustomResourceState

	CertificateArn pulumi.StringOutput `pulumi:"certificateArn"`
}

// CertificateValidationArgs name the certificate and its validation records.
type CertificateValidationArgs struct {
	CertificateArn        pulumi.StringInput
	ValidationRecordFqdns pulumi.StringArrayInput
}

type certificateValidationArgs struct {
	CertificateArn        string   `pulumi:"certificateArn"`
	ValidationRecordFqdns []string `pulumi:"validationRecordFqdns"`
}

// ElementType maps CertificateValidationArgs onto the resource's properties.
func (CertificateValidationArgs) ElementType() reflect.Type {
	return reflect.TypeOf((*certificateValidationArgs)(nil)).Elem()
}

// NewCertificateValidation registers `aws:acm/certificateValidation:CertificateValidation`.
func NewCertificateValidation(ctx *pulumi.Context, name string, args *CertificateValidationArgs,
	opts ...pulumi.ResourceOption,
) (*CertificateValidation, error) {
	var v CertificateValidation
	return &v, register(ctx, CertificateValidationToken, name, args, &v, opts)
}

// Record is a Route53 record: plain (Records, TTL) or an alias (Aliases).
type Record struct {
	pulumi.CustomResourceState

	Fqdn pulumi.StringOutput `pulumi:"fqdn"`
}

// RecordArgs describe the record.
type RecordArgs struct {
	ZoneID         pulumi.StringInput
	Name           pulumi.StringInput
	Type           pulumi.StringInput
	Records        pulumi.StringArrayInput
	TTL            pulumi.IntInput
	Aliases        pulumi.MapArrayInput
	AllowOverwrite pulumi.BoolInput
}

type recordArgs struct {
	ZoneID         string           `pulumi:"zoneId"`
	Name           string           `pulumi:"name"`
	Type           string           `pulumi:"type"`
	Records        []string         `pulumi:"records"`
	TTL            *int             `pulumi:"ttl"`
	Aliases        []map[string]any `pulumi:"aliases"`
	AllowOverwrite *bool            `pulumi:"allowOverwrite"`
}

// ElementType maps RecordArgs onto `aws:route53/record:Record` properties.
func (RecordArgs) ElementType() reflect.Type { return reflect.TypeOf((*recordArgs)(nil)).Elem() }

// NewRecord registers `aws:route53/record:Record`.
func NewRecord(ctx *pulumi.Context, name string, args *RecordArgs, opts ...pulumi.ResourceOption) (*Record, error) {
	var r Record
	return &r, register(ctx, RecordToken, name, args, &r, opts)
}

// WebACL is a WAFv2 web ACL.
type WebACL struct {
	pulumi.CustomResourceState

	Arn pulumi.StringOutput `pulumi:"arn"`
}

// WebACLArgs are the ACL's scope, default action, rules and metrics; blocks are provider-shaped maps.
type WebACLArgs struct {
	Name             pulumi.StringInput
	Description      pulumi.StringInput
	Scope            pulumi.StringInput
	DefaultAction    pulumi.MapInput
	Rules            pulumi.MapArrayInput
	VisibilityConfig pulumi.MapInput
}

type webACLArgs struct {
	Name             string           `pulumi:"name"`
	Description      string           `pulumi:"description"`
	Scope            string           `pulumi:"scope"`
	DefaultAction    map[string]any   `pulumi:"defaultAction"`
	Rules            []map[string]any `pulumi:"rules"`
	VisibilityConfig map[string]any   `pulumi:"visibilityConfig"`
}

// ElementType maps WebACLArgs onto `aws:wafv2/webAcl:WebAcl` properties.
func (WebACLArgs) ElementType() reflect.Type { return reflect.TypeOf((*webACLArgs)(nil)).Elem() }

// NewWebACL registers `aws:wafv2/webAcl:WebAcl`.
func NewWebACL(ctx *pulumi.Context, name string, args *WebACLArgs, opts ...pulumi.ResourceOption) (*WebACL, error) {
	var w WebACL
	return &w, register(ctx, WebACLToken, name, args, &w, opts)
}

// LookupZoneID returns the ID of the public hosted zone with the given name.
func LookupZoneID(ctx *pulumi.Context, zoneName string, opts ...pulumi.InvokeOption) (string, error) {
	var out struct {
		ZoneID string `pulumi:"zoneId"`
	}
	err := ctx.Invoke(GetZoneToken, map[string]any{"name": zoneName, "privateZone": false}, &out, withInvokeVersion(opts)...)
	return out.ZoneID, err
}

// LookupALBZoneID returns the canonical hosted zone of a region's ALBs, which alias records need.
func LookupALBZoneID(ctx *pulumi.Context, region string, opts ...pulumi.InvokeOption) (string, error) {
	var out struct {
		ID string `pulumi:"id"`
	}
	args := map[string]any{"region": region, "loadBalancerType": "application"}
	err := ctx.Invoke(GetLBHostedZoneIDToken, args, &out, withInvokeVersion(opts)...)
	return out.ID, err
}

// LookupELBServiceAccountArn returns the account that delivers a region's load balancer logs.
func LookupELBServiceAccountArn(ctx *pulumi.Context, region string, opts ...pulumi.InvokeOption) (string, error) {
	var out struct {
		Arn string `pulumi:"arn"`
	}
	err := ctx.Invoke(GetELBServiceAccountToken, map[string]any{"region": region}, &out, withInvokeVersion(opts)...)
	return out.Arn, err
}
