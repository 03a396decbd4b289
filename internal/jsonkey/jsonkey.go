// Package jsonkey finds struct fields by the JSON names encoding/json gives them: the config keys
// Decode reads (stacks) and the reference generated from them (internal/configref) walk the same
// names.
package jsonkey

import (
	"reflect"
	"strings"
)

// Name is the field's JSON name: its tag's name part ("" when untagged, "-" when skipped).
func Name(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	return name
}

// Field is struct type t's field with JSON name name; a field tagged "-" has none.
func Field(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		if f := t.Field(i); name != "-" && Name(f) == name {
			return f, true
		}
	}
	return reflect.StructField{}, false
}
