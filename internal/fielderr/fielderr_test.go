package fielderr

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"testing"
)

func TestName(t *testing.T) {
	cause := fs.ErrNotExist
	tests := []struct {
		name   string
		err    error
		names  map[string]string
		want   string
		fields []string
	}{
		{"Go names by default", New("set {Rate} and {Duration}"), nil, "set Rate and Duration", []string{"Rate", "Duration"}},
		{"renamed", New("set {Rate} and {Duration}"), map[string]string{"Rate": "<rate>", "Duration": "<duration>"},
			"set <rate> and <duration>", []string{"Rate", "Duration"}},
		{"unnamed field keeps its Go name", New("{Rate}, {Timeout}"), map[string]string{"Rate": "<rate>"}, "<rate>, Timeout", []string{"Rate", "Timeout"}},
		{"cause after the text", Wrap(cause, "looking up (set {VpcID})"), map[string]string{"VpcID": "<vpc>"},
			"looking up (set <vpc>): file does not exist", []string{"VpcID"}},
		{"found through wrapping", fmt.Errorf("outer: %w", New("{Rate}")), map[string]string{"Rate": "<rate>"}, "<rate>", []string{"Rate"}},
		{"other errors unchanged", cause, map[string]string{"Rate": "<rate>"}, cause.Error(), nil},
		{"braces that are no field stay", New(`JSON {"a": 1} in {Body}`), map[string]string{"Body": "--body"}, `JSON {"a": 1} in --body`, []string{"Body"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Name(tt.err, tt.names)
			if got.Error() != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if f := Fields(tt.err); !slices.Equal(f, tt.fields) {
				t.Errorf("fields %v, want %v", f, tt.fields)
			}
			if errors.Is(tt.err, cause) != errors.Is(got, cause) {
				t.Error("naming must keep the cause")
			}
		})
	}
}
