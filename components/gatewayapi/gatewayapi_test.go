package gatewayapi

import (
	"slices"
	"strings"
	"testing"
)

// The embedded file is what `go generate` wrote from the pinned release: decodable, every CRD of
// the standard channel at BundleVersion, in the Gateway API group, and in name order.
func TestEmbeddedCRDs(t *testing.T) {
	ms, err := manifests()
	if err != nil {
		t.Fatal(err)
	}
	names := Names()
	for _, want := range []string{"gatewayclasses." + group, "gateways." + group, "httproutes." + group, "referencegrants." + group} {
		if !slices.Contains(names, want) {
			t.Errorf("%s missing from %v", want, names)
		}
	}
	if !slices.IsSorted(names) {
		t.Errorf("not in name order: %v", names)
	}
	for _, m := range ms {
		a := m.Metadata.Annotations
		if a[BundleVersionAnnotation] != BundleVersion || a[channelAnnotation] != "standard" {
			t.Errorf("%s: bundle %q channel %q, want %s standard", m.Metadata.Name, a[BundleVersionAnnotation], a[channelAnnotation], BundleVersion)
		}
		if !strings.HasSuffix(m.Metadata.Name, "."+group) || m.Spec["group"] != group {
			t.Errorf("%s: group %v, want %s", m.Metadata.Name, m.Spec["group"], group)
		}
	}
}
