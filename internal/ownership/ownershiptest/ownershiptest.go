// Package ownershiptest is what the ownership decision tests share: a cluster of objects' metadata
// that stands in for the API server (the real one answers in the integration scenarios), and the
// check of a refusal.
package ownershiptest

import (
	"context"
	"strings"
	"testing"

	"github.com/mlops-retail/retail-api-edge/internal/ownership"
)

// Cluster is objects' metadata by "Kind namespace/name".
type Cluster map[string]ownership.Metadata

// Metadata implements ownership.Reader.
func (c Cluster) Metadata(_ context.Context, kind ownership.Kind, ns, name string) (ownership.Metadata, bool, error) {
	m, ok := c[string(kind)+" "+ns+"/"+name]
	return m, ok, nil
}

// Open opens the cluster as the program's cluster reader does; the kubeconfig must be there.
func (c Cluster) Open(kubeconfig, _ string) (ownership.Reader, error) {
	if kubeconfig == "" {
		panic("the precheck ran without the kubeconfig")
	}
	return c, nil
}

// Owned is an object marked for owner ("project/stack").
func Owned(owner string) ownership.Metadata {
	return ownership.Metadata{Annotations: map[string]string{ownership.Annotation: owner}}
}

// Refusal checks err: with no want, that there is none; otherwise that it says every one of want.
func Refusal(t testing.TB, err error, want []string) {
	t.Helper()
	if len(want) == 0 {
		if err != nil {
			t.Fatalf("unexpected refusal: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatal("want a refusal")
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("refusal lacks %q:\n%v", w, err)
		}
	}
}
