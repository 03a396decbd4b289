package main

import (
	"reflect"

	"github.com/spf13/pflag"
)

// flagNames maps each field of *target that a flag of fs is bound to onto the flag as typed
// ("-n/--requests", "--rate"), so that a library's field errors (internal/fielderr) name flags.
func flagNames(fs *pflag.FlagSet, target any) map[string]string {
	v := reflect.ValueOf(target).Elem()
	fields := map[uintptr]string{}
	for i := range v.NumField() {
		fields[v.Field(i).Addr().Pointer()] = v.Type().Field(i).Name
	}
	names := map[string]string{}
	fs.VisitAll(func(f *pflag.Flag) {
		// pflag's values are the bound variable's address under another type.
		if p := reflect.ValueOf(f.Value); p.Kind() == reflect.Pointer {
			if field, ok := fields[p.Pointer()]; ok {
				names[field] = "--" + f.Name
				if f.Shorthand != "" {
					names[field] = "-" + f.Shorthand + "/--" + f.Name
				}
			}
		}
	})
	return names
}
