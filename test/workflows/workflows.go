// Package workflows reads the repository's GitHub Actions workflows and checks the delivery rules
// docs/github-actions.md promises: least privilege for pull request jobs, deployments only in a GitHub
// environment with the deploy role, pinned actions and Pulumi CLI, OIDC instead of stored Pulumi
// tokens, pull request numbers never taken from an artifact, and a deployment that reuses CI's
// verdict and builds the program once.
package workflows

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Workflow is the part of a workflow file the rules look at.
type Workflow struct {
	File        string
	Triggers    []string
	Permissions map[string]string // nil when the workflow declares none
	Jobs        map[string]Job
	Raw         string
}

// Job is one job of a workflow.
type Job struct {
	If          string
	Permissions map[string]string
	Environment string
	Steps       []Step
}

// Step is one step: an action (Uses, its trailing comment, With) or a script (Run).
type Step struct {
	Uses        string
	UsesComment string
	Run         string
	With        map[string]string
}

type rawWorkflow struct {
	On          yaml.Node         `yaml:"on"`
	Permissions yaml.Node         `yaml:"permissions"`
	Jobs        map[string]rawJob `yaml:"jobs"`
}

type rawJob struct {
	If          string    `yaml:"if"`
	Permissions yaml.Node `yaml:"permissions"`
	Environment yaml.Node `yaml:"environment"`
	Steps       []rawStep `yaml:"steps"`
}

type rawStep struct {
	Uses yaml.Node         `yaml:"uses"`
	Run  string            `yaml:"run"`
	With map[string]string `yaml:"with"`
}

// Load reads every workflow in dir (.github/workflows).
func Load(dir string) ([]Workflow, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yml"))
	if err != nil {
		return nil, err
	}
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
	w := Workflow{File: name, Triggers: triggers(&raw.On), Permissions: permissions(&raw.Permissions),
		Jobs: map[string]Job{}, Raw: string(data)}
	for id, j := range raw.Jobs {
		job := Job{If: j.If, Permissions: permissions(&j.Permissions), Environment: environment(&j.Environment)}
		for _, s := range j.Steps {
			job.Steps = append(job.Steps, Step{Uses: s.Uses.Value,
				UsesComment: strings.TrimSpace(strings.TrimPrefix(s.Uses.LineComment, "#")), Run: s.Run, With: s.With})
		}
		w.Jobs[id] = job
	}
	return w, nil
}

// triggers lists the events of `on:`, which may be a name, a list or a map.
func triggers(n *yaml.Node) []string {
	var out []string
	switch n.Kind {
	case yaml.ScalarNode:
		out = append(out, n.Value)
	case yaml.SequenceNode:
		for _, c := range n.Content {
			out = append(out, c.Value)
		}
	case yaml.MappingNode:
		for i := 0; i < len(n.Content); i += 2 {
			out = append(out, n.Content[i].Value)
		}
	}
	sort.Strings(out)
	return out
}

// permissions reads a permissions block; "read-all"/"write-all" become the scope "*".
func permissions(n *yaml.Node) map[string]string {
	switch n.Kind {
	case yaml.ScalarNode:
		return map[string]string{"*": strings.TrimSuffix(n.Value, "-all")}
	case yaml.MappingNode:
		out := map[string]string{}
		for i := 0; i < len(n.Content); i += 2 {
			out[n.Content[i].Value] = n.Content[i+1].Value
		}
		return out
	}
	return nil
}

// environment reads `environment:` as a name or as {name: ...}.
func environment(n *yaml.Node) string {
	if n.Kind == yaml.MappingNode {
		for i := 0; i < len(n.Content); i += 2 {
			if n.Content[i].Value == "name" {
				return n.Content[i+1].Value
			}
		}
	}
	return n.Value
}

// Has reports whether the workflow is triggered by event.
func (w Workflow) Has(event string) bool {
	for _, t := range w.Triggers {
		if t == event {
			return true
		}
	}
	return false
}

// EffectivePermissions is what the job's token gets: its own block, else the workflow's.
func (w Workflow) EffectivePermissions(j Job) map[string]string {
	if j.Permissions != nil {
		return j.Permissions
	}
	return w.Permissions
}

// Action is the step's action without its ref ("pulumi/actions"), or "" for a script step.
func (s Step) Action() string {
	name, _, _ := strings.Cut(s.Uses, "@")
	return name
}

// Text is everything a step runs or passes, for rules that look for a reference anywhere in it.
func (s Step) Text() string {
	parts := []string{s.Uses, s.Run}
	keys := make([]string, 0, len(s.With))
	for k := range s.With {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		parts = append(parts, k+": "+s.With[k])
	}
	return strings.Join(parts, "\n")
}
