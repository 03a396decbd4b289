package helmres

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/internal/plan"
)

// TestReleaseRegistration pins what the pulumi-kubernetes provider receives: the token, the
// plugin version and the property names its helm/v3 SDK would send.
func TestReleaseRegistration(t *testing.T) {
	p, err := plan.Run(plan.Options{Project: "p", Stack: "s"}, func(ctx *pulumi.Context) (pulumi.Map, error) {
		_, err := NewRelease(ctx, "rel", &ReleaseArgs{
			Name: pulumi.String("n"), Chart: pulumi.String("c"), Version: pulumi.String("1.2.3"),
			Namespace: pulumi.String("ns"), Repo: pulumi.String("https://charts.example"),
			Values:  pulumi.Map{"a": pulumi.Map{"b": pulumi.Int(1)}},
			Timeout: pulumi.Int(60), CleanupOnFail: pulumi.Bool(true), MaxHistory: pulumi.Int(3),
		})
		return nil, err
	})
	if err != nil {
		t.Fatal(err)
	}
	rs := p.Find(Token)
	if len(rs) != 1 || !rs[0].Custom || rs[0].Version != Version {
		t.Fatalf("want one custom %s at plugin %s, got %+v", Token, Version, rs)
	}
	r := rs[0]
	for _, c := range []struct {
		path []string
		want any
	}{
		{[]string{"name"}, "n"}, {[]string{"chart"}, "c"}, {[]string{"version"}, "1.2.3"},
		{[]string{"namespace"}, "ns"}, {[]string{"repositoryOpts", "repo"}, "https://charts.example"},
		{[]string{"values", "a", "b"}, float64(1)}, {[]string{"timeout"}, float64(60)},
		{[]string{"cleanupOnFail"}, true}, {[]string{"maxHistory"}, float64(3)}, {[]string{"compat"}, "true"},
	} {
		if got := r.Value(c.path...); got != c.want {
			t.Errorf("%v = %v, want %v", c.path, got, c.want)
		}
	}
}
