package stacks

// The tests of this package are mostly in package stacks_test, so that they plan through
// internal/stackplan (which imports this package), as edgectl does; these are what they need of
// its internals.

// K is k: the full key of a setting.
var K = k

// Base is the smallest valid configuration.
func Base() map[string]string { return map[string]string{RegionKey: "us-east-1"} }

// With is Base with the given keys and values.
func With(kv ...string) map[string]string {
	raw := Base()
	for i := 0; i+1 < len(kv); i += 2 {
		raw[kv[i]] = kv[i+1]
	}
	return raw
}

// Internals the external tests check.
var (
	ClusterKeys = clusterKeys
	TaggedTypes = taggedTypes
)

// SecretsOf is the strings of raw that the secret keys hold.
func SecretsOf(raw map[string]string, secretKeys []string) []string {
	return secretsOf(raw, secretKeys)
}

// HearCheckedKeys makes every validation check report the key it names, until the test ends.
func HearCheckedKeys(cleanup func(func()), hear func(key string)) {
	checkedKey = hear
	cleanup(func() { checkedKey = nil })
}
