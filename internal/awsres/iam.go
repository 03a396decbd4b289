package awsres

import (
	"reflect"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Tokens of the IAM resources and lookups this program uses.
const (
	RoleToken                     = "aws:iam/role:Role"
	PolicyToken                   = "aws:iam/policy:Policy"
	RolePolicyAttachmentToken     = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
	OpenIDConnectProviderToken    = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
	GetOpenIDConnectProviderToken = "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider"
)

// register registers a pulumi-aws custom resource at the pinned plugin version.
func register(ctx *pulumi.Context, token, name string, args pulumi.Input, res pulumi.CustomResource,
	opts []pulumi.ResourceOption,
) error {
	return ctx.RegisterResource(token, name, args, res, withVersion(opts)...)
}

// Role is an IAM role.
type Role struct {
	pulumi.CustomResourceState

	Arn  pulumi.StringOutput `pulumi:"arn"`
	Name pulumi.StringOutput `pulumi:"name"`
}

// RoleArgs are the role's trust policy (JSON) and description.
type RoleArgs struct {
	AssumeRolePolicy pulumi.StringInput
	Description      pulumi.StringInput
}

type roleArgs struct {
	AssumeRolePolicy string  `pulumi:"assumeRolePolicy"`
	Description      *string `pulumi:"description"`
}

// ElementType maps RoleArgs onto `aws:iam/role:Role` properties.
func (RoleArgs) ElementType() reflect.Type { return reflect.TypeOf((*roleArgs)(nil)).Elem() }

// NewRole registers `aws:iam/role:Role`.
func NewRole(ctx *pulumi.Context, name string, args *RoleArgs, opts ...pulumi.ResourceOption) (*Role, error) {
	var r Role
	return &r, register(ctx, RoleToken, name, args, &r, opts)
}

// Policy is a customer-managed IAM policy.
type Policy struct {
	pulumi.CustomResourceState

	Arn pulumi.StringOutput `pulumi:"arn"`
}

// PolicyArgs are the policy document (JSON) and description.
type PolicyArgs struct {
	Policy      pulumi.StringInput
	Description pulumi.StringInput
}

type policyArgs struct {
	Policy      string  `pulumi:"policy"`
	Description *string `pulumi:"description"`
}

// ElementType maps PolicyArgs onto `aws:iam/policy:Policy` properties.
func (PolicyArgs) ElementType() reflect.Type { return reflect.TypeOf((*policyArgs)(nil)).Elem() }

// NewPolicy registers `aws:iam/policy:Policy`.
func NewPolicy(ctx *pulumi.Context, name string, args *PolicyArgs, opts ...pulumi.ResourceOption) (*Policy, error) {
	var p Policy
	return &p, register(ctx, PolicyToken, name, args, &p, opts)
}

// RolePolicyAttachment attaches a managed policy to a role.
type RolePolicyAttachment struct {
	pulumi.CustomResourceState
}

// RolePolicyAttachmentArgs name the role and the policy.
type RolePolicyAttachmentArgs struct {
	Role      pulumi.StringInput
	PolicyArn pulumi.StringInput
}

type rolePolicyAttachmentArgs struct {
	Role      string `pulumi:"role"`
	PolicyArn string `pulumi:"policyArn"`
}

// ElementType maps RolePolicyAttachmentArgs onto the resource's properties.
func (RolePolicyAttachmentArgs) ElementType() reflect.Type {
	return reflect.TypeOf((*rolePolicyAttachmentArgs)(nil)).Elem()
}

// NewRolePolicyAttachment registers `aws:iam/rolePolicyAttachment:RolePolicyAttachment`.
func NewRolePolicyAttachment(ctx *pulumi.Context, name string, args *RolePolicyAttachmentArgs,
	opts ...pulumi.ResourceOption,
) (*RolePolicyAttachment, error) {
	var a RolePolicyAttachment
	return &a, register(ctx, RolePolicyAttachmentToken, name, args, &a, opts)
}

// OpenIDConnectProvider is an IAM OIDC identity provider (an EKS cluster's, for IRSA).
type OpenIDConnectProvider struct {
	pulumi.CustomResourceState

	Arn pulumi.StringOutput `pulumi:"arn"`
}

// OpenIDConnectProviderArgs are the issuer URL and the audiences.
type OpenIDConnectProviderArgs struct {
	URL           pulumi.StringInput
	ClientIDLists pulumi.StringArrayInput
}

type openIDConnectProviderArgs struct {
	URL           string   `pulumi:"url"`
	ClientIDLists []string `pulumi:"clientIdLists"`
}

// ElementType maps OpenIDConnectProviderArgs onto the resource's properties.
func (OpenIDConnectProviderArgs) ElementType() reflect.Type {
	return reflect.TypeOf((*openIDConnectProviderArgs)(nil)).Elem()
}

// NewOpenIDConnectProvider registers `aws:iam/openIdConnectProvider:OpenIdConnectProvider`.
func NewOpenIDConnectProvider(ctx *pulumi.Context, name string, args *OpenIDConnectProviderArgs,
	opts ...pulumi.ResourceOption,
) (*OpenIDConnectProvider, error) {
	var p OpenIDConnectProvider
	return &p, register(ctx, OpenIDConnectProviderToken, name, args, &p, opts)
}

// LookupOpenIDConnectProviderArn returns the ARN of the IAM OIDC provider for an issuer URL.
func LookupOpenIDConnectProviderArn(ctx *pulumi.Context, issuerURL string, opts ...pulumi.InvokeOption) (string, error) {
	var out struct {
		Arn string `pulumi:"arn"`
	}
	err := ctx.Invoke(GetOpenIDConnectProviderToken, map[string]any{"url": issuerURL}, &out, withInvokeVersion(opts)...)
	return out.Arn, err
}
