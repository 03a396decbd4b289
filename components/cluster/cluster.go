// Package cluster gives the program its one way into Kubernetes: an existing EKS cluster found by
// name, a new one created with pulumi-eks, or a cluster reached through a user-supplied kubeconfig
// (no AWS call at all).
//
// Inputs (Args): cluster name, region, and for a new cluster its size and network, or a kubeconfig.
// Outputs: Provider (for every Kubernetes resource), AdoptProvider (for objects that may already
// exist from a manual `kubectl apply`), Name, VpcID, OIDCIssuer, OIDCProviderArn (with NeedOIDC,
// except on Auto Mode), and AutoMode, known at run time: whether EKS Auto Mode's load balancing
// serves the cluster (detected by the lookup, or as Args.AutoMode says).
// Creates: two `pulumi:providers:kubernetes`; with Create also `eks:index:Cluster` (pulumi-eks, no
// default node group), `eks:index:ManagedNodeGroup` with its `aws:iam/role:Role` and three policy
// attachments, the `vpc-cni`, `kube-proxy` and `coredns` `aws:eks/addon:Addon`s (and, with
// PodIdentityAgent, `eks-pod-identity-agent`), and one
// `aws:ec2/tag:Tag` per public subnet (`kubernetes.io/role/elb=1`, so load balancers find them;
// named `<name>-elb-<subnet>`); with CreateOIDCProvider, the cluster's IAM OIDC provider when it
// has none (kept on destroy: it belongs to the cluster).
package cluster

import (
	"errors"
	"fmt"
	"strings"

	awsprovider "github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	awseks "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-eks/sdk/v2/go/eks"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/internal/fielderr"
)

// TypeToken is the component's type, fixed for life.
const TypeToken = "retail-api-edge:cluster:Cluster"

// elbRoleTag marks the subnets where internet-facing load balancers may be placed.
const elbRoleTag = "kubernetes.io/role/elb"

// Args selects or describes the cluster.
type Args struct {
	Name   string
	Region string
	// Create makes a new cluster with pulumi-eks instead of looking one up.
	Create bool
	New    NewClusterArgs
	// NeedOIDC resolves the cluster's IAM OIDC provider, which IRSA roles trust, unless the
	// cluster's load balancing is EKS Auto Mode's (no controller of ours runs there).
	NeedOIDC bool
	// AutoMode overrides what the lookup says about EKS Auto Mode's load balancing; nil: detect it
	// (an existing cluster), or false (a new or a kubeconfig-reached one).
	AutoMode *bool
	// CheckPublicSubnets makes the lookup refuse a VPC whose public subnets an internet-facing ALB
	// cannot use (subnets.go), before anything is registered.
	CheckPublicSubnets bool
	// CreateOIDCProvider creates that provider for an existing cluster that has none.
	CreateOIDCProvider bool
	// PodIdentityAgent adds the EKS Pod Identity Agent add-on to a cluster made with Create
	// (EKS user guide, pod-id-agent-setup.adoc; the node role's AmazonEKSWorkerNodePolicy grants
	// it eks-auth:AssumeRoleForPodIdentity). Existing clusters are the caller's to check.
	PodIdentityAgent bool
	// Partition is the AWS partition of Region ("aws", "aws-cn", "aws-us-gov").
	Partition string
	// Identity is the AWS profile and role the kubeconfig of a looked-up cluster authenticates with.
	Identity Identity
	// Kubeconfig (a path or the file's contents) reaches the cluster without looking it up; Name
	// and VpcID are then taken as given, and no AWS provider is used.
	Kubeconfig string
	// Context is Kubeconfig's context to use; empty means its current context.
	Context string
	// VpcID is the cluster's VPC when Kubeconfig is set.
	VpcID string
	// Precheck, when set, runs with the kubeconfig, Context and AutoMode before either Kubernetes provider
	// may use them: its error stops the program before any Kubernetes object changes. It runs in
	// preview when the kubeconfig is known (an existing cluster); a new cluster holds nothing to check.
	Precheck func(kubeconfig, kubeContext string, autoMode bool) error
}

// NewClusterArgs sizes a cluster made with Create.
type NewClusterArgs struct {
	KubernetesVersion string
	InstanceType      string
	// AMIType is the managed node group's AMI (EKS API Nodegroup amiType), e.g. AL2023_x86_64_STANDARD.
	AMIType      string
	DesiredNodes int
	MinNodes     int
	MaxNodes     int
	// VpcID and PublicSubnetIDs default to the region's default VPC and its default subnets.
	VpcID           string
	PublicSubnetIDs []string
	Tags            map[string]string
	// NodeRoleName is the node role's exact name (empty: Pulumi names it); PermissionsBoundary is
	// the ARN of the managed policy set as its permissions boundary ("": none).
	NodeRoleName, PermissionsBoundary string
}

// Cluster is the cluster access component.
type Cluster struct {
	pulumi.ResourceState

	Provider      *kubernetes.Provider `pulumi:"-"`
	AdoptProvider *kubernetes.Provider `pulumi:"-"`
	Name          pulumi.StringOutput  `pulumi:"name"`
	VpcID         pulumi.StringOutput  `pulumi:"vpcId"`
	OIDCIssuer    pulumi.StringOutput  `pulumi:"oidcIssuer"`
	// OIDCProviderArn is set with Args.NeedOIDC.
	OIDCProviderArn pulumi.StringOutput `pulumi:"oidcProviderArn"`
	// AutoMode says whether EKS Auto Mode's load balancing serves the cluster's Ingresses and
	// LoadBalancer Services: known when the program runs (a plain lookup), so the stack can choose
	// what to register.
	AutoMode bool `pulumi:"-"`
	// AutoModeDetected is what DescribeCluster says of Auto Mode's load balancing, whatever
	// Args.AutoMode says: such a cluster also runs the EKS Pod Identity Agent itself, with no add-on.
	AutoModeDetected bool `pulumi:"-"`
	// Addons are the EKS add-ons a new cluster gets (Create). Wait for them by name, not through
	// the component: a dependency on a component covers only the children it has registered by
	// then, and the add-ons register after the node group.
	Addons map[string]pulumi.Resource `pulumi:"-"`

	// aws is the AWS provider from the component's options, which the pulumi-eks components need
	// explicitly (see awsProviderIn).
	aws *awsprovider.Provider
}

// awsProviderIn finds the AWS provider among a component's options. Custom children and invokes
// inherit it through pulumi.Parent: the SDK merges the parent's providers into theirs
// (pulumi/sdk/v3 go/pulumi/context.go at v3.274.1: registerResource and invokePackageRaw call
// mergeProviders). A remote component (pulumi-eks's Cluster and ManagedNodeGroup) does not: getOpts
// sends it only the providers in its own options, so those get it with pulumi.Providers.
func awsProviderIn(opts []pulumi.ResourceOption) (*awsprovider.Provider, error) {
	ro, err := pulumi.NewResourceOptions(opts...)
	if err != nil {
		return nil, err
	}
	for _, p := range ro.Providers { // pulumi.Provider adds to Providers too

		if aws, ok := p.(*awsprovider.Provider); ok {
			return aws, nil
		}
	}
	return nil, nil
}

func (a *Args) validate(aws *awsprovider.Provider) error {
	switch {
	case a == nil:
		return errors.New("cluster: args are required")
	case a.Name == "":
		return errors.New("cluster: Name is required")
	case a.Region == "":
		return errors.New("cluster: Region is required")
	case a.Create && a.New.DesiredNodes < 1:
		return errors.New("cluster: a new cluster needs at least one node")
	case a.Create && (a.New.KubernetesVersion == "" || a.New.InstanceType == "" || a.New.AMIType == ""):
		return errors.New("cluster: a new cluster needs KubernetesVersion, InstanceType and AMIType")
	case a.Kubeconfig != "" && (a.Create || a.NeedOIDC):
		return errors.New("cluster: Kubeconfig reaches an existing cluster; Create and NeedOIDC need EKS")
	case a.Kubeconfig == "" && aws == nil:
		return errors.New("cluster: pass the AWS provider in opts (pulumi.Provider) to look up or create the cluster")
	}
	return nil
}

// NewCluster looks up or creates the cluster and registers the Kubernetes providers for it. Pass
// the AWS provider in opts (pulumi.Provider) unless Kubeconfig is set; the children inherit it.
func NewCluster(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Cluster, error) {
	aws, err := awsProviderIn(opts)
	if err != nil {
		return nil, err
	}
	if err := args.validate(aws); err != nil {
		return nil, err
	}
	c := &Cluster{OIDCProviderArn: pulumi.String("").ToStringOutput(), aws: aws, Addons: map[string]pulumi.Resource{}}
	if err := ctx.RegisterComponentResource(TypeToken, name, c, opts...); err != nil {
		return nil, err
	}
	// The precheck runs now where the kubeconfig is known (a cluster supplied or looked up), so a
	// refusal stops the program before the caller registers anything else; a new cluster's
	// kubeconfig is known only once it exists.
	var kubeconfig pulumi.StringOutput
	switch {
	case args.Kubeconfig != "":
		kubeconfig = c.supplied(args)
		err = c.precheck(args, args.Kubeconfig)
	case args.Create:
		kubeconfig, err = c.create(ctx, name, args)
		if err == nil && args.Precheck != nil {
			kubeconfig = kubeconfig.ApplyT(func(kc string) (string, error) {
				return kc, c.precheck(args, kc)
			}).(pulumi.StringOutput)
		}
	default:
		var kc string
		if kc, err = c.lookup(ctx, name, args); err == nil {
			kubeconfig, err = pulumi.String(kc).ToStringOutput(), c.precheck(args, kc)
		}
	}
	if err != nil {
		return nil, err
	}
	if err := c.registerProviders(ctx, name, kubeconfig, args.Context); err != nil {
		return nil, err
	}
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{
		"name": c.Name, "vpcId": c.VpcID, "oidcIssuer": c.OIDCIssuer, "oidcProviderArn": c.OIDCProviderArn,
	})
}

func (c *Cluster) precheck(args *Args, kubeconfig string) error {
	if args.Precheck == nil {
		return nil
	}
	return args.Precheck(kubeconfig, args.Context, c.AutoMode)
}

// supplied takes the cluster as the user describes it. Kubeconfig contents (not a path) hold
// credentials, so they are kept secret in state and previews.
func (c *Cluster) supplied(args *Args) pulumi.StringOutput {
	c.Name = pulumi.String(args.Name).ToStringOutput()
	c.VpcID = pulumi.String(args.VpcID).ToStringOutput()
	c.OIDCIssuer = pulumi.String("").ToStringOutput()
	c.AutoMode = args.AutoMode != nil && *args.AutoMode // nothing to detect it with
	kubeconfig := pulumi.String(args.Kubeconfig).ToStringOutput()
	if InlineKubeconfig(args.Kubeconfig) {
		return pulumi.ToSecret(kubeconfig).(pulumi.StringOutput)
	}
	return kubeconfig
}

// InlineKubeconfig tells kubeconfig contents from a path. Contents span lines, or, on one line,
// are a JSON or YAML flow mapping ({...}); a path is neither.
func InlineKubeconfig(kubeconfig string) bool {
	return strings.ContainsAny(kubeconfig, "\n{") || strings.Contains(kubeconfig, "apiVersion")
}

func (c *Cluster) lookup(ctx *pulumi.Context, name string, args *Args) (string, error) {
	found, err := awseks.LookupCluster(ctx, &awseks.LookupClusterArgs{Name: args.Name}, pulumi.Parent(c))
	if err != nil {
		return "", fmt.Errorf("looking up EKS cluster %q in %s (is the name and aws:region right, "+
			"and are AWS credentials set?): %w", args.Name, args.Region, err)
	}
	issuer := oidcIssuer(found)
	c.AutoMode = autoModeLoadBalancing(found)
	c.AutoModeDetected = c.AutoMode
	if args.AutoMode != nil {
		// Both can serve one cluster, each its own IngressClass controller (the Auto Mode migration
		// runs them side by side); the user asked for it, so it is said, not refused.
		if c.AutoMode && !*args.AutoMode {
			if err := ctx.Log.Warn(fmt.Sprintf("EKS cluster %q runs Auto Mode's load balancing, which the stack's Auto Mode override (false) leaves "+
				"beside what this stack installs: two controllers in one cluster, each with its own load balancers", args.Name), &pulumi.LogArgs{Resource: c}); err != nil {
				return "", err
			}
		}
		c.AutoMode = *args.AutoMode
	}
	c.Name = pulumi.String(found.Name).ToStringOutput()
	c.VpcID = pulumi.String(found.VpcConfig.VpcId).ToStringOutput()
	c.OIDCIssuer = pulumi.String(issuer).ToStringOutput()
	if args.CheckPublicSubnets {
		if err := c.checkPublicSubnets(ctx, found.Name, found.VpcConfig.VpcId); err != nil {
			return "", err
		}
	}
	if args.NeedOIDC && !c.AutoMode {
		if c.OIDCProviderArn, err = c.existingOIDCProvider(ctx, name, args, issuer); err != nil {
			return "", err
		}
	}
	return Kubeconfig(found.Name, args.Region, found.Endpoint, certificateAuthority(found), args.Identity), nil
}

// autoModeLoadBalancing reads DescribeCluster's kubernetesNetworkConfig.elasticLoadBalancing.enabled
// (EKS API reference, ElasticLoadBalancing: "If the load balancing capability is enabled, EKS Auto
// Mode will create and delete load balancers"); Auto Mode turns it on together with
// computeConfig.enabled, which this does not need.
func autoModeLoadBalancing(c *awseks.LookupClusterResult) bool {
	for _, n := range c.KubernetesNetworkConfigs {
		for _, lb := range n.ElasticLoadBalancings {
			if lb.Enabled {
				return true
			}
		}
	}
	return false
}

// oidcIssuer returns the cluster's OIDC issuer URL, or "" if it has none.
func oidcIssuer(c *awseks.LookupClusterResult) string {
	for _, id := range c.Identities {
		for _, o := range id.Oidcs {
			if o.Issuer != "" {
				return o.Issuer
			}
		}
	}
	return ""
}

// certificateAuthority returns the base64 CA bundle, or "" if EKS returned none.
func certificateAuthority(c *awseks.LookupClusterResult) string {
	if len(c.CertificateAuthorities) == 0 {
		return ""
	}
	return c.CertificateAuthorities[0].Data
}

// existingOIDCProvider is the IAM OIDC provider of an existing cluster, owned one way only: with
// CreateOIDCProvider the stack registers it on every run; otherwise it only looks it up, and fails
// early with the fix when there is none. Looking it up and creating it only when missing would make
// the next run, which finds it, drop it from the program, and Pulumi would delete it.
//
// The provider serves every IRSA role of the cluster, not just this stack's, so the stack never
// deletes it: RetainOnDelete keeps it through `pulumi destroy` and through turning
// CreateOIDCProvider off (after which the lookup finds it). It goes with the cluster.
func (c *Cluster) existingOIDCProvider(ctx *pulumi.Context, name string, args *Args, issuer string) (pulumi.StringOutput, error) {
	if issuer == "" {
		return pulumi.StringOutput{}, fmt.Errorf("EKS cluster %q reports no OIDC issuer; IRSA needs one", args.Name)
	}
	if args.CreateOIDCProvider {
		p, err := iam.NewOpenIdConnectProvider(ctx, name+"-oidc", &iam.OpenIdConnectProviderArgs{
			Url: pulumi.String(issuer), ClientIdLists: pulumi.ToStringArray([]string{"sts.amazonaws.com"}),
		}, pulumi.Parent(c), pulumi.RetainOnDelete(true))
		if err != nil {
			return pulumi.StringOutput{}, err
		}
		return p.Arn, nil
	}
	found, err := iam.LookupOpenIdConnectProvider(ctx, &iam.LookupOpenIdConnectProviderArgs{Url: &issuer}, pulumi.Parent(c))
	if err != nil && !oidcNotFound(err) {
		return pulumi.StringOutput{}, fmt.Errorf("looking up the IAM OIDC provider of EKS cluster %q (%s) failed; the caller "+
			"needs iam:ListOpenIDConnectProviders and iam:GetOpenIDConnectProvider: %w", args.Name, issuer, err)
	}
	if err != nil {
		return pulumi.StringOutput{}, fielderr.Wrap(err, fmt.Sprintf("EKS cluster %q has no IAM OIDC provider for %s, which the "+
			"load balancer controller's role needs. Create it with `eksctl utils associate-iam-oidc-provider --cluster %s "+
			"--region %s --approve`, or set {CreateOIDCProvider} to true to let this stack own it (create it; destroy "+
			"leaves it, as it belongs to the cluster). Lookup error", args.Name, issuer, args.Name, args.Region))
	}
	return pulumi.String(found.Arn).ToStringOutput(), nil
}

// create makes a cluster that AWS accepts today: no default node group (pulumi-eks v2's uses an EC2
// launch configuration, which accounts created since 2024-10-01 cannot create, and the Amazon
// Linux 2 AMI, which EKS no longer publishes from Kubernetes 1.33), but a managed node group on
// New.AMIType with a launch template (IMDSv2 required); EKS's own VPC CNI rather than pulumi-eks's
// manifest, which is older than AL2023 supports and is applied with kubectl (nodejs/eks/cni.ts:
// the only step of pulumi-eks v2 that needs kubectl on PATH, skipped by useDefaultVpcCni); and the
// CNI, kube-proxy and CoreDNS as EKS managed add-ons, which the pods, the Services and the
// controller's ip targets need.
// oidcNotFound tells "there is no such provider" from every other failure (AccessDenied,
// throttling): pulumi-aws's lookup (terraform-provider-aws internal/service/iam/
// openid_connect_provider_data_source.go) lists the providers and, when none has the URL, fails
// with "couldn't find resource".
func oidcNotFound(err error) bool { return strings.Contains(err.Error(), "couldn't find resource") }

func (c *Cluster) create(ctx *pulumi.Context, name string, args *Args) (pulumi.StringOutput, error) {
	n := args.New
	vpcID, subnets, err := network(ctx, n, pulumi.Parent(c))
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	child := []pulumi.ResourceOption{pulumi.Parent(c)}
	var tags []pulumi.Resource
	for i, subnet := range subnets {
		// Named by the subnet; before, by position: the alias keeps existing stacks' tags.
		old := pulumi.Aliases([]pulumi.Alias{{Name: pulumi.String(fmt.Sprintf("%s-elb-subnet-%d", name, i))}})
		t, err := ec2.NewTag(ctx, name+"-elb-"+subnet, &ec2.TagArgs{
			ResourceId: pulumi.String(subnet), Key: pulumi.String(elbRoleTag), Value: pulumi.String("1"),
		}, append(child, old)...)
		if err != nil {
			return pulumi.StringOutput{}, err
		}
		tags = append(tags, t)
	}
	role, attached, err := c.nodeRole(ctx, name, args)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	cl, err := eks.NewCluster(ctx, name+"-eks", &eks.ClusterArgs{
		Name:                 pulumi.String(args.Name),
		Version:              pulumi.String(n.KubernetesVersion),
		VpcId:                pulumi.String(vpcID),
		PublicSubnetIds:      pulumi.ToStringArray(subnets),
		SkipDefaultNodeGroup: pulumi.BoolRef(true),
		UseDefaultVpcCni:     pulumi.BoolRef(true),
		// The aws-auth entry that lets the nodes join (pulumi-eks's default authentication mode).
		InstanceRoles:      iam.RoleArray{role},
		CreateOidcProvider: pulumi.Bool(true),
		ProviderCredentialOpts: &eks.KubeconfigOptionsArgs{
			ProfileName: optional(args.Identity.Profile), RoleArn: optional(args.Identity.RoleArn),
		},
		Tags: pulumi.ToStringMap(n.Tags),
	}, pulumi.Parent(c), pulumi.Providers(c.aws), pulumi.DependsOn(tags))
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	nodes, err := eks.NewManagedNodeGroup(ctx, name+"-nodes", &eks.ManagedNodeGroupArgs{
		Cluster:       cl,
		NodeRole:      role,
		AmiType:       pulumi.String(n.AMIType),
		InstanceTypes: pulumi.StringArray{pulumi.String(n.InstanceType)},
		ScalingConfig: awseks.NodeGroupScalingConfigArgs{
			DesiredSize: pulumi.Int(n.DesiredNodes), MinSize: pulumi.Int(n.MinNodes), MaxSize: pulumi.Int(n.MaxNodes),
		},
		SubnetIds: pulumi.ToStringArray(subnets),
		// pulumi-eks then makes the node group's launch template, with the metadata options set.
		EnableIMDSv2: pulumi.BoolRef(true),
		Tags:         pulumi.ToStringMap(n.Tags),
	}, pulumi.Parent(c), pulumi.Providers(c.aws), pulumi.DependsOn(attached))
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	if err := c.addons(ctx, name, args, cl, nodes); err != nil {
		return pulumi.StringOutput{}, err
	}
	c.Name = pulumi.String(args.Name).ToStringOutput()
	c.VpcID = pulumi.String(vpcID).ToStringOutput()
	// pulumi-eks made the cluster's OIDC provider (CreateOidcProvider); IAM keeps its URL without
	// the scheme.
	oidc := cl.Core.OidcProvider()
	c.OIDCIssuer = oidc.Url().ApplyT(func(url string) string {
		return "https://" + strings.TrimPrefix(url, "https://")
	}).(pulumi.StringOutput)
	if args.NeedOIDC {
		c.OIDCProviderArn = oidc.Arn()
	}
	return cl.KubeconfigJson, nil
}

// nodePolicies are the AWS managed policies an EKS node role needs (EKS user guide, "Amazon EKS
// node IAM role"): joining the cluster, the VPC CNI's ENI management, pulling images from ECR.
var nodePolicies = []string{"AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly"}

// nodeRole is the managed node group's role, with its policies attached (what the group must
// wait for).
func (c *Cluster) nodeRole(ctx *pulumi.Context, name string, args *Args) (*iam.Role, []pulumi.Resource, error) {
	child := []pulumi.ResourceOption{pulumi.Parent(c)}
	role, err := iam.NewRole(ctx, name+"-node-role", &iam.RoleArgs{
		Name: optional(args.New.NodeRoleName),
		AssumeRolePolicy: pulumi.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
			`"Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`),
		Description:         pulumi.String("Nodes of EKS cluster " + args.Name),
		PermissionsBoundary: optional(args.New.PermissionsBoundary),
	}, child...)
	if err != nil {
		return nil, nil, err
	}
	var attached []pulumi.Resource
	for _, policy := range nodePolicies {
		a, err := iam.NewRolePolicyAttachment(ctx, name+"-node-"+policy, &iam.RolePolicyAttachmentArgs{
			Role: role.Name, PolicyArn: pulumi.Sprintf("arn:%s:iam::aws:policy/%s", args.Partition, policy),
		}, child...)
		if err != nil {
			return nil, nil, err
		}
		attached = append(attached, a)
	}
	return role, attached, nil
}

// addons are the EKS managed add-ons the program relies on. EKS installed them self-managed with
// the cluster; OVERWRITE takes them over on create, PRESERVE keeps later tuning on update. CoreDNS
// runs on the nodes, so it waits for them (its add-on stays DEGRADED without).
func (c *Cluster) addons(ctx *pulumi.Context, name string, args *Args, cl *eks.Cluster, nodes *eks.ManagedNodeGroup) error {
	list := []string{"vpc-cni", "kube-proxy", "coredns"}
	if args.PodIdentityAgent {
		list = append(list, "eks-pod-identity-agent")
	}
	for _, addon := range list {
		deps := []pulumi.Resource{cl}
		if addon == "coredns" || addon == "eks-pod-identity-agent" { // DaemonSet/Deployment on the nodes
			deps = append(deps, nodes)
		}
		a, err := awseks.NewAddon(ctx, name+"-"+addon, &awseks.AddonArgs{
			ClusterName: pulumi.String(args.Name), AddonName: pulumi.String(addon),
			ResolveConflictsOnCreate: pulumi.String("OVERWRITE"), ResolveConflictsOnUpdate: pulumi.String("PRESERVE"),
			Tags: pulumi.ToStringMap(args.New.Tags),
		}, pulumi.Parent(c), pulumi.DependsOn(deps))
		if err != nil {
			return err
		}
		c.Addons[addon] = a
	}
	return nil
}

// optional is nil for "", so an unset option stays out of the inputs.
func optional(s string) pulumi.StringPtrInput {
	if s == "" {
		return nil
	}
	return pulumi.String(s)
}

// network returns the VPC and public subnets for a new cluster: configured, or the defaults.
func network(ctx *pulumi.Context, n NewClusterArgs, opts ...pulumi.InvokeOption) (string, []string, error) {
	vpcID, subnets := n.VpcID, n.PublicSubnetIDs
	if vpcID == "" {
		vpc, err := ec2.LookupVpc(ctx, &ec2.LookupVpcArgs{Default: pulumi.BoolRef(true)}, opts...)
		if err != nil {
			return "", nil, fielderr.Wrap(err, "looking up the default VPC (set {VpcID} to use another)")
		}
		vpcID = vpc.Id
	}
	if len(subnets) == 0 {
		found, err := ec2.GetSubnets(ctx, &ec2.GetSubnetsArgs{Filters: []ec2.GetSubnetsFilter{
			{Name: "vpc-id", Values: []string{vpcID}},
			{Name: "default-for-az", Values: []string{"true"}},
		}}, opts...)
		if err != nil {
			return "", nil, fielderr.Wrap(err, fmt.Sprintf("looking up the default subnets of %s (set {PublicSubnetIDs} to use others)", vpcID))
		}
		subnets = found.Ids
	}
	if len(subnets) < 2 {
		return "", nil, fielderr.New(fmt.Sprintf("VPC %s has %d public subnets; load balancers need at least two "+
			"availability zones (set {PublicSubnetIDs})", vpcID, len(subnets)))
	}
	return vpcID, subnets, nil
}

func (c *Cluster) registerProviders(ctx *pulumi.Context, name string, kubeconfig pulumi.StringOutput, kubeContext string) error {
	var context pulumi.StringPtrInput
	if kubeContext != "" {
		context = pulumi.String(kubeContext)
	}
	var err error
	c.Provider, err = kubernetes.NewProvider(ctx, name+"-k8s", &kubernetes.ProviderArgs{
		Kubeconfig: kubeconfig, Context: context,
	}, pulumi.Parent(c))
	if err != nil {
		return err
	}
	// Upsert adopts an object that already exists (a Service from `kubectl apply`) instead of
	// failing. It is kept to this second provider: on the strict one, an accidental rename would
	// create-then-delete the same object.
	c.AdoptProvider, err = kubernetes.NewProvider(ctx, name+"-k8s-adopt", &kubernetes.ProviderArgs{
		Kubeconfig:            kubeconfig,
		Context:               context,
		UpsertExistingObjects: pulumi.Bool(true),
	}, pulumi.Parent(c))
	return err
}
