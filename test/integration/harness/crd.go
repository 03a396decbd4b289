package harness

import (
	"context"
	"fmt"
	"os"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"sigs.k8s.io/yaml"
)

var crdResource = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

// InstallCRD creates the CustomResourceDefinition in file and waits until the API server serves
// it; remove deletes it again (and with it every object of its kind).
func InstallCRD(ctx context.Context, client dynamic.Interface, file string) (remove func(), err error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	obj := &unstructured.Unstructured{}
	if err := yaml.Unmarshal(b, &obj.Object); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	crds := client.Resource(crdResource)
	if _, err := crds.Create(ctx, obj, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return nil, err
	}
	remove = func() { _ = crds.Delete(context.Background(), obj.GetName(), metav1.DeleteOptions{}) }
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if got, err := crds.Get(ctx, obj.GetName(), metav1.GetOptions{}); err == nil && established(got) {
			return remove, nil
		}
	}
	remove()
	return nil, fmt.Errorf("CRD %s was not established within 30 s", obj.GetName())
}

func established(crd *unstructured.Unstructured) bool {
	conds, _, _ := unstructured.NestedSlice(crd.Object, "status", "conditions")
	for _, c := range conds {
		m, _ := c.(map[string]any)
		if m["type"] == "Established" && m["status"] == "True" {
			return true
		}
	}
	return false
}
