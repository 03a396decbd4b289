package stacks

import (
	"reflect"

	"github.com/mlops-retail/retail-api-edge/internal/jsonkey"
)

// A config block is one field of Config with a JSON name: its key under retail-api-edge: (the
// block `waf` is retail-api-edge:waf). Its type lives in its own file (stacks/waf.go) with
// everything about it: the documented fields, their defaults, their checks, and for an edge
// feature what it registers. Decode, Defaults, validation, the inert-settings check and
// docs/configuration.md (go generate) all walk Config's fields in their order, so a new block is
// its file and its line in Config.
type block interface {
	// setDefaults fills in the defaults of the block's scalar fields, before decoding.
	setDefaults()
	// validate checks the decoded block; c is the whole configuration, for checks across blocks.
	validate(c *Config, v *validator)
}

// completer is a block with maps or lists: a decoded value replaces them whole, so their defaults
// are filled in after decoding, when the stack did not set them.
type completer interface{ complete(c *Config) }

// featureBlock is an edge feature's block (features.go).
type featureBlock interface{ feature() feature }

// inertBlock is a block with settings that do nothing unless another setting is on (inert.go).
type inertBlock interface{ inert() []inertRule }

// blockField is one block of a Config: its key and the field's address.
type blockField struct {
	name  string
	value any // a pointer to the field; it implements block
}

// blocks lists c's blocks in Config's field order.
func (c *Config) blocks() []blockField {
	v := reflect.ValueOf(c).Elem()
	var out []blockField
	for i := range v.NumField() {
		name := jsonkey.Name(v.Type().Field(i))
		if name == "" || name == "-" {
			continue
		}
		out = append(out, blockField{name: name, value: v.Field(i).Addr().Interface()})
	}
	return out
}

// BlockNames are the config blocks, the keys under retail-api-edge:, in Config's order.
func BlockNames() []string {
	var names []string
	for _, b := range new(Config).blocks() {
		names = append(names, b.name)
	}
	return names
}
