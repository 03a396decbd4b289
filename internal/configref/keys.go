package configref

import (
	"go/ast"
	"go/token"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/mlops-retail/retail-api-edge/internal/jsonkey"
	"github.com/mlops-retail/retail-api-edge/stacks"
)

// Resolves says whether key ("waf.rateLimit", "tags.owner", "app") is a key Decode reads: a
// block, a field of a block by its JSON name, or an entry of a map block or field.
func Resolves(key string) bool {
	t := reflect.TypeOf(stacks.Config{})
	for part := range strings.SplitSeq(key, ".") {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch t.Kind() {
		case reflect.Map:
			return true // any entry
		case reflect.Struct:
			name, index, indexed := strings.Cut(part, "[") // rules[0], rules[]
			f, ok := jsonkey.Field(t, name)
			if !ok {
				return false
			}
			t = f.Type
			if indexed {
				if t.Kind() != reflect.Slice || !strings.HasSuffix(index, "]") {
					return false
				}
				t = t.Elem()
			}
		default:
			return false
		}
	}
	return true
}

// KeyRef is a config key named in a string of the code.
type KeyRef struct {
	Pos string // file:line
	Key string
}

// keyPattern finds "block.field" (optionally with the project prefix) in text; the matches are
// then filtered by what surrounds them, so that "app.kubernetes.io/name" or "service.k8s.aws/nlb"
// are not keys.
func keyPattern() *regexp.Regexp {
	return regexp.MustCompile(`(` + regexp.QuoteMeta(stacks.Project) + `:)?\b(` + strings.Join(stacks.BlockNames(), "|") + `)((\.[A-Za-z][A-Za-z0-9]*)+)`)
}

// KeysIn lists the keys named in text: with the project prefix always, bare ("waf.enabled") when
// bare is set (in stacks/, where the blocks' names are the only such words).
func KeysIn(text string, bare bool) []string {
	var keys []string
	for _, m := range keyPattern().FindAllStringSubmatchIndex(text, -1) {
		start, end := m[0], m[1]
		prefixed := m[2] >= 0
		if !prefixed && !bare {
			continue
		}
		if start > 0 && strings.ContainsAny(text[start-1:start], "./-_:") && !prefixed {
			continue
		}
		if end < len(text) && strings.ContainsAny(text[end:end+1], "./-_") {
			continue // part of a longer dotted name: a domain, an annotation
		}
		keys = append(keys, text[m[4]:end])
	}
	return keys
}

// KeyRefs lists the keys named in the string literals of dir's non-test Go files.
func KeyRefs(dir string, bare bool) ([]KeyRef, error) {
	fset, files, err := parseDir(dir, 0)
	if err != nil {
		return nil, err
	}
	var refs []KeyRef
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			p := fset.Position(lit.Pos())
			for _, key := range KeysIn(s, bare) {
				refs = append(refs, KeyRef{Pos: p.Filename + ":" + strconv.Itoa(p.Line), Key: key})
			}
			return true
		})
	}
	return refs, nil
}
