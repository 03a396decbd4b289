// Package configref generates the configuration reference (docs/configuration.md) from the code:
// the keys are Config's blocks and their JSON names, the defaults are what Decode gives a stack
// that sets nothing, and the meanings are the fields' doc comments in stacks/. `go generate
// ./stacks` writes it; a test checks the page is current, so a default cannot drift from its
// documentation.
package configref

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/mlops-retail/retail-api-edge/internal/jsonkey"
	"github.com/mlops-retail/retail-api-edge/stacks"
)

// The generated part of the page sits between these markers; the prose around it is kept.
const (
	Begin = "<!-- BEGIN GENERATED: go generate ./stacks (from the field comments and defaults in stacks/) -->"
	End   = "<!-- END GENERATED -->"
)

// defaultLine, in a field's comment, replaces the default shown for it (one computed at run time).
const defaultLine = "Default: "

// Docs are the doc comments of the types in a package's source: type name to its own comment
// ("") and to each field's.
type Docs map[string]map[string]string

// ParseDocs reads the doc comments of every type in dir's non-test Go files.
func ParseDocs(dir string) (Docs, error) {
	_, files, err := parseDir(dir, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	docs := Docs{}
	for _, f := range files {
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, spec := range gd.Specs {
				ts := spec.(*ast.TypeSpec)
				docs[ts.Name.Name] = typeDocs(gd, ts)
			}
		}
	}
	return docs, nil
}

// parseDir parses dir's non-test Go files.
func parseDir(dir string, mode parser.Mode) (*token.FileSet, []*ast.File, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, nil, err
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, mode)
		if err != nil {
			return nil, nil, err
		}
		files = append(files, f)
	}
	return fset, files, nil
}

func typeDocs(gd *ast.GenDecl, ts *ast.TypeSpec) map[string]string {
	m := map[string]string{"": firstNonEmpty(ts.Doc.Text(), gd.Doc.Text())}
	if st, ok := ts.Type.(*ast.StructType); ok {
		for _, f := range st.Fields.List {
			for _, n := range f.Names {
				m[n.Name] = f.Doc.Text()
			}
		}
	}
	return m
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Row is one key of the reference.
type Row struct {
	Key, Default, Meaning string
}

// Block is one config block: its key, what it is, and its keys.
type Block struct {
	Name, Summary string
	Rows          []Row
}

// Blocks builds the reference from Config and the docs; a field without a comment is an error.
func Blocks(docs Docs) ([]Block, error) {
	cfg, err := stacks.Decode("STACK", map[string]string{stacks.RegionKey: "us-east-1"})
	if err != nil {
		return nil, err
	}
	v, t := reflect.ValueOf(cfg).Elem(), reflect.TypeOf(cfg).Elem()
	var out []Block
	var missing []string
	for i := range t.NumField() {
		name := jsonkey.Name(t.Field(i))
		if name == "" || name == "-" {
			continue
		}
		ft, fv := t.Field(i).Type, v.Field(i)
		if ft.Kind() == reflect.Map { // the tags: the default ones carry the stack's name
			b := Block{Name: name, Summary: summary(docs[ft.Name()][""])}
			b.Rows = []Row{{Key: name, Default: strings.ReplaceAll(render(fv), "STACK", "<stack>")}}
			out = append(out, b)
			continue
		}
		td := docs[ft.Name()]
		b := Block{Name: name, Summary: summary(td[""])}
		if ft.Kind() != reflect.Struct {
			b.Rows = []Row{{Key: name, Default: render(fv), Meaning: ""}}
			out = append(out, b)
			continue
		}
		b.Rows, missing = rows(docs, name, ft, fv, missing)
		out = append(out, b)
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("config fields without a doc comment (say what it does, its unit, and a computed default as %q): %s",
			defaultLine, strings.Join(missing, ", "))
	}
	return out, nil
}

// rows are the keys of struct type t under prefix, with v's values as defaults; a field that
// holds structs (a list of rules, an optional object) adds its fields' rows as prefix.field[].x
// or prefix.field.x, documented by their own type's comments.
func rows(docs Docs, prefix string, t reflect.Type, v reflect.Value, missing []string) ([]Row, []string) {
	var out []Row
	td := docs[t.Name()]
	for j := range t.NumField() {
		f := t.Field(j)
		doc := td[f.Name]
		if strings.TrimSpace(doc) == "" {
			missing = append(missing, t.Name()+"."+f.Name)
			continue
		}
		meaning, def := splitDefault(doc)
		if def == "" {
			def = render(v.Field(j))
		}
		key := prefix + "." + jsonkey.Name(f)
		out = append(out, Row{Key: key, Default: def, Meaning: meaning})
		inner, sep := f.Type, ""
		switch inner.Kind() {
		case reflect.Slice:
			inner, sep = inner.Elem(), "[]"
		case reflect.Pointer:
			inner = inner.Elem()
		}
		if inner.Kind() == reflect.Struct {
			var nested []Row
			nested, missing = rows(docs, key+sep, inner, reflect.New(inner).Elem(), missing)
			out = append(out, nested...)
		}
	}
	return out, missing
}

// summary is a block type's comment without its leading "X is the `x` block: ".
var summaryPrefix = regexp.MustCompile("^\\w+ is the `[^`]+` (block|key): ")

func summary(doc string) string {
	s := oneLine(doc)
	if loc := summaryPrefix.FindStringIndex(s); loc != nil {
		s = s[loc[1]:]
		s = strings.ToUpper(s[:1]) + s[1:]
	}
	return s
}

// splitDefault separates a "Default: ..." line from the rest of a comment.
func splitDefault(doc string) (meaning, def string) {
	var keep []string
	for _, line := range strings.Split(strings.TrimSpace(doc), "\n") {
		if d, ok := strings.CutPrefix(line, defaultLine); ok {
			def = strings.TrimSuffix(d, ".")
			continue
		}
		keep = append(keep, line)
	}
	return oneLine(strings.Join(keep, "\n")), def
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// render shows a default value as a stack file would spell it.
func render(v reflect.Value) string {
	switch v.Kind() {
	case reflect.String:
		if v.String() == "" {
			return "(none)"
		}
		return "`" + v.String() + "`"
	case reflect.Slice:
		if v.Len() == 0 {
			return "(none)"
		}
		var items []string
		for i := range v.Len() {
			items = append(items, "`"+fmt.Sprint(v.Index(i).Interface())+"`")
		}
		return strings.Join(items, ", ")
	case reflect.Map:
		var items []string
		for _, key := range v.MapKeys() {
			items = append(items, fmt.Sprintf("%s: %s", key, v.MapIndex(key)))
		}
		slices.Sort(items)
		return "`{" + strings.Join(items, ", ") + "}`"
	default:
		return "`" + fmt.Sprint(v.Interface()) + "`"
	}
}

// Render writes the generated part of the page.
func Render(blocks []Block) []byte {
	var b bytes.Buffer
	fmt.Fprintln(&b, Begin)
	for _, bl := range blocks {
		fmt.Fprintf(&b, "\n### `%s`\n\n%s\n", bl.Name, bl.Summary)
		if len(bl.Rows) == 1 && bl.Rows[0].Key == bl.Name {
			fmt.Fprintf(&b, "\nDefault: %s.\n", bl.Rows[0].Default)
			continue
		}
		fmt.Fprintf(&b, "\n| key | default | meaning |\n| --- | --- | --- |\n")
		for _, r := range bl.Rows {
			fmt.Fprintf(&b, "| `%s` | %s | %s |\n", r.Key, strings.ReplaceAll(r.Default, "|", "\\|"), strings.ReplaceAll(r.Meaning, "|", "\\|"))
		}
	}
	fmt.Fprintln(&b)
	fmt.Fprint(&b, End)
	return b.Bytes()
}

// Splice puts the generated part into page, between the markers.
func Splice(page, generated []byte) ([]byte, error) {
	begin, end := bytes.Index(page, []byte(Begin)), bytes.Index(page, []byte(End))
	if begin < 0 || end < begin {
		return nil, fmt.Errorf("the page has no %q ... %q section", Begin, End)
	}
	return slices.Concat(page[:begin], generated, page[end+len(End):]), nil
}

// Page is page with its generated part rebuilt from the source in srcDir (the stacks package).
func Page(page []byte, srcDir string) ([]byte, error) {
	docs, err := ParseDocs(srcDir)
	if err != nil {
		return nil, err
	}
	blocks, err := Blocks(docs)
	if err != nil {
		return nil, err
	}
	return Splice(page, Render(blocks))
}
