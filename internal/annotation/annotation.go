// Package annotation holds the formats the AWS load balancer controllers share for annotation values.
package annotation

import (
	"maps"
	"slices"
	"strings"
)

// PatchForce makes the Kubernetes provider's server-side apply take over the fields the object
// declares even when another field manager holds them: kubectl's on an adopted Service, and the
// provider's own client-side create (pulumi-kubernetes v4.32 creates that way), whose "Update"
// entry conflicts with the first apply that changes a field (found by the real-CLI scenario
// cli-prod: the second step of taking down a protected ALB failed in preview). Other stacks are
// kept off these objects by the ownership precheck, not by conflicts.
const PatchForce = "pulumi.com/patchForce"

// JoinPairs renders k1=v1,k2=v2 in key order: the format of tag and attribute annotations.
// Key order keeps the annotation stable, so an unchanged map never shows as a diff.
func JoinPairs(m map[string]string) string {
	pairs := make([]string, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		pairs = append(pairs, k+"="+m[k])
	}
	return strings.Join(pairs, ",")
}
