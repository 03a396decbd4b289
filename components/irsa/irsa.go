// Package irsa makes an IAM role that one Kubernetes service account can assume through the
// cluster's OIDC provider (IAM Roles for Service Accounts). Reusable for any service account.
//
// Inputs (Args): the OIDC provider ARN and issuer URL, namespace and service account, the
// managed policies to attach, each under a stable key, and optionally the role's name and its
// permissions boundary.
// Outputs: RoleArn, RoleName, and Ready (resources to depend on: the role is only usable once its
// policies are attached).
// Creates: `aws:iam/role:Role`, one `aws:iam/rolePolicyAttachment:RolePolicyAttachment` per policy,
// named `<name>-<key>`, so reordering the policies replaces nothing.
package irsa

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/internal/iamrole"
)

// TypeToken is the component's type, fixed for life.
const TypeToken = "retail-api-edge:irsa:Role"

// audience is the token audience EKS pod identity webhooks request.
const audience = "sts.amazonaws.com"

// Args describe who may assume the role and what it may do.
type Args struct {
	OIDCProviderArn pulumi.StringInput
	// OIDCIssuer is the cluster's issuer URL (https://oidc.eks.<region>.amazonaws.com/id/...).
	OIDCIssuer     pulumi.StringInput
	Namespace      string
	ServiceAccount string
	Policies       []Policy
	Description    string
	// RoleName is the role's exact name; empty lets Pulumi name it after the resource. Changing it
	// replaces the role.
	RoleName string
	// PermissionsBoundary is the ARN of the managed policy set as the role's permissions boundary
	// ("": none): what the role may do is then at most what the boundary allows.
	PermissionsBoundary string
}

// Policy is a managed policy to attach. Key names the attachment (its identity, e.g. the policy's
// own name): it must not change while the policy stays attached.
type Policy = iamrole.Policy

// Role is the IRSA role component.
type Role struct {
	pulumi.ResourceState

	RoleArn  pulumi.StringOutput `pulumi:"roleArn"`
	RoleName pulumi.StringOutput `pulumi:"roleName"`
	// Ready lists the IAM role and its policy attachments: depend on these (not on the component,
	// whose expansion to children is racy) for the role to be usable.
	Ready []pulumi.Resource `pulumi:"-"`
}

func (a *Args) validate() error {
	switch {
	case a == nil:
		return errors.New("irsa: args are required")
	case a.OIDCProviderArn == nil || a.OIDCIssuer == nil:
		return errors.New("irsa: OIDCProviderArn and OIDCIssuer are required")
	case a.Namespace == "" || a.ServiceAccount == "":
		return errors.New("irsa: Namespace and ServiceAccount are required")
	}
	return iamrole.CheckPolicies("irsa", a.Policies)
}

// NewRole registers the role and its policy attachments. Pass the AWS provider in opts
// (pulumi.Provider); the children inherit it.
func NewRole(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Role, error) {
	if err := args.validate(); err != nil {
		return nil, err
	}
	r := &Role{}
	if err := ctx.RegisterComponentResource(TypeToken, name, r, opts...); err != nil {
		return nil, err
	}
	trust := pulumi.All(args.OIDCProviderArn, args.OIDCIssuer).ApplyT(func(v []any) (string, error) {
		return trustPolicy(v[0].(string), v[1].(string), args.Namespace, args.ServiceAccount)
	}).(pulumi.StringOutput)
	role, ready, err := iamrole.New(ctx, name, iamrole.Args{
		Trust: trust, Name: args.RoleName, Description: args.description(),
		PermissionsBoundary: args.PermissionsBoundary, Policies: args.Policies,
		// Named by key; before, by position: the alias keeps existing stacks' attachments.
		AttachmentAliases: func(i int) []pulumi.Alias {
			return []pulumi.Alias{{Name: pulumi.String(fmt.Sprintf("%s-policy-%d", name, i))}}
		},
	}, r)
	if err != nil {
		return nil, err
	}
	r.Ready = ready
	r.RoleArn, r.RoleName = role.Arn, role.Name
	return r, ctx.RegisterResourceOutputs(r, pulumi.Map{"roleArn": r.RoleArn, "roleName": r.RoleName})
}

// Optional is nil for "", so an unset name or boundary stays out of the inputs.
func Optional(s string) pulumi.StringPtrInput { return iamrole.Optional(s) }

func (a *Args) description() string {
	if a.Description != "" {
		return a.Description
	}
	return fmt.Sprintf("IRSA role for service account %s/%s", a.Namespace, a.ServiceAccount)
}

// trustPolicy lets exactly one service account assume the role: both the subject and the
// audience of its projected token must match.
func trustPolicy(providerArn, issuerURL, namespace, serviceAccount string) (string, error) {
	issuer := strings.TrimPrefix(issuerURL, "https://")
	if issuer == "" || providerArn == "" {
		return "", errors.New("irsa: the cluster has no OIDC issuer")
	}
	doc := map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{map[string]any{
			"Effect":    "Allow",
			"Principal": map[string]any{"Federated": providerArn},
			"Action":    "sts:AssumeRoleWithWebIdentity",
			"Condition": map[string]any{"StringEquals": map[string]any{
				issuer + ":sub": fmt.Sprintf("system:serviceaccount:%s:%s", namespace, serviceAccount),
				issuer + ":aud": audience,
			}},
		}},
	}
	b, err := json.Marshal(doc)
	return string(b), err
}
