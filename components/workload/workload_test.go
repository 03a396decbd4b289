package workload

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/internal/plantest"
)

func TestWorkload(t *testing.T) {
	p, err := plantest.RunWithKubernetes(func(ctx *pulumi.Context, k8s pulumi.ProviderResource) (pulumi.Map, error) {
		_, err := NewWorkload(ctx, "retail-api", &Args{
			Namespace: "mlops", Name: "retail-api", Labels: map[string]string{"app": "retail-api"},
			Image: "example.com/retail-api:1.0", Replicas: 3, Port: 8000, HealthPath: "/health",
		}, pulumi.Provider(k8s))
		return nil, err
	})
	if err != nil {
		t.Fatal(err)
	}
	comp := p.Find(TypeToken)[0]
	dep := p.Find("kubernetes:apps/v1:Deployment")[0]
	pdb := p.Find("kubernetes:policy/v1:PodDisruptionBudget")[0]
	pod := dep.Value("spec", "template", "spec").(map[string]any)
	c := pod["containers"].([]any)[0].(map[string]any)
	spread := pod["topologySpreadConstraints"].([]any)[0].(map[string]any)
	get := func(m map[string]any, path ...string) any {
		var v any = m
		for _, k := range path {
			v = v.(map[string]any)[k]
		}
		return v
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"deployment parent", dep.Parent, comp.URN},
		{"pdb parent", pdb.Parent, comp.URN},
		{"deployment child name", dep.Name, "retail-api-deployment"},
		{"replicas", dep.Value("spec", "replicas"), float64(3)},
		{"selector", dep.Value("spec", "selector", "matchLabels", "app"), "retail-api"},
		{"pod labels", dep.Value("spec", "template", "metadata", "labels", "app"), "retail-api"},
		{"no downtime on rollout", dep.Value("spec", "strategy", "rollingUpdate", "maxUnavailable"), float64(0)},
		{"image", c["image"], "example.com/retail-api:1.0"},
		{"container port", get(c, "ports").([]any)[0].(map[string]any)["containerPort"], float64(8000)},
		{"readiness probe path", get(c, "readinessProbe", "httpGet", "path"), "/health"},
		{"liveness probe path", get(c, "livenessProbe", "httpGet", "path"), "/health"},
		{"spread across zones", spread["topologyKey"], zoneKey},
		{"pdb keeps one", pdb.Value("spec", "minAvailable"), float64(1)},
		{"pdb selector", pdb.Value("spec", "selector", "matchLabels", "app"), "retail-api"},
		// Adopting a kubectl-made Deployment: server-side apply takes the fields kubectl's manager holds.
		{"deployment takes over kubectl's fields", dep.Value("metadata", "annotations", "pulumi.com/patchForce"), "true"},
		{"pdb takes over kubectl's fields", pdb.Value("metadata", "annotations", "pulumi.com/patchForce"), "true"},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s: got %v, want %v", ch.name, ch.got, ch.want)
		}
	}
}

func TestTooFewReplicas(t *testing.T) {
	_, err := plantest.Run(func(ctx *pulumi.Context) (pulumi.Map, error) {
		_, err := NewWorkload(ctx, "w", &Args{Namespace: "n", Name: "w", Labels: map[string]string{"a": "b"}, Image: "i", Replicas: 1})
		return nil, err
	})
	if err == nil {
		t.Fatal("one replica must be refused: it is not highly available")
	}
}
