//go:build sdkparity

// Parity with the pulumi-eks Go SDK for the cluster component. Run with scripts/sdkparity.
package eksres

import (
	"reflect"
	"testing"

	"github.com/pulumi/pulumi-eks/sdk/v2/go/eks"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/internal/plan"
)

func TestClusterParityWithSDK(t *testing.T) {
	reg := func(f func(ctx *pulumi.Context) error) plan.Resource {
		p, err := plan.Run(plan.Options{Project: "p", Stack: "s"}, func(ctx *pulumi.Context) (pulumi.Map, error) { return nil, f(ctx) })
		if err != nil {
			t.Fatal(err)
		}
		return p.Find(Token)[0]
	}
	subnets := []string{"subnet-1", "subnet-2"}
	ours := reg(func(ctx *pulumi.Context) error {
		_, err := NewCluster(ctx, "eks", &ClusterArgs{
			Name: pulumi.String("demo"), Version: pulumi.String("1.33"), InstanceType: pulumi.String("t3.medium"),
			DesiredCapacity: pulumi.Int(2), MinSize: pulumi.Int(2), MaxSize: pulumi.Int(3), VpcID: pulumi.String("vpc-1"),
			PublicSubnetIDs: pulumi.ToStringArray(subnets), CreateOidcProvider: pulumi.Bool(true), Tags: pulumi.StringMap{"a": pulumi.String("b")},
		})
		return err
	})
	sdk := reg(func(ctx *pulumi.Context) error {
		_, err := eks.NewCluster(ctx, "eks", &eks.ClusterArgs{
			Name: pulumi.String("demo"), Version: pulumi.String("1.33"), InstanceType: pulumi.String("t3.medium"),
			DesiredCapacity: pulumi.Int(2), MinSize: pulumi.Int(2), MaxSize: pulumi.Int(3), VpcId: pulumi.String("vpc-1"),
			PublicSubnetIds: pulumi.ToStringArray(subnets), CreateOidcProvider: pulumi.Bool(true), Tags: pulumi.StringMap{"a": pulumi.String("b")},
		})
		return err
	})
	if ours.Version != sdk.Version || !reflect.DeepEqual(plan.PlainMap(ours.Inputs), plan.PlainMap(sdk.Inputs)) {
		t.Errorf("ours:\n %s %v\nSDK:\n %s %v", ours.Version, plan.PlainMap(ours.Inputs), sdk.Version, plan.PlainMap(sdk.Inputs))
	}
}
