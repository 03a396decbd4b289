package stacks

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/components/cluster"
	"github.com/mlops-retail/retail-api-edge/components/gatewayapi"
	"github.com/mlops-retail/retail-api-edge/components/lbcontroller"
	"github.com/mlops-retail/retail-api-edge/components/podidentity"
	"github.com/mlops-retail/retail-api-edge/internal/fielderr"
)

// ControllerConfig is the `controller` block: the AWS Load Balancer Controller of Options B and C.
type ControllerConfig struct {
	// `true`: this stack owns the cluster's controller (Helm release, service account, IAM role).
	// `false`: it relies on the one another stack installed, and checks in preview that it is
	// there, from `controller.chartVersion` on, and, with `controller.identity: irsa`, that its
	// service account carries `controller.roleArn` when set (with `podIdentity` the role is in the
	// Pod Identity association, which the preview does not read).
	Install bool `json:"install"`
	// The chart's name in `controller.repository`, or a local chart directory with
	// `controller.repository: ""` (air-gapped).
	Chart string `json:"chart"`
	// The exact chart version (pinned, so upgrades are deliberate; `helm upgrade` does not update
	// CRDs).
	ChartVersion string `json:"chartVersion"`
	// The `https://` or `oci://` chart repository, or empty for a local chart.
	Repository string `json:"repository"`
	// The namespace the controller runs in.
	Namespace string `json:"namespace"`
	// The controller's service account.
	ServiceAccount string `json:"serviceAccount"`
	// The controller's replicas, 2-10 (with one, a node drain stops the webhook that admits every
	// Service of the cluster).
	Replicas int `json:"replicas"`
	// An existing IAM role for the controller's service account (a platform team's): the stack
	// then creates no policy, role or OIDC provider for it. With `controller.identity:
	// podIdentity` the role must trust `pods.eks.amazonaws.com` (`sts:AssumeRole` and
	// `sts:TagSession`), and the stack still creates the Pod Identity association for it (which
	// needs `iam:PassRole` on it), as with IRSA it still annotates the service account with it.
	RoleArn string `json:"roleArn"`
	// How the controller's pods get AWS credentials. `irsa`: IAM Roles for Service Accounts, a role
	// trusting the cluster's IAM OIDC provider (see `cluster.createOidcProvider`) and the
	// `eks.amazonaws.com/role-arn` annotation on the service account. `podIdentity`: EKS Pod
	// Identity (what the controller's install guide recommends), a role trusting
	// `pods.eks.amazonaws.com` and an EKS Pod Identity association for
	// `controller.namespace`/`controller.serviceAccount`, no OIDC provider and no annotation; it
	// needs the `eks-pod-identity-agent` add-on (see `controller.installPodIdentityAgent`). Pod
	// Identity does not serve pods on Fargate: keep `irsa` there. Switching an existing stack keeps
	// the role (updated in place) and rolls the controller's pods; see
	// [option-b.md](option-b.md#pod-identity). With `controller.install: false` it says how the
	// other stack's controller gets its role, which decides what the preview checks.
	Identity lbcontroller.Identity `json:"identity"`
	// With `controller.identity: podIdentity` on a cluster this stack does not create: `true`
	// installs the `eks-pod-identity-agent` EKS add-on (this stack then owns it: destroy removes
	// it, and with it Pod Identity for every workload of the cluster); `false` checks in preview
	// that the add-on is there, and fails with the command that installs it. With
	// `cluster.create` the cluster gets the add-on anyway.
	InstallPodIdentityAgent bool `json:"installPodIdentityAgent"`
	// The controller release whose official IAM policy is granted; this program carries only its
	// default.
	PolicyVersion string `json:"policyVersion"`
	// The TLS policy of HTTPS listeners without their own, replacing the controller's own default
	// (`ELBSecurityPolicy-2016-08`): one of AWS's ALB policies whose oldest protocol is TLS 1.2 or
	// later (judged by the table of policies and the protocols they allow in
	// `stacks/tlspolicies.go`: `ELBSecurityPolicy-TLS13-1-0-2021-06` allows TLS 1.0 and is
	// refused).
	DefaultSSLPolicy string `json:"defaultSSLPolicy"`
}

var (
	semverRe  = regexp.MustCompile(`^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$`)
	roleArnRe = regexp.MustCompile(`^arn:aws(-cn|-us-gov)?:iam::\d{12}:role/[\w+=,.@/-]{1,512}$`)
)

// supportedPolicyVersions are the controller releases whose IAM policy this program carries.
var supportedPolicyVersions = []string{lbcontroller.PolicyVersion}

func (c *ControllerConfig) setDefaults() {
	*c = ControllerConfig{
		Install:          true,
		Chart:            lbcontroller.ChartName,
		ChartVersion:     "3.5.0",
		Repository:       "https://aws.github.io/eks-charts",
		Namespace:        "kube-system",
		ServiceAccount:   "aws-load-balancer-controller",
		Replicas:         2,
		PolicyVersion:    lbcontroller.PolicyVersion,
		DefaultSSLPolicy: modernTLSPolicy,
		Identity:         lbcontroller.IdentityIRSA,
	}
}

// identities are the values of controller.identity.
var identities = []lbcontroller.Identity{lbcontroller.IdentityIRSA, lbcontroller.IdentityPodIdentity}

// podIdentity says whether this stack makes the controller's Pod Identity association.
func (c *ControllerConfig) podIdentity() bool {
	return c.Install && c.Identity == lbcontroller.IdentityPodIdentity
}

func (c *ControllerConfig) validate(_ *Config, v *validator) {
	v.check(c.Chart != "", k("controller.chart"), "must name the chart (or a local chart directory)")
	v.check(semverRe.MatchString(c.ChartVersion), k("controller.chartVersion"),
		"must be an exact chart version like 3.5.0 (pinned, so upgrades are deliberate), got %q", c.ChartVersion)
	v.check(c.Repository == "" || strings.HasPrefix(c.Repository, "https://") || strings.HasPrefix(c.Repository, "oci://"),
		k("controller.repository"), "must be an https:// or oci:// chart repository, or empty for a local chart, got %q", c.Repository)
	v.kube(k("controller.namespace"), "namespace name", c.Namespace, namespaceName)
	v.kube(k("controller.serviceAccount"), "service account name", c.ServiceAccount, objectName)
	v.check(c.RoleArn == "" || roleArnRe.MatchString(c.RoleArn), k("controller.roleArn"),
		"%q is not an IAM role ARN like arn:aws:iam::123456789012:role/name", c.RoleArn)
	v.check(c.Replicas >= 2 && c.Replicas <= 10, k("controller.replicas"),
		"must be between 2 and 10: with one, a node drain takes the controller's webhook down and every Service create in the cluster fails; got %d", c.Replicas)
	v.check(slices.Contains(supportedPolicyVersions, c.PolicyVersion), k("controller.policyVersion"),
		"must be one of %v (the IAM policies this program carries), got %q", supportedPolicyVersions, c.PolicyVersion)
	checkTLSPolicy(v, k("controller.defaultSSLPolicy"), c.DefaultSSLPolicy)
	v.check(slices.Contains(identities, c.Identity), k("controller.identity"),
		"must be one of %q (irsa: a role trusting the cluster's OIDC provider; podIdentity: EKS Pod Identity, not on Fargate), got %q",
		identities, c.Identity)
}

// controllerSettings are every setting of the block: all of them do nothing without a controller.
var controllerSettings = []string{"controller.install", "controller.chart", "controller.chartVersion", "controller.repository",
	"controller.namespace", "controller.serviceAccount", "controller.replicas", "controller.roleArn",
	"controller.policyVersion", "controller.defaultSSLPolicy", "controller.identity", "controller.installPodIdentityAgent"}

func (*ControllerConfig) inert() []inertRule {
	return []inertRule{
		{
			keys:   controllerSettings,
			active: func(c *Config) bool { return c.usesController() },
			needs:  func(*Config) string { return fmt.Sprintf("%s %s or %s", k("exposure"), ExposeIngress, ExposeGateway) },
		},
		{
			keys:   controllerSettings,
			active: func(c *Config) bool { return !c.Cluster.autoModeOn() },
			needs: func(*Config) string {
				return k("cluster.autoMode") + " false (Auto Mode's load balancing needs no controller)"
			},
		},
		{
			keys:   []string{"controller.chart", "controller.repository", "controller.replicas", "controller.policyVersion", "controller.defaultSSLPolicy"},
			active: func(c *Config) bool { return !c.usesController() || c.Controller.Install },
			needs: func(*Config) string {
				return k("controller.install") + " true (another stack's controller is used as it was installed)"
			},
		},
		{
			// With cluster.create the cluster component adds the agent itself.
			keys: []string{"controller.installPodIdentityAgent"},
			active: func(c *Config) bool {
				return !c.usesController() || (c.Controller.podIdentity() && !c.Cluster.Create)
			},
			needs: func(*Config) string {
				return fmt.Sprintf("%s true, %s %s and a cluster this stack does not create (with %s the cluster gets the add-on anyway)",
					k("controller.install"), k("controller.identity"), lbcontroller.IdentityPodIdentity, k("cluster.create"))
			},
		},
	}
}

// controller is the load balancer controller as the rest of Option B sees it: what to wait for
// (the release this stack installs; nothing when it relies on another stack's, which precheck
// found in preview) and the role it runs as.
type controller struct {
	ready   []pulumi.Resource
	roleArn pulumi.StringOutput
}

// newController installs the controller after everything in after (the Gateway API CRDs), or
// relies on another stack's.
func newController(ctx *pulumi.Context, cfg *Config, cl *cluster.Cluster, aws pulumi.ProviderResource, after []pulumi.Resource) (controller, error) {
	c := cfg.Controller
	if !c.Install {
		return controller{roleArn: pulumi.String(c.RoleArn).ToStringOutput()}, nil
	}
	roleName, policyPrefix := cfg.controllerNames()
	ctrl, err := lbcontroller.NewController(ctx, "lb-controller", &lbcontroller.Args{
		ClusterName: cfg.Cluster.Name, Region: cfg.Region, Partition: partition(cfg.Region), VpcID: cl.VpcID,
		Identity: c.Identity, PodIdentity: podIdentityArgs(cfg, cl),
		OIDCProviderArn: cl.OIDCProviderArn, OIDCIssuer: cl.OIDCIssuer, RoleArn: c.RoleArn,
		RoleName: roleName, PolicyNamePrefix: policyPrefix, PermissionsBoundary: cfg.IAM.PermissionsBoundary,
		Namespace: c.Namespace, ServiceAccount: c.ServiceAccount,
		Chart: c.Chart, ChartVersion: c.ChartVersion, Repository: c.Repository,
		Replicas: c.Replicas, DefaultSSLPolicy: c.DefaultSSLPolicy,
		Annotations: cfg.ownerMarker(), GatewayAPI: cfg.gatewayAPIRelease(), After: after,
	}, providers(aws, cl.Provider))
	if err != nil {
		return controller{}, fielderr.Name(err, controllerKeys)
	}
	return controller{ready: ctrl.Ready, roleArn: ctrl.RoleArn}, nil
}

// gatewayAPIRelease is what the controller's pods carry of the Gateway API CRDs (none without
// Option C): the release this stack installs, or "cluster" for the ones it found.
func (c *Config) gatewayAPIRelease() string {
	switch {
	case c.Exposure != ExposeGateway:
		return ""
	case c.Gateway.InstallCRDs:
		return gatewayapi.BundleVersion
	}
	return "cluster"
}

// controllerKeys name the lbcontroller.Args fields its errors may ask the user to set.
var controllerKeys = map[string]string{"Agent": k("controller.installPodIdentityAgent") + " true"}

// podIdentityArgs are what the Pod Identity association needs of the cluster: its name, the
// cluster itself when this stack creates it (the association must wait for it and the agent
// add-on it gets), and how the agent gets there.
func podIdentityArgs(cfg *Config, cl *cluster.Cluster) podidentity.Args {
	c := cfg.Controller
	a := podidentity.Args{ClusterName: cl.Name, AgentCluster: cfg.Cluster.Name, Tags: cfg.Tags}
	switch {
	case cfg.Cluster.Create:
		a.Agent, a.ClusterDependsOn = podidentity.AgentProvided, []pulumi.Resource{cl}
		if agent := cl.Addons[podidentity.AgentAddon]; agent != nil {
			a.ClusterDependsOn = append(a.ClusterDependsOn, agent)
		}
	case c.InstallPodIdentityAgent:
		a.Agent = podidentity.AgentInstall
	case cl.AutoModeDetected, checksAgentFirst(cfg, cl):
		a.Agent = podidentity.AgentProvided // EKS Auto Mode runs it, or checkPodIdentityAgent found it
	default:
		a.Agent = podidentity.AgentCheck
	}
	return a
}

// checksAgentFirst says whether the stack's preflight looks the Pod Identity Agent add-on up: an
// existing cluster without Auto Mode, whose controller this stack installs with Pod Identity and
// whose agent it does not install.
func checksAgentFirst(cfg *Config, cl *cluster.Cluster) bool {
	c := cfg.Controller
	return cfg.exposure().needsPodIdentityAgent() && c.Install && !cfg.Cluster.Create && !c.InstallPodIdentityAgent &&
		!cl.AutoModeDetected && !cl.AutoMode
}

// checkPodIdentityAgent is the preflight's add-on check, run before any resource other than the
// cluster's is registered: a refusal then leaves nothing half made.
func checkPodIdentityAgent(ctx *pulumi.Context, cfg *Config, cl *cluster.Cluster, aws pulumi.ProviderResource) error {
	if !checksAgentFirst(cfg, cl) {
		return nil
	}
	c := cfg.Controller
	err := podidentity.CheckAgent(ctx, cfg.Cluster.Name, c.Namespace, c.ServiceAccount, pulumi.Provider(aws))
	return fielderr.Name(err, controllerKeys)
}
