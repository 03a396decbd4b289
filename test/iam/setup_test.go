package iam

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// The placeholders docs/github-actions.md tells the user to replace in the policy documents, and
// what the tests put there: the offline plan's placeholders where the plan has one.
const (
	account     = "123456789012" // plan.AccountID
	repo        = "mlops-retail/retail-api-edge"
	stateBucket = "example-pulumi-state"
)

// role is one IAM role the set-up steps create: its trust policy and its permissions.
type role struct {
	Name     string
	Trust    any   // the trust policy document
	Policies []any // inline policies (put-role-policy)
}

// setup is what docs/github-actions.md's set-up commands create.
type setup struct {
	Roles    map[string]*role
	Policies map[string]any // customer managed policies (create-policy), by name
}

// readSetup reads the `aws iam` commands of the set-up steps in docs/github-actions.md and the
// documents they name, with the placeholders replaced. The tests then evaluate exactly these
// roles and policies: a role, policy or file the steps stop creating is gone from the tests too,
// and a step the tests cannot evaluate (an AWS managed policy attached, whose text is not here)
// is an error.
func readSetup(root string, replace map[string]string) (*setup, error) {
	page, err := os.ReadFile(filepath.Join(root, "docs", "github-actions.md"))
	if err != nil {
		return nil, err
	}
	s := &setup{Roles: map[string]*role{}, Policies: map[string]any{}}
	doc := func(arg string) (any, error) {
		path, ok := strings.CutPrefix(arg, "file://")
		if !ok {
			return nil, fmt.Errorf("%q: the set-up steps must pass documents as file://docs/github-actions/NAME.json", arg)
		}
		data, err := os.ReadFile(filepath.Join(root, path))
		if err != nil {
			return nil, err
		}
		text := string(data)
		for k, v := range replace {
			text = strings.ReplaceAll(text, k, v)
		}
		var d any
		if err := json.Unmarshal([]byte(text), &d); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return d, nil
	}
	for _, cmd := range shellCommands(string(page)) {
		f := strings.Fields(cmd)
		if len(f) < 3 || f[0] != "aws" || f[1] != "iam" {
			continue
		}
		flags := map[string]string{}
		for i := 3; i+1 < len(f); i += 2 {
			flags[f[i]] = f[i+1]
		}
		r := s.Roles[flags["--role-name"]]
		switch f[2] {
		case "create-policy":
			d, err := doc(flags["--policy-document"])
			if err != nil {
				return nil, err
			}
			s.Policies[flags["--policy-name"]] = d
		case "create-role":
			d, err := doc(flags["--assume-role-policy-document"])
			if err != nil {
				return nil, err
			}
			s.Roles[flags["--role-name"]] = &role{Name: flags["--role-name"], Trust: d}
		case "put-role-policy":
			if r == nil {
				return nil, fmt.Errorf("%q: put-role-policy before create-role", cmd)
			}
			d, err := doc(flags["--policy-document"])
			if err != nil {
				return nil, err
			}
			r.Policies = append(r.Policies, d)
		case "create-open-id-connect-provider":
		default:
			return nil, fmt.Errorf("%q: the IAM test cannot evaluate this set-up step (an AWS managed policy's text is not "+
				"here): give the role its permissions inline, from a file in docs/github-actions", cmd)
		}
	}
	return s, nil
}

var shellBlock = regexp.MustCompile("(?s)```sh\n(.*?)```")

// shellCommands are the commands of the page's sh blocks, continuation lines joined.
func shellCommands(page string) []string {
	var out []string
	for _, m := range shellBlock.FindAllStringSubmatch(page, -1) {
		text := strings.ReplaceAll(m[1], "\\\n", " ")
		for line := range strings.SplitSeq(text, "\n") {
			if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
				out = append(out, line)
			}
		}
	}
	return out
}

func (s *setup) names() []string {
	var out []string
	for n := range s.Roles {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}
