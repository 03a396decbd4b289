// Package podidentity gives one Kubernetes service account an IAM role through EKS Pod Identity:
// a role that EKS Pod Identity may assume, the cluster's Pod Identity association for the service
// account, and the EKS Pod Identity Agent that hands the credentials to the pods (installed here,
// checked in preview, or left to the caller). No OIDC provider and no service-account annotation.
//
// Inputs (Args): the cluster's name, namespace and service account, the managed policies to attach,
// each under a stable key, optionally the role's name and permissions boundary, or an existing
// role's ARN instead; what to do about the agent.
// Outputs: RoleArn, and Ready (resources to depend on: the pods get credentials only once the role
// has its policies, the association exists and the agent runs).
// Creates: `aws:iam/role:Role` and one `aws:iam/rolePolicyAttachment:RolePolicyAttachment` per policy
// (named `<name>-<key>`) unless RoleArn is given, `aws:eks/podIdentityAssociation:PodIdentityAssociation`,
// and with AgentInstall the `eks-pod-identity-agent` `aws:eks/addon:Addon`. Not for Fargate pods:
// EKS Pod Identity does not serve them (EKS user guide, pod-identities.adoc, "EKS Pod Identity restrictions").
package podidentity

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/internal/fielderr"
	"github.com/mlops-retail/retail-api-edge/internal/iamrole"
)

// TypeToken is the component's type, fixed for life.
const TypeToken = "retail-api-edge:podidentity:Role"

// AgentAddon is the EKS add-on that runs the EKS Pod Identity Agent on every node (EKS user guide,
// pod-id-agent-setup.adoc: `aws eks create-addon --addon-name eks-pod-identity-agent`).
const AgentAddon = "eks-pod-identity-agent"

// Service is the service principal EKS Pod Identity assumes roles as.
const Service = "pods.eks.amazonaws.com"

// Agent says how the EKS Pod Identity Agent gets onto the cluster.
type Agent int

const (
	// AgentCheck means it must already be there as an EKS add-on; NewRole looks it up (a plain
	// DescribeAddon, in preview too) and fails with the fix when it is missing.
	AgentCheck Agent = iota
	// AgentInstall means NewRole installs the add-on (the cluster is the caller's, the add-on this
	// component's: destroy removes it).
	AgentInstall
	// AgentProvided means the caller installs it (a cluster it creates with the add-on) or has
	// checked it (CheckAgent), or the cluster has it built in (EKS Auto Mode); nothing is done or
	// checked here.
	AgentProvided
)

// Args describe the service account and what its role may do.
type Args struct {
	// ClusterName is the EKS cluster's name. ClusterDependsOn are what must exist before the
	// association is made (a cluster being created, its agent add-on).
	ClusterName      pulumi.StringInput
	ClusterDependsOn []pulumi.Resource
	Namespace        string
	ServiceAccount   string
	// RoleArn is an existing role that trusts pods.eks.amazonaws.com: then only the association
	// (and the agent) is made, and Policies, RoleName and PermissionsBoundary must be empty.
	RoleArn  string
	Policies []Policy
	// Description is the role's; empty gives one naming the service account.
	Description string
	// RoleName is the role's exact name; empty lets Pulumi name it. Changing it replaces the role.
	RoleName string
	// PermissionsBoundary is the ARN of the managed policy set as the role's permissions boundary
	// ("": none).
	PermissionsBoundary string
	// Agent is how the EKS Pod Identity Agent gets there. AgentCheck and AgentInstall need
	// AgentCluster, the cluster's name as a plain string (the lookup takes no outputs).
	Agent        Agent
	AgentCluster string
	// Tags go on the association (the provider's default tags are added to them).
	Tags map[string]string
}

// Policy is a managed policy to attach. Key names the attachment (its identity): it must not
// change while the policy stays attached.
type Policy = iamrole.Policy

// Role is the Pod Identity role component.
type Role struct {
	pulumi.ResourceState

	RoleArn pulumi.StringOutput `pulumi:"roleArn"`
	// Ready lists the role, its policy attachments, the association and the agent add-on this
	// component installs: depend on these, not on the component.
	Ready []pulumi.Resource `pulumi:"-"`
}

func (a *Args) validate() error {
	switch {
	case a == nil:
		return errors.New("podidentity: args are required")
	case a.ClusterName == nil:
		return errors.New("podidentity: ClusterName is required")
	case a.Namespace == "" || a.ServiceAccount == "":
		return errors.New("podidentity: Namespace and ServiceAccount are required")
	case a.RoleArn != "" && (len(a.Policies) > 0 || a.RoleName != "" || a.PermissionsBoundary != ""):
		return errors.New("podidentity: RoleArn is an existing role; Policies, RoleName and PermissionsBoundary make a new one")
	case a.Agent != AgentProvided && a.AgentCluster == "":
		return errors.New("podidentity: AgentCluster is required to check or install the agent")
	}
	return iamrole.CheckPolicies("podidentity", a.Policies)
}

// NewRole checks or installs the agent, then registers the role, its policy attachments and the
// association. Pass the AWS provider in opts (pulumi.Provider); the children and the lookup
// inherit it.
func NewRole(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Role, error) {
	if err := args.validate(); err != nil {
		return nil, err
	}
	r := &Role{}
	if err := ctx.RegisterComponentResource(TypeToken, name, r, opts...); err != nil {
		return nil, err
	}
	child := []pulumi.ResourceOption{pulumi.Parent(r)}
	agent, err := r.agent(ctx, name, args)
	if err != nil {
		return nil, err
	}
	roleArn := pulumi.String(args.RoleArn).ToStringOutput()
	if args.RoleArn == "" {
		role, ready, err := iamrole.New(ctx, name, iamrole.Args{
			Trust: pulumi.String(TrustPolicy(args.Namespace, args.ServiceAccount)), Name: args.RoleName,
			Description: args.description(), PermissionsBoundary: args.PermissionsBoundary, Policies: args.Policies,
		}, r)
		if err != nil {
			return nil, err
		}
		r.Ready = append(r.Ready, ready...)
		roleArn = role.Arn
	}
	// The association is EKS's record that pods of this service account get the role: the EKS Pod
	// Identity webhook reads it when a pod is created (EKS user guide, pod-id-association.adoc and
	// pod-id-how-it-works.adoc), so pods must be created after it. CreatePodIdentityAssociation
	// needs iam:PassRole on the role (pod-id-association.adoc, prerequisites).
	assoc, err := eks.NewPodIdentityAssociation(ctx, name+"-association", &eks.PodIdentityAssociationArgs{
		ClusterName:    args.ClusterName,
		Namespace:      pulumi.String(args.Namespace),
		ServiceAccount: pulumi.String(args.ServiceAccount),
		RoleArn:        roleArn,
		Tags:           pulumi.ToStringMap(args.Tags),
	}, append(child, pulumi.DependsOn(append(append([]pulumi.Resource{}, args.ClusterDependsOn...), agent...)))...)
	if err != nil {
		return nil, err
	}
	r.Ready = append(r.Ready, assoc)
	r.Ready = append(r.Ready, agent...)
	r.RoleArn = roleArn
	return r, ctx.RegisterResourceOutputs(r, pulumi.Map{"roleArn": r.RoleArn})
}

// agent installs or checks the EKS Pod Identity Agent add-on, as Args.Agent says; what it installs
// is returned, to be depended on. The lookup never decides whether the add-on is created: a
// cluster without it fails, and the fix is to install it or to let the stack own it.
func (r *Role) agent(ctx *pulumi.Context, name string, args *Args) ([]pulumi.Resource, error) {
	switch args.Agent {
	case AgentInstall:
		// Same conflict handling as the cluster component's add-ons: take over a self-managed
		// agent on create, keep later tuning on update.
		addon, err := eks.NewAddon(ctx, name+"-agent", &eks.AddonArgs{
			ClusterName: pulumi.String(args.AgentCluster), AddonName: pulumi.String(AgentAddon),
			ResolveConflictsOnCreate: pulumi.String("OVERWRITE"), ResolveConflictsOnUpdate: pulumi.String("PRESERVE"),
			Tags: pulumi.ToStringMap(args.Tags),
		}, pulumi.Parent(r), pulumi.DependsOn(args.ClusterDependsOn))
		if err != nil {
			return nil, err
		}
		return []pulumi.Resource{addon}, nil
	case AgentCheck:
		return nil, CheckAgent(ctx, args.AgentCluster, args.Namespace, args.ServiceAccount, pulumi.Parent(r))
	}
	return nil, nil
}

// CheckAgent fails, with the fix, unless the EKS cluster has the Pod Identity Agent add-on. A
// caller that checks before registering anything (a preflight) then passes AgentProvided.
func CheckAgent(ctx *pulumi.Context, cluster, namespace, serviceAccount string, opts ...pulumi.InvokeOption) error {
	_, err := eks.LookupAddon(ctx, &eks.LookupAddonArgs{ClusterName: cluster, AddonName: AgentAddon}, opts...)
	switch {
	case err != nil && addonNotFound(err):
		return fielderr.Wrap(err, fmt.Sprintf("EKS cluster %q has no %s add-on: without the EKS Pod Identity Agent on its "+
			"nodes, pods of service account %s/%s get no AWS credentials. Install it with `aws eks create-addon --cluster-name %s "+
			"--addon-name %s`, or set {Agent} to let this stack install it. Lookup error",
			cluster, AgentAddon, namespace, serviceAccount, cluster, AgentAddon))
	case err != nil:
		return fmt.Errorf("looking up the %s add-on of EKS cluster %q failed; the caller needs eks:DescribeAddon: %w",
			AgentAddon, cluster, err)
	}
	return nil
}

// addonNotFound tells "there is no such add-on" from other failures: pulumi-aws's getAddon
// (terraform-provider-aws internal/service/eks/addon.go findAddonByTwoPartKey) turns DescribeAddon's
// ResourceNotFoundException into a not-found error, "couldn't find resource".
func addonNotFound(err error) bool {
	s := err.Error()
	return strings.Contains(s, "couldn't find resource") || strings.Contains(s, "ResourceNotFoundException")
}

// TrustPolicy lets EKS Pod Identity assume the role (sts:AssumeRole) and tag the session
// (sts:TagSession), as EKS requires (EKS user guide, pod-id-role.adoc), and only for the one
// service account: EKS sends the namespace and service account as session tags, and the condition
// matches them (the same page's restricted example), so another association of the role, in
// another namespace or for another service account, is refused by STS.
func TrustPolicy(namespace, serviceAccount string) string {
	doc := map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{map[string]any{
			"Sid":       "AllowEksAuthToAssumeRoleForPodIdentity",
			"Effect":    "Allow",
			"Principal": map[string]any{"Service": Service},
			"Action":    []string{"sts:AssumeRole", "sts:TagSession"},
			"Condition": map[string]any{"StringEquals": map[string]any{
				"aws:RequestTag/kubernetes-namespace":       namespace,
				"aws:RequestTag/kubernetes-service-account": serviceAccount,
			}},
		}},
	}
	b, _ := json.Marshal(doc) // maps of strings always marshal
	return string(b)
}

func (a *Args) description() string {
	if a.Description != "" {
		return a.Description
	}
	return fmt.Sprintf("EKS Pod Identity role for service account %s/%s", a.Namespace, a.ServiceAccount)
}
