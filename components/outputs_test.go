// Package components_test checks what every component's package documents against its code.
package components_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The convention: a component's package doc has one "Outputs:" paragraph naming its output fields,
// comma-separated, each optionally followed by a parenthetical ("Outputs: Fqdn." or "Outputs:
// RoleArn, and Ready (what to depend on)."). Every name must be an exported field of the
// component's struct (the one embedding pulumi.ResourceState), and every exported Output-typed
// field must be named.
func TestDocumentedOutputsMatchTheStruct(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := e.Name()
		t.Run(dir, func(t *testing.T) {
			doc, fields, outputs := component(t, dir)
			documented := outputNames(doc)
			if len(documented) == 0 {
				t.Fatalf("the package doc has no \"Outputs:\" paragraph:\n%s", doc)
			}
			for _, name := range documented {
				if !slices.Contains(fields, name) {
					t.Errorf("documented output %s is not an exported field of the component (fields: %v)", name, fields)
				}
			}
			for _, name := range outputs {
				if !slices.Contains(documented, name) {
					t.Errorf("output field %s is not documented (Outputs: %v)", name, documented)
				}
			}
		})
	}
}

// component parses a component package: its doc, its struct's exported fields, and those of them
// that are Outputs.
func component(t *testing.T, dir string) (doc string, fields, outputs []string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		if f.Doc != nil {
			doc += f.Doc.Text()
		}
		ast.Inspect(f, func(n ast.Node) bool {
			st, ok := n.(*ast.StructType)
			if !ok || !embedsResourceState(st) {
				return true
			}
			found = true
			for _, fld := range st.Fields.List {
				for _, name := range fld.Names {
					if !name.IsExported() {
						continue
					}
					fields = append(fields, name.Name)
					if isOutput(fld.Type) {
						outputs = append(outputs, name.Name)
					}
				}
			}
			return false
		})
	}
	if !found {
		t.Fatal("no struct embeds pulumi.ResourceState")
	}
	return doc, fields, outputs
}

func embedsResourceState(st *ast.StructType) bool {
	return slices.ContainsFunc(st.Fields.List, func(f *ast.Field) bool {
		sel, ok := f.Type.(*ast.SelectorExpr)
		return len(f.Names) == 0 && ok && sel.Sel.Name == "ResourceState"
	})
}

// isOutput: pulumi.StringOutput, pulumi.StringMapOutput, and the like.
func isOutput(e ast.Expr) bool {
	sel, ok := e.(*ast.SelectorExpr)
	return ok && strings.HasSuffix(sel.Sel.Name, "Output")
}

var (
	outputsParagraph = regexp.MustCompile(`(?s)Outputs:(.*?)(?:\n\n|\n[A-Z][a-z]+( \([A-Za-z]+\))?:|$)`)
	parenthetical    = regexp.MustCompile(`\([^()]*\)`)
	identifier       = regexp.MustCompile(`^[A-Z][A-Za-z0-9]*$`)
)

// outputNames are the names an "Outputs:" paragraph lists.
func outputNames(doc string) []string {
	m := outputsParagraph.FindStringSubmatch(doc)
	if m == nil {
		return nil
	}
	text := m[1]
	for parenthetical.MatchString(text) { // nested parentheses, innermost first
		text = parenthetical.ReplaceAllString(text, "")
	}
	var names []string
	for _, item := range strings.Split(text, ",") {
		item = strings.TrimPrefix(strings.Trim(item, " \n."), "and ")
		if identifier.MatchString(item) {
			names = append(names, item)
		}
	}
	return names
}
