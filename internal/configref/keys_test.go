package configref

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// Every key a message, an inert rule or a feature names is a key Decode reads: found by walking
// the code's string literals, so a renamed field or a typo in `k("waf.rateLimt")` fails here.
func TestKeysNamedInTheCodeAreConfigKeys(t *testing.T) {
	dirs := []string{stacksDir}
	for _, root := range []string{"../../components", "../../internal", "../../cmd"} {
		err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				dirs = append(dirs, path)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	seen := 0
	for _, dir := range dirs {
		refs, err := KeyRefs(dir, dir == stacksDir)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range refs {
			seen++
			if !Resolves(r.Key) {
				t.Errorf("%s: %q is not a config key", r.Pos, r.Key)
			}
		}
	}
	// The walk must find what it checks: the blocks' files name well over a hundred keys.
	if seen < 100 {
		t.Errorf("found only %d key references: the walk is broken", seen)
	}
}

// The matcher finds keys and only keys, and the resolver refuses what Decode would.
func TestKeyMatching(t *testing.T) {
	cases := []struct {
		text string
		bare bool
		want []string
	}{
		{"retail-api-edge:waf.rateLimit: must be between", false, []string{"waf.rateLimit"}},
		{"needs retail-api-edge:domain.name and domain.zoneName", true, []string{"domain.name", "domain.zoneName"}},
		{"needs retail-api-edge:domain.name and domain.zoneName", false, []string{"domain.name"}},
		{"app.kubernetes.io/managed-by", true, nil},
		{"service.k8s.aws/nlb", true, nil},
		{"alb.ingress.kubernetes.io/wafv2-acl-arn", true, nil},
		{"retail-api-edge.mlops.io/owner", true, nil},
		{"tags.", true, nil},
		{"alarms.enabled", true, []string{"alarms.enabled"}},
	}
	for _, c := range cases {
		if got := KeysIn(c.text, c.bare); !slices.Equal(got, c.want) {
			t.Errorf("KeysIn(%q, %v) = %q, want %q", c.text, c.bare, got, c.want)
		}
	}
	for key, want := range map[string]bool{
		"waf.rateLimit": true, "waf.rateLimt": false, "tags.owner": true, "app.selector.tier": true,
		"exposure": true, "exposure.x": false, "healthCheck.intervalSeconds": true, "health.intervalSeconds": false,
		"cluster.name.first": false,
	} {
		if got := Resolves(key); got != want {
			t.Errorf("Resolves(%q) = %v, want %v", key, got, want)
		}
	}
}
