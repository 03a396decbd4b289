// Package lbcontroller installs the AWS Load Balancer Controller the way its docs prescribe, with
// nothing left to do by hand: the official IAM policy of the pinned version, a role for the
// controller's service account (IRSA, or EKS Pod Identity with its association), the service
// account itself, and the Helm release.
//
// Inputs (Args): cluster name, region, VPC, the identity (IRSA with the OIDC provider, or Pod
// Identity and what to do about its agent; or an existing role), chart source and version,
// replicas, default TLS policy.
// Outputs: RoleArn, Ready (the release: depend on it, its webhook answers once it is created).
// Creates: `aws:iam/policy:Policy` and `retail-api-edge:irsa:Role` (role + attachment) unless
// RoleArn is given, or with IdentityPodIdentity `retail-api-edge:podidentity:Role` (role +
// attachment unless RoleArn is given, association, agent add-on if asked);
// `kubernetes:core/v1:ServiceAccount`, `kubernetes:helm.sh/v3:Release`.
package lbcontroller

import (
	"errors"
	"fmt"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/components/irsa"
	"github.com/mlops-retail/retail-api-edge/components/podidentity"
	"github.com/mlops-retail/retail-api-edge/internal/annotation"
	"github.com/mlops-retail/retail-api-edge/internal/helmres"
	"github.com/mlops-retail/retail-api-edge/internal/slowstep"
)

// TypeToken is the component's type, fixed for life.
const TypeToken = "retail-api-edge:lbcontroller:Controller"

// install bounds the release: Helm waits (timeout) for the controller to be ready, and the engine a
// little longer. When it is slow, what to check besides the rollout depends on how the pods get
// their credentials. (On EKS Auto Mode nothing is installed, so there is no such step.)
func (a *Args) install() slowstep.Step {
	return slowstep.Step{Timeout: "15m", Delete: "10m",
		Check: fmt.Sprintf("check `kubectl -n %s rollout status deploy/%s` and its logs (%s; "+
			"image pulls; nodes must accept TCP 9443 from the control plane)", a.Namespace, ReleaseName, a.credentialsHint())}
}

// credentialsHint says where a controller that cannot reach AWS (AccessDenied, no credentials)
// gets its role from.
func (a *Args) credentialsHint() string {
	if !a.podIdentity() {
		return fmt.Sprintf("AccessDenied or WebIdentityErr: the IRSA role, its trust of the cluster's OIDC provider and the "+
			"%s annotation on service account %s/%s", RoleArnAnnotation, a.Namespace, a.ServiceAccount)
	}
	// The agent add-on runs as DaemonSet kube-system/eks-pod-identity-agent (aws/eks-pod-identity-agent
	// charts/eks-pod-identity-agent/templates/daemonset.yaml), one pod per node.
	return fmt.Sprintf("AccessDenied or no credentials: the EKS Pod Identity association for %s/%s "+
		"(`aws eks list-pod-identity-associations --cluster-name %s --namespace %s --service-account %s`) and the %s add-on's pods "+
		"(`kubectl -n kube-system rollout status ds/%s`)",
		a.Namespace, a.ServiceAccount, a.ClusterName, a.Namespace, a.ServiceAccount, podidentity.AgentAddon, podidentity.AgentAddon)
}

// RoleArnAnnotation tells the EKS pod identity webhook which role the pods may assume.
const RoleArnAnnotation = "eks.amazonaws.com/role-arn"

// rolePodAnnotation carries the role on the controller's pods (chart value podAnnotations), so
// that a new role restarts them (eks-charts stable/aws-load-balancer-controller values.yaml
// podAnnotations, rendered on the pod template by templates/deployment.yaml).
const rolePodAnnotation = "retail-api-edge.mlops.io/controller-role"

// identityPodAnnotation marks the controller's pods that get their credentials from EKS Pod
// Identity; IRSA pods have none (so existing IRSA stacks render the same pod template).
const identityPodAnnotation = "retail-api-edge.mlops.io/controller-identity"

// gatewayAPIPodAnnotation carries Args.GatewayAPI on the controller's pods; stacks without
// Gateways have none (their pod template is unchanged).
const gatewayAPIPodAnnotation = "retail-api-edge.mlops.io/gateway-api"

// Identity is how the controller's pods get AWS credentials.
type Identity string

// Identities.
const (
	// IdentityIRSA: IAM Roles for Service Accounts, a role trusting the cluster's OIDC provider and
	// the eks.amazonaws.com/role-arn annotation on the service account.
	IdentityIRSA Identity = "irsa"
	// IdentityPodIdentity: EKS Pod Identity, a role trusting pods.eks.amazonaws.com and an EKS Pod
	// Identity association; no OIDC provider, no annotation.
	IdentityPodIdentity Identity = "podIdentity"
)

// Args configure the controller.
type Args struct {
	ClusterName string
	Region      string
	Partition   string
	VpcID       pulumi.StringInput

	// Identity is IdentityIRSA (also for "") or IdentityPodIdentity.
	Identity Identity
	// OIDCProviderArn and OIDCIssuer are the cluster's, for the IRSA role.
	OIDCProviderArn pulumi.StringInput
	OIDCIssuer      pulumi.StringInput
	// PodIdentity is, with IdentityPodIdentity, what the association waits for and how the agent
	// gets there (ClusterName, ClusterDependsOn, Agent, AgentCluster, Tags; the rest is filled in).
	PodIdentity podidentity.Args
	// RoleArn is an existing role for the service account; the policy and the role are then not
	// created. With IRSA no AWS provider is needed; with Pod Identity the association is still
	// made for it (the role must trust pods.eks.amazonaws.com).
	RoleArn string
	// RoleName is the IRSA role's exact name and PolicyNamePrefix the start of its policy's name
	// (AWS appends a unique suffix, so a policy that must be replaced, as a new description
	// requires, can be made before the old one goes); empty lets Pulumi name them.
	RoleName, PolicyNamePrefix string
	// PermissionsBoundary is the ARN of the managed policy set as the IRSA role's permissions
	// boundary ("": none).
	PermissionsBoundary string

	Namespace      string
	ServiceAccount string
	// Chart is the chart name in Repository, or a local chart path when Repository is empty.
	Chart, ChartVersion, Repository string
	Replicas                        int
	DefaultSSLPolicy                string

	// Annotations go on the service account and the controller's Deployment (the stack's ownership
	// marker, say).
	Annotations map[string]string
	// GatewayAPI is the Gateway API release whose CRDs the controller serves ("": none). The
	// controller turns its Gateway support on only if the CRDs exist when it starts
	// (pkg/gateway/crddetect/gateway_feature_flags.go, ApplyGatewayCRDDetection, at v3.5.0), so the
	// release carries it on the pods: a stack that starts serving Gateways, or installs another
	// release of the CRDs, restarts the controller after them.
	GatewayAPI string
	// After is what the release waits for besides the role and service account (the Gateway API
	// CRDs); on destroy the release goes before it.
	After []pulumi.Resource
}

// Controller is the installed AWS Load Balancer Controller.
type Controller struct {
	pulumi.ResourceState

	RoleArn pulumi.StringOutput `pulumi:"roleArn"`
	// Ready is what Ingresses must depend on (the release), so they are created after the webhook
	// answers and deleted while the controller can still remove their load balancers.
	Ready []pulumi.Resource `pulumi:"-"`
}

func (a *Args) validate() error {
	switch {
	case a == nil:
		return errors.New("lbcontroller: args are required")
	case a.ClusterName == "" || a.Region == "" || a.VpcID == nil:
		return errors.New("lbcontroller: ClusterName, Region and VpcID are required (the controller cannot discover them reliably)")
	case a.Namespace == "" || a.ServiceAccount == "" || a.Chart == "":
		return errors.New("lbcontroller: Namespace, ServiceAccount and Chart are required")
	case a.Replicas < 2:
		// The chart renders its PodDisruptionBudget only above one replica, and with one a node
		// drain takes the webhook down, which rejects every Service create (failurePolicy Fail).
		return errors.New("lbcontroller: Replicas must be at least 2")
	case a.Identity != "" && a.Identity != IdentityIRSA && a.Identity != IdentityPodIdentity:
		return fmt.Errorf("lbcontroller: Identity must be %q or %q, got %q", IdentityIRSA, IdentityPodIdentity, a.Identity)
	case !a.podIdentity() && a.RoleArn == "" && (a.OIDCProviderArn == nil || a.OIDCIssuer == nil):
		return errors.New("lbcontroller: OIDCProviderArn and OIDCIssuer are required to create the IRSA role (or give RoleArn)")
	case a.podIdentity() && a.PodIdentity.ClusterName == nil:
		return errors.New("lbcontroller: PodIdentity.ClusterName is required with IdentityPodIdentity")
	}
	return nil
}

// NewController registers the policy, role, service account and release, in that order. Pass the
// providers in opts: pulumi.Providers(aws, k8s), the Kubernetes one strict (no upsert); without
// RoleArn the AWS one is needed too. The children inherit them.
func NewController(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Controller, error) {
	if err := args.validate(); err != nil {
		return nil, err
	}
	c := &Controller{}
	if err := ctx.RegisterComponentResource(TypeToken, name, c, opts...); err != nil {
		return nil, err
	}
	roleArn, ready, err := c.role(ctx, name, args)
	if err != nil {
		return nil, err
	}
	child := []pulumi.ResourceOption{pulumi.Parent(c)}
	// With Pod Identity the service account has no role annotation: the pod identity webhook would
	// otherwise inject IRSA's web identity variables, which the SDKs' credential chain prefers,
	// and the role no longer trusts the OIDC provider (EKS user guide, pod-id-association.adoc:
	// "EKS Pod Identity doesn't use an annotation on the service account"). Removing it is an
	// update of the service account, which the release waits for, so pods rolled by the release
	// see the service account without it.
	sa, err := corev1.NewServiceAccount(ctx, name+"-sa", &corev1.ServiceAccountArgs{
		Metadata: metav1.ObjectMetaArgs{
			Name:        pulumi.String(args.ServiceAccount),
			Namespace:   pulumi.String(args.Namespace),
			Annotations: args.serviceAccountAnnotations(roleArn),
			Labels:      pulumi.StringMap{"app.kubernetes.io/name": pulumi.String("aws-load-balancer-controller")},
		},
	}, child...)
	if err != nil {
		return nil, err
	}
	// The release needs the role with its policy attached (and, with Pod Identity, the association
	// and the agent) and the service account, and on destroy it must outlive every Ingress (they
	// depend on it) so finalizers are removed; it goes before the association and the role.
	deps := slices.Concat([]pulumi.Resource{sa}, ready, args.After)
	step := args.install()
	release, err := helmres.NewRelease(ctx, name+"-release", args.releaseArgs(roleArn),
		append(child, pulumi.DependsOn(deps), step.Option())...)
	if err != nil {
		return nil, err
	}
	if err := step.Announce(ctx, release); err != nil {
		return nil, err
	}
	c.RoleArn, c.Ready = roleArn, []pulumi.Resource{release}
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{"roleArn": c.RoleArn})
}

func (a *Args) podIdentity() bool { return a.Identity == IdentityPodIdentity }

// policyKey names the official policy's attachment in either role component.
const policyKey = "lbc-policy"

// role returns the role the controller assumes and what must exist before it runs: the given
// RoleArn as is (IRSA), or the official policy attached to a new IRSA role, or a Pod Identity role
// (new, or the given one) with its association.
//
// Switching the identity keeps the role: the IRSA role component and the Pod Identity one alias
// each other, and their children are named from them (<name>-irsa-role, <name>-podidentity-role,
// the same for the attachment), so the engine's inherited child aliases map the role and its
// attachment of one onto the other. The role, whose name is fixed, is then updated in place (its
// trust policy and description), not replaced: a new role of the same name could not be created
// while the old one exists, and a new attachment of the same policy would be detached again when
// the old one is deleted. The association is new; the release waits for it.
func (c *Controller) role(ctx *pulumi.Context, name string, args *Args) (pulumi.StringOutput, []pulumi.Resource, error) {
	if args.RoleArn != "" && !args.podIdentity() {
		return pulumi.String(args.RoleArn).ToStringOutput(), nil, nil
	}
	var policies []pulumi.StringOutput
	if args.RoleArn == "" {
		policy, err := iam.NewPolicy(ctx, name+"-policy", &iam.PolicyArgs{
			NamePrefix:  irsa.Optional(args.PolicyNamePrefix),
			Policy:      pulumi.String(controllerPolicy(args.Partition).JSON()),
			Description: pulumi.String("AWS Load Balancer Controller " + PolicyVersion + " for cluster " + args.ClusterName),
		}, pulumi.Parent(c))
		if err != nil {
			return pulumi.StringOutput{}, nil, err
		}
		policies = append(policies, policy.Arn)
	}
	irsaName, podName := name+"-irsa", name+"-podidentity"
	if args.podIdentity() {
		pa := args.PodIdentity
		pa.Namespace, pa.ServiceAccount, pa.RoleArn = args.Namespace, args.ServiceAccount, args.RoleArn
		if args.RoleArn == "" {
			pa.RoleName, pa.PermissionsBoundary = args.RoleName, args.PermissionsBoundary
			pa.Policies = []podidentity.Policy{{Key: policyKey, Arn: policies[0]}}
		}
		role, err := podidentity.NewRole(ctx, podName, &pa, pulumi.Parent(c),
			pulumi.Aliases([]pulumi.Alias{{Name: pulumi.String(irsaName), Type: pulumi.String(irsa.TypeToken)}}))
		if err != nil {
			return pulumi.StringOutput{}, nil, err
		}
		return role.RoleArn, role.Ready, nil
	}
	role, err := irsa.NewRole(ctx, irsaName, &irsa.Args{
		OIDCProviderArn: args.OIDCProviderArn, OIDCIssuer: args.OIDCIssuer,
		Namespace: args.Namespace, ServiceAccount: args.ServiceAccount,
		Policies: []irsa.Policy{{Key: policyKey, Arn: policies[0]}},
		RoleName: args.RoleName, PermissionsBoundary: args.PermissionsBoundary,
	}, pulumi.Parent(c), pulumi.Aliases([]pulumi.Alias{{Name: pulumi.String(podName), Type: pulumi.String(podidentity.TypeToken)}}))
	if err != nil {
		return pulumi.StringOutput{}, nil, err
	}
	return role.RoleArn, role.Ready, nil
}

func (a *Args) releaseArgs(roleArn pulumi.StringOutput) *helmres.ReleaseArgs {
	values := a.Values()
	// IRSA gives a pod its role when the pod is created (the EKS pod identity webhook injects
	// AWS_ROLE_ARN), so pods that outlive a role replacement keep assuming the deleted one. The
	// role in a pod annotation rolls the Deployment whenever the role changes.
	pod := pulumi.StringMap{rolePodAnnotation: roleArn}
	// A switch between IRSA and Pod Identity keeps the role's ARN (role explains why), so the
	// ARN alone would not change the pod template: pods created under IRSA keep its web identity
	// variables, and once the role trusts only pods.eks.amazonaws.com they cannot renew their
	// credentials. The identity on the pod template rolls them onto the new credentials; IRSA
	// pods carry no such annotation, so IRSA stacks' templates are unchanged.
	if a.podIdentity() {
		pod[identityPodAnnotation] = pulumi.String(string(IdentityPodIdentity))
	}
	if a.GatewayAPI != "" {
		pod[gatewayAPIPodAnnotation] = pulumi.String(a.GatewayAPI)
	}
	values["podAnnotations"] = pod
	r := &helmres.ReleaseArgs{
		Name:          pulumi.String(a.releaseName()),
		Chart:         pulumi.String(a.Chart),
		Version:       pulumi.String(a.ChartVersion),
		Namespace:     pulumi.String(a.Namespace),
		Values:        values,
		Timeout:       pulumi.Int(600),
		CleanupOnFail: pulumi.Bool(true),
		MaxHistory:    pulumi.Int(5),
	}
	if a.Repository != "" {
		r.Repo = pulumi.String(a.Repository)
	}
	return r
}

// ReleaseName is the Helm release's name, and so the controller Deployment's (the chart's full
// name); the chart's selector labels carry it.
const ReleaseName = "aws-load-balancer-controller"

func (*Args) releaseName() string { return ReleaseName }

// ChartName is the chart's name, the prefix of its helm.sh/chart label.
const ChartName = "aws-load-balancer-controller"

// WebhookName names the chart's mutating and validating webhook configurations: the chart name
// without "-controller", then "-webhook" (chart templates/webhook.yaml and _helpers.tpl).
const WebhookName = "aws-load-balancer-webhook"

func (a *Args) serviceAccountAnnotations(roleArn pulumi.StringOutput) pulumi.StringMap {
	out := pulumi.StringMap{annotation.PatchForce: pulumi.String("true")}
	if !a.podIdentity() {
		out[RoleArnAnnotation] = roleArn
	}
	for k, v := range a.Annotations {
		out[k] = pulumi.String(v)
	}
	return out
}

// Values are the chart values. The chart has no schema, so a misspelt key would be silently
// ignored: TestChartValuesKeysExistInChart checks each key against the chart's values.yaml key list
// (testdata/chart-values-keys.txt, which names the version it was read from).
func (a *Args) Values() pulumi.Map {
	return pulumi.Map{
		"clusterName":  pulumi.String(a.ClusterName),
		"region":       pulumi.String(a.Region),
		"vpcId":        a.VpcID,
		"replicaCount": pulumi.Int(a.Replicas),
		"serviceAccount": pulumi.Map{
			"create": pulumi.Bool(false),
			"name":   pulumi.String(a.ServiceAccount),
		},
		"defaultSSLPolicy": pulumi.String(a.DefaultSSLPolicy),
		// Keep the webhook certificate across upgrades: re-rendering it causes perpetual diffs.
		"keepTLSSecret": pulumi.Bool(true),
		// The ALB's WAF ACL is set through the Ingress annotation; the controller must manage it.
		"enableWafv2": pulumi.Bool(true),
		// The chart's Service mutator (default on) gives every new LoadBalancer Service in the
		// cluster the controller's class, internal unless annotated (webhooks/core/service_mutator.go;
		// chart templates/webhook.yaml renders it only with this value): other stacks' and teams'
		// Services would become controller NLBs, stuck on its finalizer once it is removed. This
		// program sets the class and annotations it needs explicitly.
		"enableServiceMutatorWebhook": pulumi.Bool(false),
		// Its service webhook fails closed: keep replicas up through node drains and zone loss.
		"podDisruptionBudget":       pulumi.Map{"maxUnavailable": pulumi.Int(1)},
		"topologySpreadConstraints": zoneSpread(a.releaseName()),
		"deploymentAnnotations":     pulumi.ToStringMap(a.Annotations),
	}
}

// zoneSpread spreads the controller's pods across zones (and, by the chart's default anti-affinity,
// across nodes), matching the pods by the chart's selector labels. ScheduleAnyway: a cluster
// with one zone still schedules them.
func zoneSpread(release string) pulumi.Array {
	return pulumi.Array{pulumi.Map{
		"maxSkew":           pulumi.Int(1),
		"topologyKey":       pulumi.String("topology.kubernetes.io/zone"),
		"whenUnsatisfiable": pulumi.String("ScheduleAnyway"),
		"labelSelector": pulumi.Map{"matchLabels": pulumi.StringMap{
			"app.kubernetes.io/name":     pulumi.String("aws-load-balancer-controller"),
			"app.kubernetes.io/instance": pulumi.String(release),
		}},
	}}
}
