package helmres

import (
	"os"
	"reflect"
	"regexp"
	"testing"

	helmv3 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/helm/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"golang.org/x/mod/modfile"

	"github.com/mlops-retail/retail-api-edge/internal/plan"
	"github.com/mlops-retail/retail-api-edge/internal/plantest"

	"github.com/mlops-retail/retail-api-edge/internal/typetoken"
)

// TestReleaseMatchesTheSDK registers the release both ways under mocks and compares what the
// engine receives: token, custom flag, plugin version and every input. This test binary is the
// one place that compiles helm/v3 (minutes, gigabytes), so the program never has to.
func TestReleaseMatchesTheSDK(t *testing.T) {
	values := pulumi.Map{"clusterName": pulumi.String("c"), "serviceAccount": pulumi.Map{"create": pulumi.Bool(false)}}
	cases := []struct {
		name string
		repo string // "" is a local chart directory
	}{{"chart repository", "https://aws.github.io/eks-charts"}, {"local chart", ""}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ours := registration(t, func(ctx *pulumi.Context, k8s pulumi.ResourceOption) error {
				args := &ReleaseArgs{
					Name: pulumi.String("aws-load-balancer-controller"), Chart: pulumi.String("aws-load-balancer-controller"),
					Version: pulumi.String("3.5.0"), Namespace: pulumi.String("kube-system"),
					Values: values, Timeout: pulumi.Int(600), CleanupOnFail: pulumi.Bool(true), MaxHistory: pulumi.Int(5),
				}
				if c.repo != "" {
					args.Repo = pulumi.String(c.repo)
				}
				_, err := NewRelease(ctx, "rel", args, k8s)
				return err
			})
			sdk := registration(t, func(ctx *pulumi.Context, k8s pulumi.ResourceOption) error {
				args := &helmv3.ReleaseArgs{
					Name: pulumi.String("aws-load-balancer-controller"), Chart: pulumi.String("aws-load-balancer-controller"),
					Version: pulumi.String("3.5.0"), Namespace: pulumi.String("kube-system"),
					Values: values, Timeout: pulumi.Int(600), CleanupOnFail: pulumi.Bool(true), MaxHistory: pulumi.Int(5),
				}
				if c.repo != "" {
					args.RepositoryOpts = &helmv3.RepositoryOptsArgs{Repo: pulumi.String(c.repo)}
				}
				_, err := helmv3.NewRelease(ctx, "rel", args, k8s)
				return err
			})
			if ours.Type != sdk.Type || ours.Custom != sdk.Custom || ours.Version != sdk.Version ||
				!reflect.DeepEqual(plan.PlainMap(ours.Inputs), plan.PlainMap(sdk.Inputs)) {
				t.Errorf("got (ours):\n %s custom=%v plugin %s %v\nwant (helm/v3 SDK):\n %s custom=%v plugin %s %v",
					ours.Type, ours.Custom, ours.Version, plan.PlainMap(ours.Inputs),
					sdk.Type, sdk.Custom, sdk.Version, plan.PlainMap(sdk.Inputs))
			}
		})
	}
}

func registration(t *testing.T, f func(ctx *pulumi.Context, k8s pulumi.ResourceOption) error) plan.Resource {
	t.Helper()
	p, err := plantest.RunWithKubernetes(func(ctx *pulumi.Context, k8s pulumi.ProviderResource) (pulumi.Map, error) {
		return nil, f(ctx, pulumi.Provider(k8s))
	})
	if err != nil {
		t.Fatal(err)
	}
	if rs := p.Find(typetoken.HelmRelease); len(rs) == 1 {
		return rs[0]
	}
	t.Fatalf("want one %s, got %v", typetoken.HelmRelease, p.Resources)
	return plan.Resource{}
}

// TestPluginVersionsMatchGoMod ties every plugin version named outside Go's module graph to
// go.mod: the release's (sent by the SDK's defaults) and the Kubernetes provider the integration
// tools build, which must report the version the program asks for.
func TestPluginVersionsMatchGoMod(t *testing.T) {
	want := "v" + registration(t, func(ctx *pulumi.Context, k8s pulumi.ResourceOption) error {
		_, err := NewRelease(ctx, "rel", &ReleaseArgs{Chart: pulumi.String("c")}, k8s)
		return err
	}).Version
	if got := requiredVersion(t, "github.com/pulumi/pulumi-kubernetes/sdk/v4"); got != want {
		t.Errorf("the release asks for plugin %s, go.mod requires pulumi-kubernetes %s", want, got)
	}
	for file, pattern := range map[string]string{
		"../../scripts/integration/build-tools":    `(?m)^K8S_PLUGIN_VERSION=(\S+)$`,
		"../../test/integration/harness/engine.go": `KubernetesPluginVersion = "(\S+)"`,
	} {
		text, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if m := regexp.MustCompile(pattern).FindSubmatch(text); m == nil || "v"+string(m[1]) != want {
			t.Errorf("%s: got %q, want the plugin version %s", file, m, want[1:])
		}
	}
}

func requiredVersion(t *testing.T, module string) string {
	t.Helper()
	data, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	f, err := modfile.ParseLax("go.mod", data, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range f.Require {
		if r.Mod.Path == module {
			return r.Mod.Version
		}
	}
	t.Fatalf("go.mod requires no %s", module)
	return ""
}
