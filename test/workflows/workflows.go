// Package workflows reads the repository's GitHub Actions workflows as YAML and checks, on the
// parsed structure, the delivery rules docs/github-actions.md promises: least privilege for pull
// request jobs, deployments only in a GitHub environment with that environment's role, only main's
// tip deployed after CI from one build, deploys and destroys never cancelled, a demo expiry that
// fails visibly and audits, actions pinned to recorded commits, the Pulumi CLI pinned and reached
// through OIDC, and pull request numbers never taken from an artifact.
package workflows

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Workflow is a parsed workflow file (GitHub docs, "Workflow syntax for GitHub Actions").
type Workflow struct {
	File        string
	Name        string
	On          map[string]Trigger
	Permissions map[string]string // nil when the workflow declares none
	Concurrency *Concurrency
	Env         map[string]string
	Jobs        map[string]Job
}

// Trigger is one event of `on:` and its filters.
type Trigger struct {
	Workflows, Branches, Types []string
}

// Concurrency is a `concurrency:` block (a bare string is the group).
type Concurrency struct {
	Group            string
	CancelInProgress string // "" when unset (GitHub's default: false)
}

// Job is one job: steps, or a call of a reusable workflow (Uses, With, Secrets).
type Job struct {
	ID          string
	If          string
	Needs       []string
	Permissions map[string]string
	Environment string
	Concurrency *Concurrency
	Env         map[string]string
	Uses        string // a reusable workflow: owner/repo/.github/workflows/file.yml@ref, or ./...
	UsesComment string
	With        map[string]string
	Secrets     map[string]string // "inherit" is the key "*"
	Steps       []Step
}

// Step is one step: an action (Uses, its trailing comment, With) or a script (Run, Shell).
type Step struct {
	ID, Name, If string
	Uses         string
	UsesComment  string
	Run, Shell   string
	With, Env    map[string]string
}

type rawWorkflow struct {
	Name        string            `yaml:"name"`
	On          yaml.Node         `yaml:"on"`
	Permissions yaml.Node         `yaml:"permissions"`
	Concurrency yaml.Node         `yaml:"concurrency"`
	Env         map[string]string `yaml:"env"`
	Jobs        map[string]rawJob `yaml:"jobs"`
}

type rawJob struct {
	If          string            `yaml:"if"`
	Needs       yaml.Node         `yaml:"needs"`
	Permissions yaml.Node         `yaml:"permissions"`
	Environment yaml.Node         `yaml:"environment"`
	Concurrency yaml.Node         `yaml:"concurrency"`
	Env         map[string]string `yaml:"env"`
	Uses        yaml.Node         `yaml:"uses"`
	With        map[string]string `yaml:"with"`
	Secrets     yaml.Node         `yaml:"secrets"`
	Steps       []rawStep         `yaml:"steps"`
}

type rawStep struct {
	ID    string            `yaml:"id"`
	Name  string            `yaml:"name"`
	If    string            `yaml:"if"`
	Uses  yaml.Node         `yaml:"uses"`
	Run   string            `yaml:"run"`
	Shell string            `yaml:"shell"`
	With  map[string]string `yaml:"with"`
	Env   map[string]string `yaml:"env"`
}

// Load reads every workflow in dir (.github/workflows): GitHub runs both *.yml and *.yaml.
func Load(dir string) ([]Workflow, error) {
	var files []string
	for _, ext := range []string{"*.yml", "*.yaml"} {
		m, err := filepath.Glob(filepath.Join(dir, ext))
		if err != nil {
			return nil, err
		}
		files = append(files, m...)
	}
	sort.Strings(files)
	var out []Workflow
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		w, err := Parse(filepath.Base(f), data)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, nil
}

// Parse reads one workflow file's contents.
func Parse(name string, data []byte) (Workflow, error) {
	var raw rawWorkflow
	if err := yaml.Unmarshal(data, &raw); err != nil {
		return Workflow{}, fmt.Errorf("%s: %w", name, err)
	}
	w := Workflow{File: name, Name: raw.Name, On: triggers(&raw.On), Permissions: permissions(&raw.Permissions),
		Concurrency: concurrency(&raw.Concurrency), Env: raw.Env, Jobs: map[string]Job{}}
	for id, j := range raw.Jobs {
		job := Job{ID: id, If: j.If, Needs: list(&j.Needs), Permissions: permissions(&j.Permissions),
			Environment: environment(&j.Environment), Concurrency: concurrency(&j.Concurrency), Env: j.Env,
			Uses: j.Uses.Value, UsesComment: comment(&j.Uses), With: j.With, Secrets: secrets(&j.Secrets)}
		for _, s := range j.Steps {
			job.Steps = append(job.Steps, Step{ID: s.ID, Name: s.Name, If: s.If, Uses: s.Uses.Value, UsesComment: comment(&s.Uses),
				Run: s.Run, Shell: s.Shell, With: s.With, Env: s.Env})
		}
		w.Jobs[id] = job
	}
	return w, nil
}

func comment(n *yaml.Node) string { return strings.TrimSpace(strings.TrimPrefix(n.LineComment, "#")) }

// triggers reads `on:`, which may be an event name, a list of them, or a map of events to filters.
func triggers(n *yaml.Node) map[string]Trigger {
	out := map[string]Trigger{}
	switch n.Kind {
	case yaml.ScalarNode:
		out[n.Value] = Trigger{}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			out[c.Value] = Trigger{}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			var t Trigger
			f := n.Content[i+1]
			for j := 0; f.Kind == yaml.MappingNode && j+1 < len(f.Content); j += 2 {
				switch f.Content[j].Value {
				case "workflows":
					t.Workflows = list(f.Content[j+1])
				case "branches":
					t.Branches = list(f.Content[j+1])
				case "types":
					t.Types = list(f.Content[j+1])
				}
			}
			out[n.Content[i].Value] = t
		}
	}
	return out
}

// list reads a string or a list of strings.
func list(n *yaml.Node) []string {
	switch n.Kind {
	case yaml.ScalarNode:
		return []string{n.Value}
	case yaml.SequenceNode:
		var out []string
		for _, c := range n.Content {
			out = append(out, c.Value)
		}
		return out
	}
	return nil
}

// permissions reads a permissions block; "read-all"/"write-all" become the scope "*".
func permissions(n *yaml.Node) map[string]string {
	switch n.Kind {
	case yaml.ScalarNode:
		return map[string]string{"*": strings.TrimSuffix(n.Value, "-all")}
	case yaml.MappingNode:
		return mapping(n)
	}
	return nil
}

func mapping(n *yaml.Node) map[string]string {
	out := map[string]string{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		out[n.Content[i].Value] = n.Content[i+1].Value
	}
	return out
}

func concurrency(n *yaml.Node) *Concurrency {
	switch n.Kind {
	case yaml.ScalarNode:
		return &Concurrency{Group: n.Value}
	case yaml.MappingNode:
		m := mapping(n)
		return &Concurrency{Group: m["group"], CancelInProgress: m["cancel-in-progress"]}
	}
	return nil
}

// environment reads `environment:` as a name or as {name: ...}.
func environment(n *yaml.Node) string {
	if n.Kind == yaml.MappingNode {
		return mapping(n)["name"]
	}
	return n.Value
}

func secrets(n *yaml.Node) map[string]string {
	switch n.Kind {
	case yaml.ScalarNode:
		return map[string]string{"*": n.Value}
	case yaml.MappingNode:
		return mapping(n)
	}
	return nil
}

// Has reports whether the workflow is triggered by event.
func (w Workflow) Has(event string) bool {
	_, ok := w.On[event]
	return ok
}

// EffectivePermissions is what the job's token gets: its own block, else the workflow's.
func (w Workflow) EffectivePermissions(j Job) map[string]string {
	if j.Permissions != nil {
		return j.Permissions
	}
	return w.Permissions
}

// EnvOf is the value of an environment variable as a step sees it: the step's, the job's or the
// workflow's.
func (w Workflow) EnvOf(j Job, s Step, name string) string {
	for _, env := range []map[string]string{s.Env, j.Env, w.Env} {
		if v, ok := env[name]; ok {
			return v
		}
	}
	return ""
}

// Action is the step's action without its ref ("pulumi/actions"), or "" for a script step.
func (s Step) Action() string {
	name, _, _ := strings.Cut(s.Uses, "@")
	return name
}

// values are every value a job passes anywhere (its env, with, secrets, its steps' run, with, env,
// if): where a reference to a variable, a secret or an ARN would be.
func (w Workflow) values(j Job) []string {
	var out []string
	add := func(m map[string]string) {
		for _, k := range slices.Sorted(maps.Keys(m)) {
			out = append(out, m[k])
		}
	}
	add(w.Env)
	add(j.Env)
	add(j.With)
	add(j.Secrets)
	out = append(out, j.If)
	for _, s := range j.Steps {
		out = append(out, s.Run, s.If)
		add(s.With)
		add(s.Env)
	}
	return out
}
