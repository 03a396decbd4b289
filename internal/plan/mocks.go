package plan

import (
	"encoding/json"
	"errors"
	"fmt"
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
	answers                map[string]map[string]any
	// noDefaultProviders are the packages whose default provider the stack disables ("*": all).
	noDefaultProviders []string

	mu         sync.Mutex
	resources  []Resource
	invokes    []Invoke
	transforms []pulumi.ResourceTransform
}

var _ pulumi.MockResourceMonitor = (*mocks)(nil)

func (m *mocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	m.mu.Lock()
	m.invokes = append(m.invokes, Invoke{Token: args.Token, Args: PlainMap(args.Args)})
	m.mu.Unlock()
	if msg, ok := m.failing[args.Token]; ok {
		return nil, errors.New(msg)
	}
	if args.Provider == "" && m.defaultProviderDisabled(args.Token) {
		return nil, fmt.Errorf("%s needs an explicit provider: pulumi:disable-default-providers is set", args.Token)
	}
	out, err := m.invokeResult(args.Token, args.Args)
	if err == nil {
		for k, v := range m.answers[args.Token] {
			out[resource.PropertyKey(k)] = resource.NewPropertyValue(v)
		}
	}
	return out, err
}

func (m *mocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	inputs, secretOutputs, err := m.transform(args)
	if err != nil {
		return "", nil, err
	}
	args.Inputs = inputs
	r := Resource{Type: args.TypeToken, Name: args.Name, Custom: args.Custom, Inputs: args.Inputs}
	if rpc := args.RegisterRPC; rpc != nil {
		r.Parent = rpc.GetParent()
		r.Dependencies = sortedUnique(rpc.GetDependencies())
		r.Provider = providerURN(rpc.GetProvider())
		for pkg, ref := range rpc.GetProviders() {
			if r.Providers == nil {
				r.Providers = map[string]string{}
			}
			r.Providers[pkg] = providerURN(ref)
		}
		r.Version = rpc.GetVersion()
		r.Protect = rpc.GetProtect()
		r.RetainOnDelete = rpc.GetRetainOnDelete()
		r.ReplaceOnChanges, r.DeleteBeforeReplace = rpc.GetReplaceOnChanges(), rpc.GetDeleteBeforeReplace()
		secretOutputs = append(secretOutputs, rpc.GetAdditionalSecretOutputs()...)
		if ct := rpc.GetCustomTimeouts(); ct != nil {
			r.Timeouts.Create, r.Timeouts.Update, r.Timeouts.Delete = ct.GetCreate(), ct.GetUpdate(), ct.GetDelete()
		}
		for _, a := range rpc.GetAliases() {
			if spec := a.GetSpec(); spec != nil {
				r.AliasNames = append(r.AliasNames, spec.GetName())
			}
		}
	}
	r.AdditionalSecretOutputs = sortedUnique(secretOutputs)
	r.URN = m.urn(r.Parent, r.Type, r.Name)
	if r.Custom && r.Provider == "" && !strings.HasPrefix(r.Type, "pulumi:providers:") && m.defaultProviderDisabled(r.Type) {
		return "", nil, fmt.Errorf("%s %s needs an explicit provider: pulumi:disable-default-providers is set", r.Type, r.Name)
	}
	id, outputs := m.resourceOutputs(r.URN, args.TypeToken, args.Name, args.Inputs)
	state := args.Inputs.Copy()
	maps.Copy(state, resource.NewPropertyMapFromMap(outputs))
	for _, k := range r.AdditionalSecretOutputs { // as the engine does
		if v, ok := state[resource.PropertyKey(k)]; ok && !v.IsSecret() {
			state[resource.PropertyKey(k)] = resource.MakeSecret(v)
		}
	}

	m.mu.Lock()
	m.resources = append(m.resources, r)
	m.mu.Unlock()
	return id, state, nil
}

// disabledDefaultProviders reads pulumi:disable-default-providers, which the engine enforces.
func disabledDefaultProviders(config map[string]string) []string {
	var pkgs []string
	if v, ok := config["pulumi:disable-default-providers"]; ok && json.Unmarshal([]byte(v), &pkgs) != nil {
		pkgs = []string{v}
	}
	return pkgs
}

func (m *mocks) defaultProviderDisabled(token string) bool {
	pkg, _, _ := strings.Cut(token, ":")
	return slices.Contains(m.noDefaultProviders, "*") || slices.Contains(m.noDefaultProviders, pkg)
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
