package stacks

import (
	"encoding/json"
	"strings"
	"testing"
)

// Every key an inert rule names is a key Decode reads, and setting it to its default is allowed.
func TestInertKeysAreConfigKeys(t *testing.T) {
	defaults := Defaults()
	defaults.Stack = "s"
	defaults.complete()
	for _, rule := range inertRules() {
		for _, key := range rule.keys {
			block, field, _ := strings.Cut(key, ".")
			value := setting(&defaults, key).Interface() // panics on a key Config lacks
			raw := With(K(block), mustJSON(t, map[string]any{field: value}))
			if _, err := Decode("s", raw); err != nil {
				t.Errorf("%s at its default %v: %v", key, value, err)
			}
		}
	}
}

// A stack file may spell out defaults and still switch exposure with one setting.
func TestSwitchingExposureKeepsDefaultsSpelledOut(t *testing.T) {
	raw := With(K("exposure"), "ingress", K("service"), `{"loadBalancer": "nlb"}`, K("alarms"), `{"unhealthyMinutes": 3}`)
	if _, err := Decode("s", raw); err != nil {
		t.Fatal(err)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
