package stacks

import (
	"fmt"
	"regexp"
)

// ClusterConfig is the `cluster` block: the EKS cluster the API runs in, found by name, reached
// by kubeconfig, or created by this stack.
type ClusterConfig struct {
	// The EKS cluster to use (or to create).
	Name string `json:"name"`
	// Create the cluster with pulumi-eks instead of looking it up: a managed node group on Amazon
	// Linux 2023, the vpc-cni, kube-proxy and coredns add-ons.
	Create bool `json:"create"`
	// Reach an existing cluster through this kubeconfig (a file path, or the file's contents set as
	// a secret) instead of looking it up in EKS: no AWS call is made for the cluster. Not with
	// `cluster.create`. Option B then needs `cluster.vpcId` and `controller.roleArn`, which the
	// lookup would have found or made.
	Kubeconfig string `json:"kubeconfig"`
	// The kubeconfig context to use, with `cluster.kubeconfig`.
	// Default: the kubeconfig's current context.
	Context string `json:"context"`
	// New cluster only: a Kubernetes version EKS still runs (refused once past extended support; a
	// warning, and `edgectl cost` at the extended rate, once past standard support). Changing it
	// upgrades the cluster in place, one minor version at a time.
	KubernetesVersion string `json:"kubernetesVersion"`
	// New cluster only: the managed node group's EC2 instance type.
	InstanceType string `json:"instanceType"`
	// New cluster only: the nodes' AMI, `AL2023_x86_64_STANDARD`, `AL2023_ARM_64_STANDARD`,
	// `BOTTLEROCKET_x86_64` or `BOTTLEROCKET_ARM_64` (Amazon Linux 2 has no AMI for Kubernetes 1.33
	// and later).
	// Default: Amazon Linux 2023 for the instance type's architecture.
	AMIType string `json:"amiType"`
	// New cluster only: the node group's desired size, in nodes (1 ≤ minNodes ≤ desiredNodes ≤
	// maxNodes ≤ 100).
	DesiredNodes int `json:"desiredNodes"`
	// New cluster only: the node group's smallest size, in nodes.
	MinNodes int `json:"minNodes"`
	// New cluster only: the node group's largest size, in nodes.
	MaxNodes int `json:"maxNodes"`
	// The new cluster's VPC (with `cluster.publicSubnetIds`), or with `cluster.kubeconfig` the VPC
	// the cluster runs in (for the controller).
	// Default: the default VPC.
	VpcID string `json:"vpcId"`
	// New cluster only: at least two public subnets of `cluster.vpcId`, in different availability
	// zones.
	// Default: the default VPC's default subnets.
	PublicSubnetIDs []string `json:"publicSubnetIds"`
	// Option B on an existing cluster: `true` makes the stack create the cluster's IAM OIDC
	// provider (the controller's role trusts it); it belongs to the cluster (every IRSA role of it
	// trusts it), so destroy and turning this off leave it in place. `false` looks it up only (see
	// [option-b.md](option-b.md#prerequisites)).
	CreateOIDCProvider bool `json:"createOidcProvider"`
	// Whether the cluster's load balancing is EKS Auto Mode's: `true` or `false` overrides what
	// the cluster says (and is how `edgectl plan` shows either case offline). On Auto Mode, Option
	// B installs no controller, IAM policy or role: the Ingress gets an IngressClass of its own
	// (`retail-api-edge-<stack>`, controller `eks.amazonaws.com/alb`) with an IngressClassParams
	// carrying the scheme, tags, certificate and load balancer attributes; Option A's Service gets
	// the class `eks.amazonaws.com/nlb`, and `service.loadBalancer: classic` is refused. `false`
	// on an Auto Mode cluster installs the controller beside Auto Mode's. Not with
	// `cluster.create`.
	// Default: detected from the cluster (DescribeCluster's elasticLoadBalancing.enabled); false with `cluster.kubeconfig`.
	AutoMode *bool `json:"autoMode"`
}

// autoModeOn says whether the stack says the cluster runs Auto Mode's load balancing.
func (c *ClusterConfig) autoModeOn() bool { return c.AutoMode != nil && *c.AutoMode }

var (
	eksNameRe      = regexp.MustCompile(`^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$`)
	instanceTypeRe = regexp.MustCompile(`^[a-z][a-z0-9-]*\.[a-z0-9]+$`)
	vpcIDRe        = regexp.MustCompile(`^vpc-[0-9a-f]{8}([0-9a-f]{9})?$`)
	subnetIDRe     = regexp.MustCompile(`^subnet-[0-9a-f]{8}([0-9a-f]{9})?$`)
)

// maxNodes is EKS's default quota of nodes per managed node group.
const maxNodes = 100

func (c *ClusterConfig) setDefaults() {
	*c = ClusterConfig{
		Name:              "mlops-retail-cluster",
		KubernetesVersion: defaultKubernetesVersion,
		InstanceType:      "t3.medium",
		DesiredNodes:      2,
		MinNodes:          2,
		MaxNodes:          3,
	}
}

func (c *ClusterConfig) validate(_ *Config, v *validator) {
	v.check(eksNameRe.MatchString(c.Name), k("cluster.name"),
		"%q is not a valid EKS cluster name (1-100 letters, digits, - or _, starting with a letter or digit)", c.Name)
	v.check(c.Context == "" || c.Kubeconfig != "", k("cluster.context"), "needs %s", k("cluster.kubeconfig"))
	v.check(c.VpcID == "" || vpcIDRe.MatchString(c.VpcID), k("cluster.vpcId"), "%q is not a VPC ID (vpc-...)", c.VpcID)
	if !c.Create {
		v.check(c.VpcID == "" || c.Kubeconfig != "", k("cluster.vpcId"),
			"only applies with cluster.create: true or cluster.kubeconfig (a cluster found in EKS brings its own network)")
		v.check(len(c.PublicSubnetIDs) == 0, k("cluster.publicSubnetIds"),
			"only applies with cluster.create: true (an existing cluster brings its own network)")
		return
	}
	v.check(c.Kubeconfig == "", k("cluster.kubeconfig"),
		"reaches an existing cluster and cannot be combined with cluster.create: true")
	v.check(c.AutoMode == nil, k("cluster.autoMode"),
		"applies to an existing cluster: this stack creates clusters without Auto Mode (create an Auto Mode cluster outside it, "+
			"e.g. `eksctl create cluster --enable-auto-mode`, and set %s)", k("cluster.name"))
	checkKubernetesVersion(v, c.KubernetesVersion)
	v.check(instanceTypeRe.MatchString(c.InstanceType), k("cluster.instanceType"),
		"must be an EC2 instance type like t3.medium, got %q", c.InstanceType)
	if c.AMIType != "" {
		checkAMIType(v, c.AMIType, c.InstanceType)
	}
	v.check(c.MinNodes >= 1 && c.MinNodes <= c.DesiredNodes && c.DesiredNodes <= c.MaxNodes && c.MaxNodes <= maxNodes,
		k("cluster.desiredNodes"), "need 1 <= minNodes <= desiredNodes <= maxNodes <= %d, got %d <= %d <= %d",
		maxNodes, c.MinNodes, c.DesiredNodes, c.MaxNodes)
	v.check(len(c.PublicSubnetIDs) == 0 || c.VpcID != "", k("cluster.publicSubnetIds"),
		"needs cluster.vpcId (the VPC those subnets belong to)")
	v.check(c.VpcID == "" || len(c.PublicSubnetIDs) >= 2, k("cluster.publicSubnetIds"),
		"with cluster.vpcId, list at least two public subnets in different availability zones")
	for i, s := range c.PublicSubnetIDs {
		v.check(subnetIDRe.MatchString(s), fmt.Sprintf("%s[%d]", k("cluster.publicSubnetIds"), i), "%q is not a subnet ID (subnet-...)", s)
	}
}

func (*ClusterConfig) inert() []inertRule {
	return []inertRule{
		{
			keys:   []string{"cluster.kubernetesVersion", "cluster.instanceType", "cluster.amiType", "cluster.desiredNodes", "cluster.minNodes", "cluster.maxNodes"},
			active: func(c *Config) bool { return c.Cluster.Create },
			needs:  func(*Config) string { return k("cluster.create") + " true (they size a new cluster)" },
		},
		{
			keys:   []string{"cluster.createOidcProvider"},
			active: func(c *Config) bool { return c.exposure().needsOIDC() },
			needs: func(*Config) string {
				return fmt.Sprintf("%s %s or %s with %s true, %s irsa and no %s (only the IRSA role this stack makes trusts the provider)",
					k("exposure"), ExposeIngress, ExposeGateway, k("controller.install"), k("controller.identity"), k("controller.roleArn"))
			},
		},
	}
}
