//go:build sdkparity

// Parity with the pulumi-kubernetes helm/v3 SDK for the release (the package this program avoids
// importing: it drags in every Kubernetes API group). Run with scripts/sdkparity.
package helmres

import (
	"reflect"
	"testing"

	helmv3 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/helm/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/internal/plan"
)

func TestReleaseParityWithSDK(t *testing.T) {
	values := pulumi.Map{"clusterName": pulumi.String("c"), "serviceAccount": pulumi.Map{"create": pulumi.Bool(false)}}
	reg := func(f func(ctx *pulumi.Context) error) plan.Resource {
		p, err := plan.Run(plan.Options{Project: "p", Stack: "s"}, func(ctx *pulumi.Context) (pulumi.Map, error) { return nil, f(ctx) })
		if err != nil {
			t.Fatal(err)
		}
		return p.Find(Token)[0]
	}
	ours := reg(func(ctx *pulumi.Context) error {
		_, err := NewRelease(ctx, "rel", &ReleaseArgs{
			Name: pulumi.String("aws-load-balancer-controller"), Chart: pulumi.String("aws-load-balancer-controller"),
			Version: pulumi.String("3.5.0"), Namespace: pulumi.String("kube-system"), Repo: pulumi.String("https://aws.github.io/eks-charts"),
			Values: values, Timeout: pulumi.Int(600), CleanupOnFail: pulumi.Bool(true), MaxHistory: pulumi.Int(5),
		})
		return err
	})
	sdk := reg(func(ctx *pulumi.Context) error {
		_, err := helmv3.NewRelease(ctx, "rel", &helmv3.ReleaseArgs{
			Name: pulumi.String("aws-load-balancer-controller"), Chart: pulumi.String("aws-load-balancer-controller"),
			Version: pulumi.String("3.5.0"), Namespace: pulumi.String("kube-system"),
			RepositoryOpts: &helmv3.RepositoryOptsArgs{Repo: pulumi.String("https://aws.github.io/eks-charts")},
			Values:         values, Timeout: pulumi.Int(600), CleanupOnFail: pulumi.Bool(true), MaxHistory: pulumi.Int(5),
		})
		return err
	})
	if ours.Version != sdk.Version || !reflect.DeepEqual(plan.PlainMap(ours.Inputs), plan.PlainMap(sdk.Inputs)) {
		t.Errorf("ours:\n %s %v\nSDK:\n %s %v", ours.Version, plan.PlainMap(ours.Inputs), sdk.Version, plan.PlainMap(sdk.Inputs))
	}
}
