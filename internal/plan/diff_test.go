package plan

import (
	"bytes"
	"strings"
	"testing"
)

func doc(resources ...DocResource) Document {
	return Document{Stack: "s", Project: "p", Resources: resources, Outputs: map[string]any{"url": "http://a"}}
}

func res(name string, inputs map[string]any, deps ...string) DocResource {
	if deps == nil {
		deps = []string{}
	}
	return DocResource{URN: "urn:" + name, Type: "t:m:T", Name: name, Parent: "urn:stack", Dependencies: deps, Inputs: inputs}
}

func TestDiff(t *testing.T) {
	before := doc(
		res("kept", map[string]any{"a": 1.0}),
		res("changed", map[string]any{"rules": []any{map[string]any{"limit": 2000.0}}, "name": "acl"}),
		res("gone", map[string]any{"x": "y"}),
		res("secret", map[string]any{"password": SecretMask}),
		res("rewired", map[string]any{}, "urn:kept"),
	)
	after := doc(
		res("kept", map[string]any{"a": 1.0}),
		res("changed", map[string]any{"rules": []any{map[string]any{"limit": 500.0}}, "name": "acl"}),
		res("new", map[string]any{"z": true}),
		res("secret", map[string]any{"password": SecretMask}),
		res("rewired", map[string]any{}),
	)
	after.Outputs["url"] = "https://a"
	changes := Diff(before, after)
	got := map[string]Change{}
	for _, c := range changes {
		got[c.Name] = c
	}
	tests := []struct {
		name string
		ok   bool
	}{
		{"unchanged resources are left out", got["kept"].URN == ""},
		{"a secret that stays secret is no change", got["secret"].URN == ""},
		{"modified: exactly the changed leaf", got["changed"].Kind == Modified && len(got["changed"].Props) == 1 &&
			got["changed"].Props[0] == PropChange{Path: "rules[0].limit", Old: "2000", New: "500"}},
		{"added", got["new"].Kind == Added && got["new"].Props[len(got["new"].Props)-1].Path == "z"},
		{"removed", got["gone"].Kind == Removed && got["gone"].Props[len(got["gone"].Props)-1] == PropChange{Path: "x", Old: `"y"`}},
		{"dependency changes count", got["rewired"].Kind == Modified && got["rewired"].Props[0].Path == "(dependencies)"},
		{"stack outputs", got["outputs"].URN == OutputsURN && got["outputs"].Props[0].New == `"https://a"`},
		{"nothing else", len(changes) == 5},
	}
	for _, tt := range tests {
		if !tt.ok {
			t.Errorf("%s: %+v", tt.name, changes)
		}
	}
}

func TestDiffRendering(t *testing.T) {
	changes := Diff(doc(res("a", map[string]any{"v": "x|y"})), doc(res("a", map[string]any{"v": "z"})))
	var text, md bytes.Buffer
	if err := WriteDiffText(&text, changes); err != nil {
		t.Fatal(err)
	}
	if err := WriteDiffMarkdown(&md, "prod", changes); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "~ t:m:T a\n    v: \"x|y\" => \"z\"") {
		t.Errorf("text diff:\n%s", text.String())
	}
	for _, want := range []string{"stack `prod`", "0 to add, 1 to change, 0 to remove", "| `v` | \"x\\|y\" => \"z\" |"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
		}
	}
	var none bytes.Buffer
	_ = WriteDiffText(&none, nil)
	if !strings.Contains(none.String(), "No changes") {
		t.Error("an empty diff must say so")
	}
}
