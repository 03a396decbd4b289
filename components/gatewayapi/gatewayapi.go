// Package gatewayapi installs the Kubernetes Gateway API's standard-channel CRDs, pinned: the
// manifests of release BundleVersion, embedded (standard-crds.json, written by `go generate`
// from the sigs.k8s.io/gateway-api module's config/crd/standard, which the release's
// standard-install.yaml concatenates; its validating admission policy is left out).
//
// Inputs (Args): the annotations every CRD carries (the stack's ownership marker).
// Outputs: Names (the CRDs' names), Ready (the CRDs: the controller must start after them).
// Creates: one `kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition` per CRD, applied
// server-side by the Kubernetes provider. Destroying them deletes every object of their kinds
// in the cluster, which is why only a stack that installed them may (stacks checks it).
package gatewayapi

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"sync"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

//go:generate sh -c "cd ../../test/integration && go run ./cmd/gatewaycrds ../../components/gatewayapi/standard-crds.json"

// TypeToken is the component's type, fixed for life.
const TypeToken = "retail-api-edge:gatewayapi:CRDs"

// BundleVersion is the Gateway API release embedded: the v1.6 line that the AWS Load Balancer
// Controller v3.5.0 is built against (its go.mod: sigs.k8s.io/gateway-api v1.6.0).
const BundleVersion = "v1.6.3"

// MinBundleVersion is the oldest release a stack takes as already installed.
const MinBundleVersion = "v1.6.0"

// The annotations every Gateway API CRD carries (config/crd/standard/*.yaml metadata).
const (
	BundleVersionAnnotation = "gateway.networking.k8s.io/bundle-version"
	channelAnnotation       = "gateway.networking.k8s.io/channel"
)

// group is the Gateway API's API group.
const group = "gateway.networking.k8s.io"

//go:embed standard-crds.json
var standardCRDs []byte

// crd is one embedded manifest.
type crd struct {
	Metadata struct {
		Name        string            `json:"name"`
		Annotations map[string]string `json:"annotations"`
		Labels      map[string]string `json:"labels"`
	} `json:"metadata"`
	Spec map[string]any `json:"spec"`
}

// manifests are the embedded CRDs, in name order, decoded once: the preview's CRD check (Names)
// and NewCRDs read the same 700 KB. Callers must not modify them.
var manifests = sync.OnceValues(func() ([]crd, error) {
	var out []crd
	if err := json.Unmarshal(standardCRDs, &out); err != nil {
		return nil, fmt.Errorf("gatewayapi: the embedded CRDs: %w", err)
	}
	return out, nil
})

// Names are the embedded CRDs' names (httproutes.gateway.networking.k8s.io, ...).
func Names() []string {
	ms, err := manifests()
	if err != nil {
		panic(err) // the embedded file is checked by TestEmbeddedCRDs
	}
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = m.Metadata.Name
	}
	return names
}

// Args configure the installation.
type Args struct {
	// Annotations are added to each CRD's own.
	Annotations map[string]string
}

// CRDs are the installed CRDs.
type CRDs struct {
	pulumi.ResourceState

	Names pulumi.StringArrayOutput `pulumi:"names"`
	// Ready is what must exist before the controller starts (it turns its Gateway support on only
	// if it finds them then) and before any Gateway API object.
	Ready []pulumi.Resource `pulumi:"-"`
}

// NewCRDs registers every embedded CRD. Pass the Kubernetes provider in opts.
//
// The CRDs go through the SDK's generic apiextensions.CustomResource under the CRD's own type
// token, not the yaml/v2 package (which imports every API group of the SDK: docs/build-cost.md)
// nor the typed apiextensions/v1 constructor (whose Args cannot be filled from a manifest without
// hand-mapping the whole OpenAPI schema); the provider treats the token alike either way.
func NewCRDs(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*CRDs, error) {
	if args == nil {
		return nil, errors.New("gatewayapi: args are required")
	}
	ms, err := manifests()
	if err != nil {
		return nil, err
	}
	c := &CRDs{}
	if err := ctx.RegisterComponentResource(TypeToken, name, c, opts...); err != nil {
		return nil, err
	}
	var names pulumi.StringArray
	for _, m := range ms {
		annotations := maps.Clone(m.Metadata.Annotations)
		maps.Copy(annotations, args.Annotations)
		meta := metav1.ObjectMetaArgs{Name: pulumi.String(m.Metadata.Name), Annotations: pulumi.ToStringMap(annotations)}
		if len(m.Metadata.Labels) > 0 {
			// An empty map would differ from what the API server returns (none) on every run.
			meta.Labels = pulumi.ToStringMap(m.Metadata.Labels)
		}
		r, err := apiextensions.NewCustomResource(ctx, name+"-"+m.Metadata.Name, &apiextensions.CustomResourceArgs{
			ApiVersion:  pulumi.String("apiextensions.k8s.io/v1"),
			Kind:        pulumi.String("CustomResourceDefinition"),
			Metadata:    meta,
			OtherFields: kubernetes.UntypedArgs{"spec": m.Spec},
		}, pulumi.Parent(c))
		if err != nil {
			return nil, err
		}
		c.Ready = append(c.Ready, r)
		names = append(names, pulumi.String(m.Metadata.Name))
	}
	c.Names = names.ToStringArrayOutput()
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{"names": c.Names})
}
