// Package certificate issues an ACM certificate for the API's domain, validated through DNS in the
// domain's Route53 hosted zone. Only the validated ARN is exposed, so nothing can use the
// certificate before ACM has issued it.
//
// Inputs (Args): domain, alternative names, hosted zone ID.
// Outputs: CertificateArn (after validation), Ready (what a listener using it waits for: the validation).
// Creates: `aws:acm/certificate:Certificate`, one `aws:route53/record:Record` per validated name
// (named `<name>-validation-<domain>`, so reordering the alternative names replaces nothing),
// `aws:acm/certificateValidation:CertificateValidation`.
package certificate

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/acm"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/internal/slowstep"
)

// validationStep bounds the wait for ACM to issue the certificate (the provider waits 75 minutes).
var validationStep = slowstep.Step{Timeout: "30m",
	Check: "check that the validation CNAME records resolve publicly (the hosted zone must be the domain's delegated zone): " +
		"`aws acm describe-certificate --certificate-arn <certificateArn> --query Certificate.DomainValidationOptions`"}

// TypeToken is the component's type, fixed for life.
const TypeToken = "retail-api-edge:certificate:Certificate"

// Args name the certificate's domains and where to prove control of them.
type Args struct {
	Domain           string
	AlternativeNames []string
	ZoneID           string
}

// Certificate is the validated certificate.
type Certificate struct {
	pulumi.ResourceState

	CertificateArn pulumi.StringOutput `pulumi:"certificateArn"`
	Ready          []pulumi.Resource   `pulumi:"-"`
}

func (a *Args) validate() error {
	switch {
	case a == nil:
		return errors.New("certificate: args are required")
	case a.Domain == "" || a.ZoneID == "":
		return errors.New("certificate: Domain and ZoneID are required")
	}
	return nil
}

// ValidatedNames are the names ACM validates separately: a wildcard shares its base name's record.
func (a *Args) ValidatedNames() []string {
	var names []string
	for _, n := range append([]string{a.Domain}, a.AlternativeNames...) {
		if base := strings.TrimPrefix(n, "*."); !slices.Contains(names, base) {
			names = append(names, base)
		}
	}
	return names
}

// NewCertificate registers the certificate, its validation records and the validation. Pass the
// AWS provider in opts; the children inherit it.
func NewCertificate(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Certificate, error) {
	if err := args.validate(); err != nil {
		return nil, err
	}
	c := &Certificate{}
	if err := ctx.RegisterComponentResource(TypeToken, name, c, opts...); err != nil {
		return nil, err
	}
	child := []pulumi.ResourceOption{pulumi.Parent(c)}
	cert, err := acm.NewCertificate(ctx, name+"-cert", &acm.CertificateArgs{
		DomainName:              pulumi.String(args.Domain),
		SubjectAlternativeNames: pulumi.ToStringArray(args.AlternativeNames),
		ValidationMethod:        pulumi.String("DNS"),
		KeyAlgorithm:            pulumi.String("RSA_2048"),
	}, child...)
	if err != nil {
		return nil, err
	}
	var fqdns pulumi.StringArray
	for i, domain := range args.ValidatedNames() {
		option := cert.DomainValidationOptions.ApplyT(func(opts []acm.CertificateDomainValidationOption) (acm.CertificateDomainValidationOption, error) {
			return validationOption(opts, domain)
		}).(acm.CertificateDomainValidationOptionOutput)
		// Named by the domain it validates; before, by position: the alias keeps existing stacks'.
		old := pulumi.Aliases([]pulumi.Alias{{Name: pulumi.String(fmt.Sprintf("%s-validation-%d", name, i))}})
		rec, err := route53.NewRecord(ctx, name+"-validation-"+domain, &route53.RecordArgs{
			ZoneId:         pulumi.String(args.ZoneID),
			Name:           option.ResourceRecordName().Elem(),
			Type:           option.ResourceRecordType().Elem(),
			Records:        pulumi.StringArray{option.ResourceRecordValue().Elem()},
			Ttl:            pulumi.Int(60),
			AllowOverwrite: pulumi.Bool(true),
		}, append(child, old)...)
		if err != nil {
			return nil, err
		}
		fqdns = append(fqdns, rec.Fqdn)
	}
	validation, err := acm.NewCertificateValidation(ctx, name+"-validation", &acm.CertificateValidationArgs{
		CertificateArn: cert.Arn, ValidationRecordFqdns: fqdns,
	}, append(child, validationStep.Option())...)
	if err != nil {
		return nil, err
	}
	if err := validationStep.Announce(ctx, validation); err != nil {
		return nil, err
	}
	c.CertificateArn, c.Ready = validation.CertificateArn, []pulumi.Resource{validation}
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{"certificateArn": c.CertificateArn})
}

// validationOption is the DNS record ACM asks for to validate domain (or its wildcard).
func validationOption(opts []acm.CertificateDomainValidationOption, domain string) (acm.CertificateDomainValidationOption, error) {
	for _, o := range opts {
		if o.DomainName != nil && strings.TrimPrefix(*o.DomainName, "*.") == domain &&
			o.ResourceRecordName != nil && o.ResourceRecordType != nil && o.ResourceRecordValue != nil {
			return o, nil
		}
	}
	return acm.CertificateDomainValidationOption{}, fmt.Errorf("certificate: ACM returned no validation record for %s", domain)
}
