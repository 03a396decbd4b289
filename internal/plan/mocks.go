package plan

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// mocks is the resource monitor of an offline run: it records every registration and answers
// with placeholders. Registrations arrive concurrently, hence the mutex.
type mocks struct {
	project, stack, region string
	failing                map[string]string

	mu        sync.Mutex
	resources []Resource
}

var _ pulumi.MockResourceMonitor = (*mocks)(nil)

func (m *mocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	if msg, ok := m.failing[args.Token]; ok {
		return nil, errors.New(msg)
	}
	return m.invokeResult(args.Token, args.Args)
}

func (m *mocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	r := Resource{Type: args.TypeToken, Name: args.Name, Custom: args.Custom, Inputs: args.Inputs}
	if rpc := args.RegisterRPC; rpc != nil {
		r.Parent = rpc.GetParent()
		r.Dependencies = sortedUnique(rpc.GetDependencies())
		r.Provider = providerURN(rpc.GetProvider())
		r.Version = rpc.GetVersion()
		r.Protect = rpc.GetProtect()
	}
	r.URN = m.urn(r.Parent, r.Type, r.Name)
	id, outputs := m.resourceOutputs(args.TypeToken, args.Name, args.Inputs)
	state := args.Inputs.Copy()
	maps.Copy(state, resource.NewPropertyMapFromMap(outputs))

	m.mu.Lock()
	m.resources = append(m.resources, r)
	m.mu.Unlock()
	return id, state, nil
}

// urn computes the URN exactly as the mock monitor (and the engine) does.
func (m *mocks) urn(parent, typ, name string) string {
	parentType := tokens.Type("")
	if p := resource.URN(parent); p != "" && p.QualifiedType() != resource.RootStackType {
		parentType = p.QualifiedType()
	}
	return string(resource.NewURN(tokens.QName(m.stack), tokens.PackageName(m.project), parentType,
		tokens.Type(typ), name))
}

// providerURN drops the ID from a provider reference: IDs are placeholders, URNs are stable.
func providerURN(ref string) string {
	if i := strings.LastIndex(ref, "::"); i > 0 {
		return ref[:i]
	}
	return ref
}

func sortedUnique(ss []string) []string {
	out := slices.Clone(ss)
	slices.Sort(out)
	return slices.Compact(out)
}
