package stacks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/agext/levenshtein"

	"github.com/mlops-retail/retail-api-edge/internal/jsonkey"
)

// RegionKey is the AWS provider's region setting, which this program also reads.
const RegionKey = "aws:region"

// ConfigError is a configuration problem: Key is the full config key, e.g. "retail-api-edge:app.port".
type ConfigError struct {
	Key string
	Msg string
}

func (e *ConfigError) Error() string { return e.Key + ": " + e.Msg }

func keyErr(key, format string, args ...any) error {
	return &ConfigError{Key: key, Msg: fmt.Sprintf(format, args...)}
}

// Decode builds the stack's Config from its raw configuration, as the engine passes it: full keys
// ("retail-api-edge:app") to strings, objects JSON-encoded. Unknown keys under this project's
// namespace and bad values are errors; all of them are reported together, each naming its key.
func Decode(stack string, raw map[string]string) (*Config, error) {
	cfg := Defaults()
	cfg.Stack, cfg.set = stack, map[string]bool{}
	var errs []error
	targets := map[string]any{} // each block decodes into its own field
	for _, b := range cfg.blocks() {
		targets[b.name] = b.value
	}
	for _, key := range slices.Sorted(maps.Keys(raw)) {
		name, ours := strings.CutPrefix(key, Project+":")
		if !ours {
			continue // other packages' settings (aws:, kubernetes:) are theirs to check
		}
		dst, known := targets[name]
		if !known {
			errs = append(errs, unknownKey(key, name, slices.Sorted(maps.Keys(targets))))
			continue
		}
		fields, err := decodeValue(key, raw[key], dst)
		if err != nil {
			errs = append(errs, err)
		}
		for _, f := range fields {
			cfg.set[name+"."+f] = true
		}
	}
	cfg.Region = raw[RegionKey]
	errs = append(errs, decodeAWS(raw, &cfg.AWS)...)
	errs = append(errs, refuseKubernetes(raw)...)
	cfg.complete()
	if len(errs) == 0 {
		v := cfg.validate()
		errs, cfg.Warnings = v.errs, v.warnings
	}
	if len(errs) > 0 {
		return nil, newInvalid(errs)
	}
	return &cfg, nil
}

// InvalidConfig lists every configuration problem found; its message is one block a user can read.
type InvalidConfig struct{ Problems []error }

func newInvalid(errs []error) error { return &InvalidConfig{Problems: errs} }

func (e *InvalidConfig) Error() string {
	if len(e.Problems) == 1 {
		return "invalid configuration: " + e.Problems[0].Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "invalid configuration (%d problems):", len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  - " + p.Error())
	}
	return b.String()
}

// Unwrap lets errors.As find each ConfigError.
func (e *InvalidConfig) Unwrap() []error { return e.Problems }

// decodeValue decodes one key's value into dst and returns the fields it set (none for the plain
// exposure key).
func decodeValue(key, value string, dst any) ([]string, error) {
	if s, ok := dst.(*Exposure); ok { // the one plain string key
		*s = Exposure(value)
		return nil, nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal([]byte(value), &fields); err != nil || fields == nil {
		return nil, keyErr(key, "must be an object (a YAML mapping of keys to values), got %q", value)
	}
	names := slices.Sorted(maps.Keys(fields))
	if err := shapeProblem(key, []byte(value), reflect.TypeOf(dst).Elem()); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(value)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) { // shapeProblem found none: a value out of its type's range
			if te.Field != "" {
				key += "." + te.Field
			}
			return nil, keyErr(key, "must be %s, got %s", typeName(te.Type), te.Value)
		}
		return nil, keyErr(key, "%v", err)
	}
	return names, nil
}

// jsonFields lists the keys a struct target accepts (nil for a map target, which takes any key).
func jsonFields(dst any) []string {
	t := reflect.TypeOf(dst).Elem()
	if t.Kind() != reflect.Struct {
		return nil
	}
	var names []string
	for i := range t.NumField() {
		if name := jsonkey.Name(t.Field(i)); name != "-" {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// shapeProblem finds the first value of raw that does not fit t, naming it by its full key
// (routing.rules[0].backends[1].weight): an unknown key of an object, with the allowed ones, or a
// value of the wrong JSON type. encoding/json names neither list indexes nor map entries.
func shapeProblem(key string, raw json.RawMessage, t reflect.Type) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	got := jsonKind(raw)
	if got == "null" {
		return nil
	}
	switch t.Kind() {
	case reflect.Struct:
		var fields map[string]json.RawMessage
		if json.Unmarshal(raw, &fields) != nil {
			return keyErr(key, "must be an object, got %s", got)
		}
		allowed := jsonFields(reflect.New(t).Interface())
		for _, name := range slices.Sorted(maps.Keys(fields)) {
			f, ok := jsonkey.Field(t, name)
			if !ok {
				return unknownKey(key+"."+name, name, allowed)
			}
			if err := shapeProblem(key+"."+name, fields[name], f.Type); err != nil {
				return err
			}
		}
	case reflect.Map:
		var entries map[string]json.RawMessage
		if json.Unmarshal(raw, &entries) != nil {
			return keyErr(key, "must be an object, got %s", got)
		}
		for _, name := range slices.Sorted(maps.Keys(entries)) {
			if err := shapeProblem(key+"."+name, entries[name], t.Elem()); err != nil {
				return err
			}
		}
	case reflect.Slice:
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return keyErr(key, "must be a list, got %s", got)
		}
		for i, item := range items {
			if err := shapeProblem(fmt.Sprintf("%s[%d]", key, i), item, t.Elem()); err != nil {
				return err
			}
		}
	default:
		want := map[reflect.Kind]string{reflect.String: "string", reflect.Bool: "bool"}[t.Kind()]
		if want == "" {
			want = "number"
		}
		var n json.Number
		isInt := t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64
		whole := got != "number" || !isInt || (json.Unmarshal(raw, &n) == nil && !strings.ContainsAny(n.String(), ".eE"))
		if got != want || !whole {
			return keyErr(key, "must be %s, got %s", typeName(t), got)
		}
	}
	return nil
}

// jsonKind is the JSON type of a value as encoding/json names it in its errors.
func jsonKind(raw json.RawMessage) string {
	s := strings.TrimSpace(string(raw))
	switch {
	case s == "" || s == "null":
		return "null"
	case s[0] == '{':
		return "object"
	case s[0] == '[':
		return "array"
	case s[0] == '"':
		return "string"
	case s == "true" || s == "false":
		return "bool"
	}
	return "number"
}

func typeName(t reflect.Type) string {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "a whole number"
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		return "a string"
	case reflect.Slice:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "an object"
	default:
		return t.String()
	}
}

func unknownKey(key, name string, allowed []string) error {
	msg := fmt.Sprintf("unknown key %q; allowed keys: %s", name, strings.Join(allowed, ", "))
	if near := closest(name, allowed); near != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", near)
	}
	if parent, _, ok := strings.Cut(name, "."); ok && slices.Contains(allowed, parent) {
		msg += fmt.Sprintf(" (a key inside %q is set with `pulumi config set --path %s:%s ...`)", parent, Project, name)
	}
	return &ConfigError{Key: key, Msg: msg}
}

// closest returns the allowed name within two edits of name (case-insensitively), if any.
func closest(name string, allowed []string) string {
	best, bestDist := "", 3
	for _, a := range allowed {
		if d := levenshtein.Distance(strings.ToLower(name), strings.ToLower(a), nil); d < bestDist {
			best, bestDist = a, d
		}
	}
	return best
}
