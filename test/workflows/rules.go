package workflows

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// The role variables: the preview role is a repository variable; the deploy role is set only in
// the demo and prod environments, so a job without one of them cannot even read its ARN.
const (
	PreviewRole = "vars.AWS_PREVIEW_ROLE_ARN"
	DeployRole  = "vars.AWS_DEPLOY_ROLE_ARN"
)

// Rule is one delivery rule; Check returns what breaks it, one line per problem.
type Rule struct {
	Name  string
	Check func(w Workflow, c Context) []string
}

// Context holds what the rules compare against.
type Context struct {
	PulumiVersion string // the CLI version the integration test runs, without "v"
}

// Rules are every rule, in the order docs/github-actions.md lists them.
var Rules = []Rule{
	{"pull request jobs only read", pullRequestJobsOnlyRead},
	{"deploy role only in an environment", deployRoleOnlyInEnvironment},
	{"deployment after CI, from one build", deployAfterCIFromOneBuild},
	{"pull request number never from an artifact", pullRequestFromEvent},
	{"actions pinned by commit", actionsPinned},
	{"Pulumi CLI pinned, Pulumi Cloud through OIDC", pulumiPinnedAndOIDC},
}

// Check runs every rule on every workflow.
func Check(ws []Workflow, c Context) []string {
	var out []string
	for _, w := range ws {
		for _, r := range Rules {
			for _, p := range r.Check(w, c) {
				out = append(out, fmt.Sprintf("%s: %s: %s", w.File, r.Name, p))
			}
		}
	}
	return out
}

// eachJob calls f on the jobs in a stable order and gathers the problems.
func eachJob(w Workflow, f func(id string, j Job) []string) []string {
	ids := make([]string, 0, len(w.Jobs))
	for id := range w.Jobs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var out []string
	for _, id := range ids {
		out = append(out, f(id, w.Jobs[id])...)
	}
	return out
}

func jobText(j Job) string {
	parts := []string{j.If}
	for _, s := range j.Steps {
		parts = append(parts, s.Text())
	}
	return strings.Join(parts, "\n")
}

// pullRequestJobsOnlyRead: pull request code runs with a token that can only read, and the only
// write a job may hold is id-token, to assume the read-only preview role.
func pullRequestJobsOnlyRead(w Workflow, _ Context) []string {
	if w.Has("pull_request_target") {
		return []string{"pull_request_target runs with the base repository's write token; use pull_request"}
	}
	if !w.Has("pull_request") {
		return nil
	}
	var out []string
	if strings.Contains(w.Raw, DeployRole) {
		out = append(out, "a pull request workflow names the deploy role")
	}
	return append(out, eachJob(w, func(id string, j Job) []string {
		perms := w.EffectivePermissions(j)
		if perms == nil {
			return []string{fmt.Sprintf("job %s declares no permissions (the default token may write)", id)}
		}
		var out []string
		for scope, level := range perms {
			switch {
			case level == "read" || level == "none":
			case scope == "id-token" && level == "write":
				if !strings.Contains(jobText(j), PreviewRole) {
					out = append(out, fmt.Sprintf("job %s has id-token: write but does not assume the preview role", id))
				}
			default:
				out = append(out, fmt.Sprintf("job %s has %s: %s", id, scope, level))
			}
		}
		sort.Strings(out)
		return out
	})...)
}

// changesInfrastructure reports whether a job runs a Pulumi command that changes a stack.
func changesInfrastructure(j Job) bool {
	for _, s := range j.Steps {
		if s.Action() == "pulumi/actions" {
			switch s.With["command"] {
			case "up", "update", "destroy", "refresh", "import":
				return true
			}
		}
		for _, cmd := range []string{"pulumi up", "pulumi destroy", "pulumi refresh"} {
			if strings.Contains(s.Run, cmd) {
				return true
			}
		}
	}
	return false
}

// deployRoleOnlyInEnvironment: whatever can change a stack runs in a GitHub environment, with the
// deploy role, whose trust names only those environments.
func deployRoleOnlyInEnvironment(w Workflow, _ Context) []string {
	return eachJob(w, func(id string, j Job) []string {
		text := jobText(j)
		uses := strings.Contains(text, DeployRole)
		var out []string
		if (uses || changesInfrastructure(j)) && j.Environment == "" {
			out = append(out, fmt.Sprintf("job %s deploys or assumes the deploy role without an environment", id))
		}
		if changesInfrastructure(j) && !uses {
			out = append(out, fmt.Sprintf("job %s changes a stack without the deploy role", id))
		}
		if strings.Contains(text, PreviewRole) && (uses || changesInfrastructure(j)) {
			out = append(out, fmt.Sprintf("job %s mixes the preview role with deploying", id))
		}
		return out
	})
}

// deployAfterCIFromOneBuild: `pulumi up` runs only after CI passed for the commit, from a binary
// built once in the job (runtime.options.binary), and never re-runs the tests.
func deployAfterCIFromOneBuild(w Workflow, _ Context) []string {
	return eachJob(w, func(id string, j Job) []string {
		up := false
		for _, s := range j.Steps {
			if s.Action() == "pulumi/actions" && (s.With["command"] == "up" || s.With["command"] == "update") {
				up = true
			}
		}
		if !up {
			return nil
		}
		var out []string
		if !w.Has("workflow_run") || !strings.Contains(w.Raw, "workflows: [ci]") ||
			!strings.Contains(j.If, "workflow_run.conclusion == 'success'") {
			out = append(out, fmt.Sprintf("job %s deploys without waiting for a successful ci run", id))
		}
		text := jobText(j)
		build := buildOnce.FindStringSubmatch(text)
		switch {
		case build == nil:
			out = append(out, fmt.Sprintf("job %s does not build the program once with go build -o bin/...", id))
		case !strings.Contains(text, `"binary": "`+build[1]+`"`):
			out = append(out, fmt.Sprintf("job %s does not point runtime.options.binary at %s", id, build[1]))
		}
		for _, slow := range []string{".ci/run", "scripts/integration", "go test"} {
			if strings.Contains(text, slow) {
				out = append(out, fmt.Sprintf("job %s re-runs %s, which CI already passed", id, slow))
			}
		}
		cached := false
		for _, s := range j.Steps {
			if s.Action() == "actions/setup-go" && s.With["cache"] == "true" {
				cached = true
			}
		}
		if !cached {
			out = append(out, fmt.Sprintf("job %s does not restore the Go build cache", id))
		}
		return out
	})
}

// pullRequestFromEvent: a workflow that writes to pull requests takes the pull request from its
// triggering event (the run's head commit), never a number from an artifact a fork made, and only
// checks out code that was pushed to this repository.
func pullRequestFromEvent(w Workflow, _ Context) []string {
	var out []string
	// stepsText holds every step's action, so one search finds whether the workflow uploads.
	if text := stepsText(w); strings.Contains(text, "actions/upload-artifact@") {
		for _, ref := range []string{"pull_request.number", "github.event.number", "pr-number"} {
			if strings.Contains(text, ref) {
				out = append(out, fmt.Sprintf("a workflow that uploads artifacts writes %s into its steps", ref))
			}
		}
	}
	if !w.Has("workflow_run") {
		return out
	}
	return append(out, eachJob(w, func(id string, j Job) []string {
		var out []string
		for _, s := range j.Steps {
			script := s.With["script"]
			if s.Action() == "actions/checkout" && strings.Contains(s.With["ref"], "workflow_run") &&
				!strings.Contains(j.If, "workflow_run.event == 'push'") {
				out = append(out, fmt.Sprintf("job %s checks out the triggering run's code without requiring a push", id))
			}
			if s.With["allow-unsafe-pr-checkout"] == "true" {
				out = append(out, fmt.Sprintf("job %s allows an unsafe pull request checkout", id))
			}
			if !strings.Contains(script, "issue_number") {
				continue
			}
			if !byHeadCommit.MatchString(script) {
				out = append(out, fmt.Sprintf("job %s comments without finding the pull request by the run's head commit", id))
			}
			for _, parse := range []string{"Number(", "parseInt(", "JSON.parse("} {
				if strings.Contains(script, parse) {
					out = append(out, fmt.Sprintf("job %s turns artifact text into values with %s", id, parse))
				}
			}
		}
		return out
	})...)
}

// stepsText is every job's text; the order does not matter to the searches that use it.
func stepsText(w Workflow) string {
	var parts []string
	for _, j := range w.Jobs {
		parts = append(parts, jobText(j))
	}
	return strings.Join(parts, "\n")
}

var (
	buildOnce    = regexp.MustCompile(`go build -o (bin/\S+)`)
	byHeadCommit = regexp.MustCompile(`head\.sha\s*===?\s*(run|context\.payload\.workflow_run)\.head_sha`)
	pinnedAction = regexp.MustCompile(`^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$`)
	versionNote  = regexp.MustCompile(`^v\d+(\.\d+){0,2}\b`)
)

// actionsPinned: every action is pinned to a commit, with its version in a comment for review
// and for update tools.
func actionsPinned(w Workflow, _ Context) []string {
	return eachJob(w, func(id string, j Job) []string {
		var out []string
		for _, s := range j.Steps {
			if s.Uses == "" || strings.HasPrefix(s.Uses, "./") || strings.HasPrefix(s.Uses, "docker://") {
				continue
			}
			if !pinnedAction.MatchString(s.Uses) {
				out = append(out, fmt.Sprintf("job %s uses %s, not pinned to a commit SHA", id, s.Uses))
			} else if !versionNote.MatchString(s.UsesComment) {
				out = append(out, fmt.Sprintf("job %s uses %s without its version in a comment (# vX.Y.Z)", id, s.Uses))
			}
		}
		return out
	})
}

// pulumiPinnedAndOIDC: the Pulumi CLI is the version the integration test runs, and Pulumi Cloud
// is reached with a short-lived OIDC token, never a stored access token.
func pulumiPinnedAndOIDC(w Workflow, c Context) []string {
	var out []string
	if strings.Contains(w.Raw, "PULUMI_ACCESS_TOKEN") {
		out = append(out, "a stored PULUMI_ACCESS_TOKEN; use pulumi/auth-actions (OIDC)")
	}
	return append(out, eachJob(w, func(id string, j Job) []string {
		var out []string
		auth, runs := false, false
		for _, s := range j.Steps {
			switch s.Action() {
			case "pulumi/auth-actions":
				auth = true
			case "pulumi/actions":
				if v := s.With["pulumi-version"]; v != c.PulumiVersion {
					out = append(out, fmt.Sprintf("job %s runs Pulumi CLI %q, want %q (the integration test's)", id, v, c.PulumiVersion))
				}
				runs = true
			}
		}
		if runs && !auth {
			out = append(out, fmt.Sprintf("job %s runs pulumi without pulumi/auth-actions", id))
		}
		return out
	})...)
}
