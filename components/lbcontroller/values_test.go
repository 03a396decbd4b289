package lbcontroller

import (
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// The AWS Load Balancer Controller chart has no values schema (no values.schema.json), so Helm
// silently ignores a value key that is misspelt or that the chart no longer has. These tests
// hold every key path the program gives the chart against chartValuesKeysFile, the key paths of
// the chart's values.yaml (repository, path, commit and chart version in its header).
const chartValuesKeysFile = "testdata/chart-values-keys.txt"

// chartKeys are the key paths of the chart's values.yaml: leaves are the listed paths (scalars,
// lists and free-form maps), parents every proper prefix of one (maps with fixed keys).
type chartKeys struct {
	leaves, parents map[string]bool
}

func loadChartKeys(t *testing.T) chartKeys {
	t.Helper()
	b, err := os.ReadFile(chartValuesKeysFile)
	if err != nil {
		t.Fatal(err)
	}
	k := chartKeys{leaves: map[string]bool{}, parents: map[string]bool{}}
	var listed []string
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		listed = append(listed, line)
		k.leaves[line] = true
		parts := strings.Split(line, ".")
		for i := 1; i < len(parts); i++ {
			k.parents[strings.Join(parts[:i], ".")] = true
		}
	}
	if !slices.IsSorted(listed) || len(slices.Compact(slices.Clone(listed))) != len(listed) {
		t.Errorf("%s: key paths must be sorted and unique", chartValuesKeysFile)
	}
	for p := range k.parents {
		if k.leaves[p] {
			t.Errorf("%s: %q is listed as a key and is also the parent of other keys", chartValuesKeysFile, p)
		}
	}
	return k
}

// walk returns the key paths values sets, descending into a map only where the chart's
// values.yaml has fixed keys beneath it; problems are the keys the chart does not have.
func (k chartKeys) walk(prefix string, values map[string]any) (paths, problems []string) {
	names := make([]string, 0, len(values))
	for name := range values {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		path := name
		if prefix != "" {
			path = prefix + "." + name
		}
		paths = append(paths, path)
		switch {
		case k.leaves[path]:
		case k.parents[path]:
			sub, ok := asMap(values[name])
			if !ok {
				problems = append(problems, fmt.Sprintf("%s: a map of fixed keys in the chart's values.yaml, set here to a %T",
					path, values[name]))
				continue
			}
			p, q := k.walk(path, sub)
			paths, problems = append(paths, p...), append(problems, q...)
		default:
			problems = append(problems, path+": not a key of the chart's values.yaml")
		}
	}
	return paths, problems
}

func asMap(v any) (map[string]any, bool) {
	switch m := v.(type) {
	case pulumi.Map:
		out := map[string]any{}
		for k, v := range m {
			out[k] = v
		}
		return out, true
	case pulumi.StringMap:
		out := map[string]any{}
		for k, v := range m {
			out[k] = v
		}
		return out, true
	case map[string]any:
		return m, true
	}
	return nil, false
}

func TestChartValuesKeysListIsTheChart(t *testing.T) {
	k := loadChartKeys(t)
	if len(k.leaves) < 100 {
		t.Errorf("%s lists %d key paths; the chart's values.yaml has well over 100", chartValuesKeysFile, len(k.leaves))
	}
	for _, want := range []string{"clusterName", "serviceAccount.name", "serviceAccount.create",
		"enableServiceMutatorWebhook", "keepTLSSecret", "podDisruptionBudget", "topologySpreadConstraints"} {
		if !k.leaves[want] {
			t.Errorf("%s lacks %q", chartValuesKeysFile, want)
		}
	}
	if !k.parents["serviceAccount"] {
		t.Errorf("%s: serviceAccount should be a map of fixed keys", chartValuesKeysFile)
	}
}

// Every key path the program sets, in every configuration of the controller's release, is one
// the chart's values.yaml has.
func TestChartValuesKeysExistInChart(t *testing.T) {
	k := loadChartKeys(t)
	cases := map[string]func(*Args){
		"irsa": nil,
		"pod identity, gateway api, annotations": func(a *Args) {
			a.Identity = IdentityPodIdentity
			a.GatewayAPI = "v1.6.0"
			a.Annotations = map[string]string{"retail-api-edge.mlops.io/stack": "prod"}
		},
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			a := testArgs()
			if mutate != nil {
				mutate(a)
			}
			fromValues, _ := asMap(a.Values())
			releaseValues := a.releaseArgs(pulumi.String("arn:aws:iam::123456789012:role/r").ToStringOutput()).Values
			release, ok := releaseValues.(pulumi.Map)
			if !ok {
				t.Fatalf("release values are a %T, want pulumi.Map", releaseValues)
			}
			fromRelease, _ := asMap(release)
			for _, set := range []struct {
				what   string
				values map[string]any
			}{{"Values()", fromValues}, {"releaseArgs values", fromRelease}} {
				paths, problems := k.walk("", set.values)
				for _, p := range problems {
					t.Errorf("%s: chart value %s (key list: %s)", set.what, p, chartValuesKeysFile)
				}
				// Not vacuous: the walk saw the program's keys, nested ones included.
				for _, want := range []string{"clusterName", "serviceAccount.name", "enableServiceMutatorWebhook"} {
					if !slices.Contains(paths, want) {
						t.Errorf("%s: walk did not reach %q (got %v)", set.what, want, paths)
					}
				}
			}
			if _, ok := fromRelease["podAnnotations"]; !ok {
				t.Error("releaseArgs values lack podAnnotations: the walk would not check it")
			}
		})
	}
}

// The check catches a misspelt key at the top and beneath a map of fixed keys, and a map set
// where the chart has a scalar's parent, while free-form maps (annotations, the PDB) pass.
func TestChartValuesKeysCatchMisspellings(t *testing.T) {
	k := loadChartKeys(t)
	for name, tc := range map[string]struct {
		values pulumi.Map
		want   string
	}{
		"top level":        {pulumi.Map{"clusterNmae": pulumi.String("c")}, "clusterNmae: not a key"},
		"nested":           {pulumi.Map{"serviceAccount": pulumi.Map{"naem": pulumi.String("sa")}}, "serviceAccount.naem: not a key"},
		"case":             {pulumi.Map{"enableWAFv2": pulumi.Bool(true)}, "enableWAFv2: not a key"},
		"scalar for a map": {pulumi.Map{"serviceAccount": pulumi.String("sa")}, "serviceAccount: a map of fixed keys"},
		"free-form ok": {pulumi.Map{
			"podDisruptionBudget":   pulumi.Map{"maxUnavailable": pulumi.Int(1)},
			"deploymentAnnotations": pulumi.StringMap{"any/key": pulumi.String("v")},
		}, ""},
	} {
		values, _ := asMap(tc.values)
		_, problems := k.walk("", values)
		got := strings.Join(problems, "; ")
		if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
			t.Errorf("%s: problems %q, want one containing %q", name, got, tc.want)
		}
	}
}
