package stacks_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/mlops-retail/retail-api-edge/internal/configref"
	"github.com/mlops-retail/retail-api-edge/internal/stackconfig"
	"github.com/mlops-retail/retail-api-edge/stacks"
)

// Every key a validation check names is a key Decode reads, the ones built at run time included
// (a rule's index and a suffix, routing.rules[2].redirect.query): a check names its key whether
// it passes or not, so decoding every stack file hears them all, and configref resolves each
// against the Config struct. A renamed field or a misspelt suffix fails here.
func TestCheckedKeysAreConfigKeys(t *testing.T) {
	heard := map[string]bool{}
	stacks.HearCheckedKeys(t.Cleanup, func(key string) { heard[key] = true })
	for _, stack := range plannedStacks {
		st, err := stackconfig.Load("..", stack, exampleStacks[stack])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := stacks.Decode(st.Stack, st.Config); err != nil {
			t.Fatalf("%s: %v", stack, err)
		}
	}
	prefix := stacks.K("")
	for _, key := range slices.Sorted(maps.Keys(heard)) {
		name, ours := strings.CutPrefix(key, prefix)
		if !ours {
			continue // aws:..., pulumi-aws's own settings (stacks/providers.go checks those by name)
		}
		if !configref.Resolves(name) {
			t.Errorf("a check names %s, which is not a configuration key", key)
		}
	}
	for _, want := range []string{"routing.rules[3].redirect.query", "routing.rules[0].backends[1].weight", "waf.rateLimit"} {
		if !heard[prefix+want] {
			t.Errorf("no check named %s%s: the test no longer hears the checks", prefix, want)
		}
	}
}
