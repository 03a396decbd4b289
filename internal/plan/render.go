package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/mlops-retail/retail-api-edge/internal/texttable"
)

// Masks for values a plan must not or cannot print.
const (
	SecretMask  = "[secret]"
	UnknownMask = "[unknown]"
)

// Document is the JSON form of a plan: stable field names, sorted content, secrets masked.
type Document struct {
	Stack     string         `json:"stack"`
	Project   string         `json:"project"`
	Resources []DocResource  `json:"resources"`
	Outputs   map[string]any `json:"outputs"`
}

// DocResource is one resource in a Document.
type DocResource struct {
	URN      string `json:"urn"`
	Type     string `json:"type"`
	Name     string `json:"name"`
	Parent   string `json:"parent"`
	Provider string `json:"provider,omitempty"`
	Version  string `json:"version,omitempty"`
	Protect  bool   `json:"protect,omitempty"`
	Retain   bool   `json:"retainOnDelete,omitempty"`
	// ReplaceOnChanges and DeleteBeforeReplace say which input changes replace the resource, and
	// that the old one goes first (a fixed-name object).
	ReplaceOnChanges    []string       `json:"replaceOnChanges,omitempty"`
	DeleteBeforeReplace bool           `json:"deleteBeforeReplace,omitempty"`
	Dependencies        []string       `json:"dependencies"`
	Inputs              map[string]any `json:"inputs"`
}

// Document converts the plan to its JSON form.
func (p *Plan) Document() Document {
	d := Document{Stack: p.Stack, Project: p.Project, Resources: []DocResource{}, Outputs: map[string]any{}}
	for _, r := range p.Resources {
		deps := r.Dependencies
		if deps == nil {
			deps = []string{}
		}
		d.Resources = append(d.Resources, DocResource{
			URN: r.URN, Type: r.Type, Name: r.Name, Parent: r.Parent, Provider: r.Provider, Version: r.Version, Protect: r.Protect,
			Retain: r.RetainOnDelete, ReplaceOnChanges: r.ReplaceOnChanges, DeleteBeforeReplace: r.DeleteBeforeReplace,
			Dependencies: deps, Inputs: PlainMap(r.Inputs),
		})
	}
	for name, o := range p.Outputs {
		d.Outputs[name] = jsonShape(o.Value)
		if o.Secret {
			d.Outputs[name] = SecretMask
		}
	}
	return d
}

// WriteJSON writes the plan as indented JSON; the same plan always gives the same bytes.
func (p *Plan) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(p.Document())
}

// PlainMap turns resource inputs into plain Go values with secrets and unknowns masked.
func PlainMap(m resource.PropertyMap) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[string(k)] = Plain(v)
	}
	return out
}

// Plain turns one property value into a plain Go value with secrets and unknowns masked.
func Plain(v resource.PropertyValue) any {
	switch {
	case v.IsSecret():
		return SecretMask
	case v.IsComputed():
		return UnknownMask
	case v.IsOutput():
		o := v.OutputValue()
		if o.Secret {
			return SecretMask
		}
		if !o.Known {
			return UnknownMask
		}
		return Plain(o.Element)
	case v.IsResourceReference():
		return string(v.ResourceReferenceValue().URN)
	case v.IsObject():
		return PlainMap(v.ObjectValue())
	case v.IsArray():
		arr := v.ArrayValue()
		out := make([]any, len(arr))
		for i, e := range arr {
			out[i] = Plain(e)
		}
		return out
	case v.IsAsset() || v.IsArchive():
		return "[asset]"
	}
	return v.V
}

// WriteTable writes the plan for people: the resource tree, then each custom resource's inputs,
// then the stack outputs.
func (p *Plan) WriteTable(w io.Writer) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "Stack %s (project %s): %d resources. AWS-side values are placeholders (account %s, *example*).\n\n",
		p.Stack, p.Project, len(p.Resources), AccountID)
	rows := [][]string{{"TYPE", "NAME", "DEPENDS ON"}}
	p.walk("", 0, func(r Resource, depth int) {
		rows = append(rows, []string{strings.Repeat("  ", depth) + r.Type, r.Name, strings.Join(p.names(r.Dependencies), ", ")})
	})
	b.WriteString(texttable.Format(rows))
	for _, r := range p.Resources {
		if !r.Custom || len(r.Inputs) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n%s %s\n", r.Type, r.Name)
		for _, line := range flatten("", tableInputs(r)) {
			fmt.Fprintf(&b, "    %s\n", line)
		}
	}
	b.WriteString("\nOutputs\n")
	outputs := p.Document().Outputs
	for _, name := range slices.Sorted(maps.Keys(outputs)) {
		for _, line := range flatten(name, outputs[name]) {
			fmt.Fprintf(&b, "    %s\n", line)
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

// crdType is a CustomResourceDefinition's type token.
const crdType = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition"

// tableInputs are a resource's inputs as the table shows them: a CRD's versions as their names,
// served and storage flags and the size of their schema, not the schema itself (hundreds of
// kilobytes; the JSON output has all of it).
func tableInputs(r Resource) any {
	in := Plain(resource.NewObjectProperty(r.Inputs))
	spec, _ := in.(map[string]any)["spec"].(map[string]any)
	versions, ok := spec["versions"].([]any)
	if r.Type != crdType || !ok {
		return in
	}
	var summary []any
	for _, v := range versions {
		m, _ := v.(map[string]any)
		schema, _ := json.Marshal(m["schema"])
		summary = append(summary, fmt.Sprintf("%v (served %v, storage %v, schema %d bytes)", m["name"], m["served"], m["storage"], len(schema)))
	}
	spec["versions"] = summary
	return in
}

// walk visits the resources as a tree: each parent before its children, siblings in URN order.
// Resources whose parent is not recorded (the root stack) are the roots.
func (p *Plan) walk(parent string, depth int, visit func(Resource, int)) {
	for _, r := range p.Resources {
		_, known := p.ByURN(r.Parent)
		if r.Parent == parent || (parent == "" && !known) {
			visit(r, depth)
			p.walk(r.URN, depth+1, visit)
		}
	}
}

func (p *Plan) names(urns []string) []string {
	out := make([]string, len(urns))
	for i, u := range urns {
		out[i] = resource.URN(u).Name()
	}
	return out
}

// flatten renders a value as sorted "path: value" lines.
func flatten(prefix string, v any) []string {
	var out []string
	for _, l := range leaves(prefix, v) {
		out = append(out, l.Path+": "+l.Value)
	}
	return out
}

// leaf is one scalar of a nested value: its dotted path and its JSON encoding.
type leaf struct{ Path, Value string }

// leaves lists a value's scalars in path order; maps and lists are walked, never printed whole.
func leaves(prefix string, v any) []leaf {
	join := func(k string) string {
		if prefix == "" {
			return k
		}
		return prefix + "." + k
	}
	switch t := v.(type) {
	case map[string]any:
		var out []leaf
		for _, k := range slices.Sorted(maps.Keys(t)) {
			out = append(out, leaves(join(k), t[k])...)
		}
		return out
	case []any:
		var out []leaf
		for i, e := range t {
			out = append(out, leaves(fmt.Sprintf("%s[%d]", prefix, i), e)...)
		}
		return out
	}
	b, _ := json.Marshal(v)
	return []leaf{{Path: prefix, Value: string(b)}}
}

// jsonShape turns any JSON-encodable value into maps, slices and scalars, so that one renderer
// serves outputs of every Go type ([]string, map[string]string, ...).
func jsonShape(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return fmt.Sprint(v)
	}
	return out
}
