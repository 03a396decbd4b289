// Package fielderr lets a library say which of its input fields an error is about without naming
// them the way its caller's users know them (a config key, a command-line flag): the message holds
// {Field} placeholders, and the caller renames them with Name.
package fielderr

import (
	"errors"
	"regexp"
)

// Error is a message with {Field} placeholders (Go field names of the library's input), and the
// cause, if any. Its Error shows the Go field names.
type Error struct {
	Text  string
	Cause error
	names map[string]string
}

// New is an error whose text names fields as {Field}.
func New(text string) error { return &Error{Text: text} }

// Wrap is New with a cause, shown after the text.
func Wrap(cause error, text string) error { return &Error{Text: text, Cause: cause} }

var placeholder = regexp.MustCompile(`\{([A-Z][A-Za-z0-9]*)\}`)

func (e *Error) Error() string {
	s := placeholder.ReplaceAllStringFunc(e.Text, func(m string) string {
		field := m[1 : len(m)-1]
		if name, ok := e.names[field]; ok {
			return name
		}
		return field
	})
	if e.Cause != nil {
		s += ": " + e.Cause.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Cause }

// Name returns the field error in err (text wrapped around it is dropped: callers name the fields
// of errors returned straight to them) with its fields named as in names (field -> name); a field
// names lacks keeps its Go name, and an error with no field error passes unchanged.
func Name(err error, names map[string]string) error {
	var fe *Error
	if !errors.As(err, &fe) {
		return err
	}
	return &Error{Text: fe.Text, Cause: fe.Cause, names: names}
}

// Fields are the fields err's field error names, in order; none for other errors.
func Fields(err error) []string {
	var fe *Error
	if !errors.As(err, &fe) {
		return nil
	}
	var out []string
	for _, m := range placeholder.FindAllStringSubmatch(fe.Text, -1) {
		out = append(out, m[1])
	}
	return out
}
