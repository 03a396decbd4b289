// Package eksres creates an EKS cluster through the pulumi-eks component (`eks:index:Cluster`),
// registered by its type token instead of importing the pulumi-eks Go SDK, whose types pull in
// pulumi-aws `ec2`, `eks`, `iam`, `autoscaling` and `cloudformation` (about a minute of compiling
// and 3.3 GB of memory) for a handful of inputs and one output. The component itself still runs
// in the pulumi-eks plugin, exactly as with the SDK.
package eksres

import (
	"reflect"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Version is the pulumi-eks plugin version (the SDK module pinned in go.mod's tools).
const Version = "2.8.1"

// Token is the pulumi-eks cluster component's type token.
const Token = "eks:index:Cluster"

// Cluster is the subset of the pulumi-eks Cluster outputs this program reads.
type Cluster struct {
	pulumi.ResourceState

	// KubeconfigJSON is an exec-based kubeconfig (aws eks get-token) for the new cluster.
	KubeconfigJSON pulumi.StringOutput `pulumi:"kubeconfigJson"`
}

// ClusterArgs holds the pulumi-eks inputs this program sets.
type ClusterArgs struct {
	Name               pulumi.StringInput
	Version            pulumi.StringInput
	InstanceType       pulumi.StringInput
	DesiredCapacity    pulumi.IntInput
	MinSize            pulumi.IntInput
	MaxSize            pulumi.IntInput
	VpcID              pulumi.StringInput
	PublicSubnetIDs    pulumi.StringArrayInput
	CreateOidcProvider pulumi.BoolInput
	Tags               pulumi.StringMapInput
}

type clusterArgs struct {
	Name               *string           `pulumi:"name"`
	Version            *string           `pulumi:"version"`
	InstanceType       *string           `pulumi:"instanceType"`
	DesiredCapacity    *int              `pulumi:"desiredCapacity"`
	MinSize            *int              `pulumi:"minSize"`
	MaxSize            *int              `pulumi:"maxSize"`
	VpcID              *string           `pulumi:"vpcId"`
	PublicSubnetIDs    []string          `pulumi:"publicSubnetIds"`
	CreateOidcProvider *bool             `pulumi:"createOidcProvider"`
	Tags               map[string]string `pulumi:"tags"`
}

// ElementType maps ClusterArgs onto the component's property names.
func (ClusterArgs) ElementType() reflect.Type { return reflect.TypeOf((*clusterArgs)(nil)).Elem() }

// NewCluster registers the pulumi-eks cluster component.
func NewCluster(ctx *pulumi.Context, name string, args *ClusterArgs, opts ...pulumi.ResourceOption) (*Cluster, error) {
	var c Cluster
	opts = append([]pulumi.ResourceOption{pulumi.Version(Version)}, opts...)
	err := ctx.RegisterRemoteComponentResource(Token, name, args, &c, opts...)
	return &c, err
}
