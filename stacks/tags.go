package stacks

import (
	"maps"
	"regexp"
	"slices"
	"strings"
)

// Tags is the `tags` block: tags added to (and overriding) the default tags of every AWS resource
// and load balancer; at most 47 in all (the controllers add 3 of AWS's 50), AWS's tag characters
// only, and no `,`, `=` or edge spaces (the controllers read tags as `k1=v1,k2=v2`).
type Tags map[string]string

// tagCharsRe is what AWS allows in tag keys and values.
var tagCharsRe = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)

const (
	maxAWSTags = 50
	// controllerTags are the tags the load balancer controllers add to what they create
	// (elbv2.k8s.aws/cluster, ingress.k8s.aws/stack, ingress.k8s.aws/resource): AWS's 50 include them.
	controllerTags = 3
)

// defaultTags go on every AWS resource; `tags` entries are added to them, and may override.
func defaultTags(stack string) Tags {
	return Tags{"project": Project, "stack": stack, "managed-by": "pulumi"}
}

func (*Tags) setDefaults() {}

// complete puts the stack's tags over the default ones.
func (t *Tags) complete(c *Config) {
	all := defaultTags(c.Stack)
	maps.Copy(all, *t)
	*t = all
}

func (t *Tags) validate(_ *Config, v *validator) {
	tags := *t
	v.check(len(tags) <= maxAWSTags-controllerTags, k("tags"),
		"AWS allows %d tags per load balancer and the controllers add %d of their own, so at most %d (the defaults included), got %d",
		maxAWSTags, controllerTags, maxAWSTags-controllerTags, len(tags))
	for _, key := range slices.Sorted(maps.Keys(tags)) {
		val, at := tags[key], k("tags")+"."+key
		v.check(key != "" && len(key) <= 128 && !strings.HasPrefix(strings.ToLower(key), "aws:"), at,
			"tag keys must be 1-128 characters and must not start with aws:")
		v.check(len(val) <= 256, at, "tag values must be at most 256 characters")
		v.check(tagCharsRe.MatchString(key) && tagCharsRe.MatchString(val), at,
			"AWS tags allow letters, digits, spaces and _ . : / = + - @ only")
		// The controllers read tags from one annotation, "k1=v1,k2=v2", split on , and = and trimmed.
		v.check(!strings.ContainsAny(key+val, ",=") && strings.TrimSpace(key) == key && strings.TrimSpace(val) == val, at,
			"cannot contain , or = or start or end with a space: the load balancer controllers read tags as k1=v1,k2=v2")
	}
}
