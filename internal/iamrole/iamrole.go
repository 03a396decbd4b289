// Package iamrole makes an IAM role with managed policies attached, each attachment named by its
// key (its identity), so reordering the policies replaces nothing. The role components
// (components/irsa, components/podidentity) differ only in the trust policy they give it.
package iamrole

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Policy is a managed policy to attach. Key names the attachment (its identity, e.g. the policy's
// own name): it must not change while the policy stays attached.
type Policy struct {
	Key string
	Arn pulumi.StringInput
}

// Args are the role's: its trust policy, exact name ("": Pulumi names it), description,
// permissions boundary ("": none) and policies. AttachmentAliases, when set, gives the aliases of
// the i-th attachment (its earlier names).
type Args struct {
	Trust                                  pulumi.StringInput
	Name, Description, PermissionsBoundary string
	Policies                               []Policy
	AttachmentAliases                      func(i int) []pulumi.Alias
}

// CheckPolicies refuses a policy without an ARN or key, and two with one key; errors start with pkg.
func CheckPolicies(pkg string, policies []Policy) error {
	keys := map[string]bool{}
	for _, p := range policies {
		if p.Key == "" || p.Arn == nil || keys[p.Key] {
			return fmt.Errorf("%s: every policy needs an ARN and its own non-empty key, got %q", pkg, p.Key)
		}
		keys[p.Key] = true
	}
	return nil
}

// New registers the role `<name>-role` and one attachment `<name>-<key>` per policy, all under
// parent, and returns the role and everything to depend on for it to be usable (the role and
// its attachments).
func New(ctx *pulumi.Context, name string, args Args, parent pulumi.Resource) (*iam.Role, []pulumi.Resource, error) {
	child := []pulumi.ResourceOption{pulumi.Parent(parent)}
	role, err := iam.NewRole(ctx, name+"-role", &iam.RoleArgs{
		Name:                Optional(args.Name),
		AssumeRolePolicy:    args.Trust,
		Description:         pulumi.String(args.Description),
		PermissionsBoundary: Optional(args.PermissionsBoundary),
	}, child...)
	if err != nil {
		return nil, nil, err
	}
	ready := []pulumi.Resource{role}
	for i, policy := range args.Policies {
		opts := child
		if args.AttachmentAliases != nil {
			opts = append(append([]pulumi.ResourceOption{}, child...), pulumi.Aliases(args.AttachmentAliases(i)))
		}
		att, err := iam.NewRolePolicyAttachment(ctx, name+"-"+policy.Key,
			&iam.RolePolicyAttachmentArgs{Role: role.Name, PolicyArn: policy.Arn}, opts...)
		if err != nil {
			return nil, nil, err
		}
		ready = append(ready, att)
	}
	return role, ready, nil
}

// Optional is nil for "", so an unset name or boundary stays out of the inputs (the provider
// then names the role itself, or sets no boundary).
func Optional(s string) pulumi.StringPtrInput {
	if s == "" {
		return nil
	}
	return pulumi.String(s)
}
