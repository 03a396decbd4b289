package stacks

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/mlops-retail/retail-api-edge/internal/jsonkey"
)

// inertRule names settings that do nothing unless another setting is on. A stack that sets one
// of them to anything but its default, in a combination where it does nothing, is refused, naming
// what would give it an effect: the user believes it does something. A value equal to the default
// asks for nothing, so a stack file may spell out defaults (Pulumi.demo.yaml's
// service.loadBalancer: nlb) and still switch exposure with one `pulumi config set`. Each block
// declares its own rules (inertBlock).
type inertRule struct {
	keys   []string
	active func(*Config) bool
	needs  func(*Config) string // what gives the keys an effect
}

// inertRules are every block's rules, in Config's block order.
func inertRules() []inertRule {
	var rules []inertRule
	for _, b := range new(Config).blocks() {
		if ib, ok := b.value.(inertBlock); ok {
			rules = append(rules, ib.inert()...)
		}
	}
	return rules
}

// validateInert refuses every inert setting the stack changed from its default.
func (c *Config) validateInert(v *validator) {
	defaults := Defaults()
	defaults.Stack = c.Stack
	defaults.complete()
	reported := map[string]bool{}
	for _, rule := range inertRules() {
		if rule.active(c) {
			continue
		}
		for _, key := range rule.keys {
			if !c.set[key] || reported[key] || sameSetting(c, &defaults, key) {
				continue
			}
			reported[key] = true
			v.check(false, k(key), "has no effect without %s; set that, or remove this setting", rule.needs(c))
		}
	}
}

// sameSetting says whether a and b hold the same value at a "block.field" key.
func sameSetting(a, b *Config, key string) bool {
	return reflect.DeepEqual(setting(a, key).Interface(), setting(b, key).Interface())
}

// setting is the field at a "block.field" key, found by the JSON names Decode uses.
func setting(c *Config, key string) reflect.Value {
	v := reflect.ValueOf(c).Elem()
	for part := range strings.SplitSeq(key, ".") {
		v = fieldByJSONName(v, part)
	}
	return v
}

func fieldByJSONName(v reflect.Value, name string) reflect.Value {
	f, ok := jsonkey.Field(v.Type(), name)
	if !ok {
		panic(fmt.Sprintf("stacks: %s has no field %q", v.Type(), name)) // an inert rule names a key Config lacks
	}
	return v.FieldByIndex(f.Index)
}
