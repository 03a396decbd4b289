package eksres

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/internal/plan"
)

// TestClusterRegistration pins the component token, plugin version and property names that the
// pulumi-eks SDK would send.
func TestClusterRegistration(t *testing.T) {
	var c *Cluster
	p, err := plan.Run(plan.Options{Project: "p", Stack: "s"}, func(ctx *pulumi.Context) (pulumi.Map, error) {
		var err error
		c, err = NewCluster(ctx, "eks", &ClusterArgs{
			Name: pulumi.String("demo"), Version: pulumi.String("1.33"), InstanceType: pulumi.String("t3.medium"),
			DesiredCapacity: pulumi.Int(2), MinSize: pulumi.Int(1), MaxSize: pulumi.Int(3),
			VpcID: pulumi.String("vpc-1"), PublicSubnetIDs: pulumi.ToStringArray([]string{"subnet-1", "subnet-2"}),
			CreateOidcProvider: pulumi.Bool(true), Tags: pulumi.StringMap{"a": pulumi.String("b")},
		})
		if err != nil {
			return nil, err
		}
		return pulumi.Map{"kubeconfig": c.KubeconfigJSON}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	r := p.Find(Token)
	if len(r) != 1 || r[0].Custom || r[0].Version != Version {
		t.Fatalf("want one remote component %s at %s, got %+v", Token, Version, r)
	}
	for prop, want := range map[string]any{
		"name": "demo", "version": "1.33", "instanceType": "t3.medium", "desiredCapacity": float64(2),
		"minSize": float64(1), "maxSize": float64(3), "vpcId": "vpc-1", "createOidcProvider": true,
	} {
		if got := r[0].Value(prop); got != want {
			t.Errorf("%s = %v, want %v", prop, got, want)
		}
	}
	if r[0].Value("tags", "a") != "b" || len(r[0].Value("publicSubnetIds").([]any)) != 2 {
		t.Errorf("tags or subnets missing: %v", r[0].Inputs)
	}
	if p.Outputs["kubeconfig"].Value == "" {
		t.Error("kubeconfigJson output not read back")
	}
}
