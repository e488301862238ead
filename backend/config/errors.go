package config

import (
	"sort"
	"strings"

	"ytsum/backend/ytsum"
)

// FieldErrors maps a setting's JSON key (or, for a bad environment
// variable, the variable's name) to a sentence saying what is wrong and what
// to enter instead. A sentence never repeats the rejected value. It is the
// cause (Err) of the *ytsum.Error with code invalid and kind
// "invalid_settings" that Apply and Load return, so
// errors.As(err, &fe) finds it.
type FieldErrors map[string]string

// Error lists the fields and sentences, sorted by key.
func (fe FieldErrors) Error() string {
	keys := make([]string, 0, len(fe))
	for k := range fe {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(k + ": " + fe[k])
	}
	return b.String()
}

// FieldErrors returns fe itself; front doors look for this method to add a
// "fields" object to their error answer.
func (fe FieldErrors) FieldErrors() map[string]string { return fe }

// invalid returns fe as the boundary error, or nil when fe is empty.
func (fe FieldErrors) invalid(message string) error {
	if len(fe) == 0 {
		return nil
	}
	return ytsum.Wrap(fe, ytsum.CodeInvalid, "invalid_settings", message)
}
