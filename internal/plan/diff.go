package plan

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// Change kinds.
const (
	Added    = "add"
	Removed  = "remove"
	Modified = "modify"
)

// Change is one resource (or the stack outputs) that differs between two plans.
type Change struct {
	Kind string
	URN  string
	Type string
	Name string
	// Props are the changed properties: inputs by path, plus "dependencies" and "parent".
	Props []PropChange
}

// PropChange is one changed property; Old or New is "" when the property was added or removed.
type PropChange struct {
	Path, Old, New string
}

// OutputsURN stands for the stack outputs in a diff.
const OutputsURN = "(stack outputs)"

// Diff compares the desired state of two plans, resource by resource and property by property.
// Both are Documents, so secrets are already masked on both sides.
func Diff(before, after Document) []Change {
	old, cur := byURN(before), byURN(after)
	var changes []Change
	for _, urn := range slices.Sorted(maps.Keys(union(old, cur))) {
		o, inOld := old[urn]
		n, inNew := cur[urn]
		c := Change{URN: urn, Type: pick(o.Type, n.Type), Name: pick(o.Name, n.Name)}
		switch {
		case !inOld:
			c.Kind, c.Props = Added, propChanges(nil, properties(n))
		case !inNew:
			c.Kind, c.Props = Removed, propChanges(properties(o), nil)
		default:
			c.Kind, c.Props = Modified, propChanges(properties(o), properties(n))
			if len(c.Props) == 0 {
				continue
			}
		}
		changes = append(changes, c)
	}
	if props := propChanges(outputLeaves(before.Outputs), outputLeaves(after.Outputs)); len(props) > 0 {
		changes = append(changes, Change{Kind: Modified, URN: OutputsURN, Name: "outputs", Props: props})
	}
	return changes
}

func byURN(d Document) map[string]DocResource {
	m := make(map[string]DocResource, len(d.Resources))
	for _, r := range d.Resources {
		m[r.URN] = r
	}
	return m
}

func union(a, b map[string]DocResource) map[string]DocResource {
	out := maps.Clone(a)
	maps.Copy(out, b)
	return out
}

func pick(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// properties flattens what a review cares about: inputs, what it waits on, where it lives.
func properties(r DocResource) map[string]string {
	m := map[string]string{}
	for _, l := range leaves("", r.Inputs) {
		m[l.Path] = l.Value
	}
	deps, _ := json.Marshal(r.Dependencies)
	m["(dependencies)"] = string(deps)
	m["(parent)"] = r.Parent
	return m
}

func outputLeaves(outputs map[string]any) map[string]string {
	m := map[string]string{}
	for _, l := range leaves("", jsonShape(outputs)) {
		m[l.Path] = l.Value
	}
	return m
}

func propChanges(old, cur map[string]string) []PropChange {
	keys := maps.Clone(old)
	if keys == nil {
		keys = map[string]string{}
	}
	maps.Copy(keys, cur)
	var out []PropChange
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		if old[k] != cur[k] {
			out = append(out, PropChange{Path: k, Old: old[k], New: cur[k]})
		}
	}
	return out
}

// WriteDiffText writes changes for a terminal: + added, - removed, ~ modified.
func WriteDiffText(w io.Writer, changes []Change) error {
	var b strings.Builder
	if len(changes) == 0 {
		b.WriteString("No changes to the desired state.\n")
	}
	for _, c := range changes {
		fmt.Fprintf(&b, "%s %s %s\n", symbol(c.Kind), c.Type, c.Name)
		for _, p := range c.Props {
			fmt.Fprintf(&b, "    %s: %s\n", p.Path, arrow(p))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteDiffMarkdown writes changes as a pull-request comment.
func WriteDiffMarkdown(w io.Writer, stack string, changes []Change) error {
	var b strings.Builder
	fmt.Fprintf(&b, "### Offline plan diff: stack `%s`\n\n", stack)
	if len(changes) == 0 {
		b.WriteString("No changes to the desired state.\n")
	}
	counts := map[string]int{}
	for _, c := range changes {
		counts[c.Kind]++
	}
	if len(changes) > 0 {
		fmt.Fprintf(&b, "%d to add, %d to change, %d to remove. AWS-side values are placeholders.\n\n",
			counts[Added], counts[Modified], counts[Removed])
	}
	for _, c := range changes {
		fmt.Fprintf(&b, "<details><summary><code>%s</code> %s <b>%s</b> (%d properties)</summary>\n\n",
			symbol(c.Kind), c.Type, c.Name, len(c.Props))
		b.WriteString("| property | change |\n| --- | --- |\n")
		for _, p := range c.Props {
			fmt.Fprintf(&b, "| `%s` | %s |\n", p.Path, strings.ReplaceAll(arrow(p), "|", `\|`))
		}
		b.WriteString("\n</details>\n\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func symbol(kind string) string {
	return map[string]string{Added: "+", Removed: "-", Modified: "~"}[kind]
}

func arrow(p PropChange) string {
	switch {
	case p.Old == "":
		return p.New
	case p.New == "":
		return p.Old + " (removed)"
	}
	return p.Old + " => " + p.New
}
