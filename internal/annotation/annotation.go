// Package annotation holds the formats the AWS load balancer controllers share for annotation values.
package annotation

import (
	"maps"
	"slices"
	"strings"
)

// JoinPairs renders k1=v1,k2=v2 in key order: the format of tag and attribute annotations.
// Key order keeps the annotation stable, so an unchanged map never shows as a diff.
func JoinPairs(m map[string]string) string {
	pairs := make([]string, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		pairs = append(pairs, k+"="+m[k])
	}
	return strings.Join(pairs, ",")
}
