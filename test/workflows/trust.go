package workflows

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
)

// Trust is what a role's trust policy lets in: the condition operator on the GitHub OIDC subject
// and its values.
type Trust struct {
	Operator string
	Subjects []string
	Audience string
}

type policyDocument struct {
	Statement []struct {
		Effect    string
		Action    any
		Condition map[string]map[string]any
	}
}

// ReadTrust reads a trust policy document (docs/github-actions/*-trust.json). Each file holds one
// statement, so the subject list is the whole of what may assume the role.
func ReadTrust(path string) (Trust, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Trust{}, err
	}
	var doc policyDocument
	if err := json.Unmarshal(data, &doc); err != nil {
		return Trust{}, fmt.Errorf("%s: %w", path, err)
	}
	if len(doc.Statement) != 1 || doc.Statement[0].Effect != "Allow" {
		return Trust{}, fmt.Errorf("%s: want exactly one Allow statement", path)
	}
	var t Trust
	for op, claims := range doc.Statement[0].Condition {
		if sub, ok := claims["token.actions.githubusercontent.com:sub"]; ok {
			t.Operator = op
			t.Subjects = values(sub)
		}
		if aud, ok := claims["token.actions.githubusercontent.com:aud"].(string); ok {
			t.Audience = aud
		}
	}
	sort.Strings(t.Subjects)
	return t, nil
}

// values reads a condition value, which IAM allows as one string or a list.
func values(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, s := range v {
			out = append(out, fmt.Sprint(s))
		}
		return out
	}
	return nil
}
