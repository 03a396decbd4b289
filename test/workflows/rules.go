package workflows

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// The role variables: each preview role's ARN is a variable where its job runs (the repository for
// demo's, the prod-preview environment for prod's); each deploy role's is set only in its
// environment, so a job outside it cannot even read the ARN.
const (
	PreviewRole = "${{ vars.AWS_PREVIEW_ROLE_ARN }}"
	DeployRole  = "${{ vars.AWS_DEPLOY_ROLE_ARN }}"
	// ProdPreview is the environment, with required reviewers, that prod's pull request previews run in.
	ProdPreview = "prod-preview"
)

// Rule is one delivery rule; Check returns what breaks it, one line per problem.
type Rule struct {
	Name  string
	Check func(w Workflow, c Context) []string
}

// Context holds what the rules compare against.
type Context struct {
	PulumiVersion string // the CLI version the integration test runs, without "v"
	// Pins are the recorded commits of the action tags (.github/action-pins.txt): "owner/repo tag" -> sha.
	Pins map[string]string
}

// Rules are every rule, in the order docs/github-actions.md lists them.
var Rules = []Rule{
	{"pull request jobs only read", pullRequestJobsOnlyRead},
	{"AWS roles only through their variables", rolesThroughVariables},
	{"deploy role only in an environment", deployRoleOnlyInEnvironment},
	{"prod previews only behind the prod-preview environment", prodPreviewsGated},
	{"deployment after CI, from one build", deployAfterCIFromOneBuild},
	{"only main's tip is deployed", onlyMainsTip},
	{"deploys and destroys are never cancelled", neverCancelled},
	{"the expiry fails visibly and audits", expiryFailsVisibly},
	{"pull request number never from an artifact", pullRequestFromEvent},
	{"actions pinned to recorded commits", actionsPinned},
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

// roles are the roles a job's configure-aws-credentials steps assume, as written.
func roles(j Job) []string {
	var out []string
	for _, s := range j.Steps {
		if s.Action() == "aws-actions/configure-aws-credentials" {
			out = append(out, s.With["role-to-assume"])
		}
	}
	return out
}

func assumes(j Job, role string) bool { return slices.Contains(roles(j), role) }

// mentions reports whether any value the job passes contains text.
func (w Workflow) mentions(j Job, text string) bool {
	return slices.ContainsFunc(w.values(j), func(v string) bool { return strings.Contains(v, text) })
}

// pullRequestJobsOnlyRead: pull request code runs with a token that can only read, and the only
// write a job may hold is id-token, to assume a read-only preview role.
func pullRequestJobsOnlyRead(w Workflow, _ Context) []string {
	if w.Has("pull_request_target") {
		return []string{"pull_request_target runs with the base repository's write token; use pull_request"}
	}
	if !w.Has("pull_request") {
		return nil
	}
	return eachJob(w, func(id string, j Job) []string {
		var out []string
		if w.mentions(j, "AWS_DEPLOY_ROLE_ARN") {
			out = append(out, fmt.Sprintf("job %s of a pull request workflow names the deploy role", id))
		}
		perms := w.EffectivePermissions(j)
		if perms == nil {
			return append(out, fmt.Sprintf("job %s declares no permissions (the default token may write)", id))
		}
		for _, scope := range slices.Sorted(maps.Keys(perms)) {
			switch level := perms[scope]; {
			case level == "read" || level == "none":
			case scope == "id-token" && level == "write":
				if !assumes(j, PreviewRole) {
					out = append(out, fmt.Sprintf("job %s has id-token: write but does not assume the preview role", id))
				}
			default:
				out = append(out, fmt.Sprintf("job %s has %s: %s", id, scope, level))
			}
		}
		return out
	})
}

var literalARN = regexp.MustCompile(`arn:aws[\w-]*:iam::\d{12}:role/`)

// rolesThroughVariables: a job assumes only the role of its variable, never one written into the
// workflow, where any job, a pull request's included, could use it.
func rolesThroughVariables(w Workflow, _ Context) []string {
	return eachJob(w, func(id string, j Job) []string {
		var out []string
		for _, r := range roles(j) {
			if r != PreviewRole && r != DeployRole {
				out = append(out, fmt.Sprintf("job %s assumes %q; assume %s or %s", id, r, PreviewRole, DeployRole))
			}
		}
		if slices.ContainsFunc(w.values(j), literalARN.MatchString) {
			out = append(out, fmt.Sprintf("job %s writes a role ARN into the workflow", id))
		}
		return out
	})
}

// changesStack reports whether a job runs a Pulumi command that changes a stack.
func changesStack(j Job) bool {
	for _, s := range j.Steps {
		if s.Action() == "pulumi/actions" {
			switch s.With["command"] {
			case "up", "update", "destroy", "refresh", "import":
				return true
			}
		}
		for _, cmd := range []string{"pulumi up", "pulumi update", "pulumi destroy", "pulumi refresh", "pulumi import"} {
			if strings.Contains(s.Run, cmd) {
				return true
			}
		}
	}
	return false
}

var onMain = regexp.MustCompile(`github\.ref\s*==\s*'refs/heads/main'`)

// deployRoleOnlyInEnvironment: whatever can change a stack runs in a GitHub environment (whose
// reviewers and branch rules apply, and whose deploy role trusts only it), with the deploy role,
// from main; the preview role never changes anything.
func deployRoleOnlyInEnvironment(w Workflow, _ Context) []string {
	return eachJob(w, func(id string, j Job) []string {
		deploys, changes := assumes(j, DeployRole), changesStack(j)
		var out []string
		if (deploys || changes) && (j.Environment == "" || j.Environment == ProdPreview) {
			out = append(out, fmt.Sprintf("job %s deploys or assumes the deploy role without a deploy environment", id))
		}
		if changes && !deploys {
			out = append(out, fmt.Sprintf("job %s changes a stack without the deploy role", id))
		}
		if assumes(j, PreviewRole) && (deploys || changes) {
			out = append(out, fmt.Sprintf("job %s mixes the preview role with deploying", id))
		}
		if (w.Has("workflow_dispatch") || w.Has("schedule")) && (deploys || changes) && !onMain.MatchString(j.If) {
			out = append(out, fmt.Sprintf("job %s can run from any branch (dispatch or schedule): require github.ref == 'refs/heads/main'", id))
		}
		return out
	})
}

// prodPreviewsGated: a pull request job gets prod's passphrase and prod's preview role only in the
// prod-preview environment; one without an environment previews demo, with demo's passphrase.
func prodPreviewsGated(w Workflow, _ Context) []string {
	if !w.Has("pull_request") {
		return nil
	}
	return eachJob(w, func(id string, j Job) []string {
		if !assumes(j, PreviewRole) {
			return nil
		}
		stack, pass := j.Env["STACK"], j.Env["PULUMI_CONFIG_PASSPHRASE"]
		switch j.Environment {
		case "":
			if stack != "demo" || pass != "${{ secrets.PULUMI_CONFIG_PASSPHRASE_DEMO }}" {
				return []string{fmt.Sprintf("job %s previews %q with %q outside %s: only demo, with demo's passphrase", id, stack, pass, ProdPreview)}
			}
		case ProdPreview:
			if stack != "prod" {
				return []string{fmt.Sprintf("job %s runs in %s but previews %q", id, ProdPreview, stack)}
			}
		default:
			return []string{fmt.Sprintf("job %s previews in environment %q, which holds a deploy role", id, j.Environment)}
		}
		return nil
	})
}

func upSteps(j Job) []int {
	var out []int
	for i, s := range j.Steps {
		if s.Action() == "pulumi/actions" && (s.With["command"] == "up" || s.With["command"] == "update") {
			out = append(out, i)
		}
	}
	return out
}

// gate is the condition a deployment waits for: CI succeeded for a push, with nothing that could
// make it true otherwise.
var gate = []string{"github.event.workflow_run.conclusion == 'success'", "github.event.workflow_run.event == 'push'"}

// deployAfterCIFromOneBuild: `pulumi up` runs only after CI passed for a push to main, from a binary
// built once in the job (runtime.options.binary), and never re-runs the tests.
func deployAfterCIFromOneBuild(w Workflow, _ Context) []string {
	return eachJob(w, func(id string, j Job) []string {
		if len(upSteps(j)) == 0 {
			return nil
		}
		var out []string
		t, ok := w.On["workflow_run"]
		if !ok || !slices.Equal(t.Workflows, []string{"ci"}) || !slices.Equal(t.Types, []string{"completed"}) || !slices.Equal(t.Branches, []string{"main"}) {
			out = append(out, fmt.Sprintf("job %s deploys without waiting for a completed ci run on main (on.workflow_run)", id))
		}
		if len(w.On) != 1 {
			out = append(out, fmt.Sprintf("job %s's workflow has other triggers than workflow_run", id))
		}
		if clauses := strings.Split(j.If, "&&"); len(clauses) != len(gate) || !gateClauses(clauses) {
			out = append(out, fmt.Sprintf("job %s's if must be exactly %q, got %q", id, strings.Join(gate, " && "), j.If))
		}
		build := ""
		for _, s := range j.Steps {
			if m := buildOnce.FindStringSubmatch(s.Run); m != nil {
				build = m[1]
				if !strings.Contains(s.Run, `"binary": "`+build+`"`) {
					out = append(out, fmt.Sprintf("job %s does not point runtime.options.binary at %s", id, build))
				}
			}
			for _, slow := range []string{".ci/run", "scripts/integration", "go test"} {
				if strings.Contains(s.Run, slow) {
					out = append(out, fmt.Sprintf("job %s re-runs %s, which CI already passed", id, slow))
				}
			}
		}
		if build == "" {
			out = append(out, fmt.Sprintf("job %s does not build the program once with go build -o bin/...", id))
		}
		if !slices.ContainsFunc(j.Steps, func(s Step) bool { return s.Action() == "actions/setup-go" && s.With["cache"] == "true" }) {
			out = append(out, fmt.Sprintf("job %s does not restore the Go build cache", id))
		}
		return out
	})
}

func gateClauses(clauses []string) bool {
	for i, c := range clauses {
		if strings.TrimSpace(c) != gate[i] {
			return false
		}
	}
	return true
}

var (
	buildOnce = regexp.MustCompile(`go build -o (bin/\S+)`)
	// tipCheck is a script that asks the API for main's tip and compares it with the run's commit.
	tipCheck = regexp.MustCompile(`(?s)gh api\s+"?repos/\$\w+/commits/main"?.*\$RUN_SHA`)
)

// onlyMainsTip: a deployment first asks for main's tip and changes nothing unless the run's commit
// is it, so re-running an old CI run cannot roll the stack back.
func onlyMainsTip(w Workflow, _ Context) []string {
	return eachJob(w, func(id string, j Job) []string {
		ups := upSteps(j)
		if len(ups) == 0 {
			return nil
		}
		first := -1
		for i, s := range j.Steps {
			if tipCheck.MatchString(s.Run) && s.ID != "" && w.EnvOf(j, s, "RUN_SHA") == "${{ github.event.workflow_run.head_sha }}" {
				first = i
				break
			}
		}
		if first != 0 {
			return []string{fmt.Sprintf("job %s does not start by comparing the run's head_sha with main's tip (a step with an id, gh api repos/$REPO/commits/main, RUN_SHA)", id)}
		}
		want := "steps." + j.Steps[first].ID + ".outputs.current == 'true'"
		var out []string
		for _, s := range j.Steps[first+1:] {
			if !strings.Contains(s.If, want) {
				out = append(out, fmt.Sprintf("job %s runs %q even when the run is not main's tip (if: %s)", id, s.Uses+s.Name, want))
			}
		}
		return out
	})
}

// neverCancelled: every job that changes a stack has its own job-level concurrency group, named
// after its workflow (so a deploy, a destroy and the hourly expiry never share one: a new pending
// run replaces the pending one of its group), with cancel-in-progress false; its workflow has no
// workflow-level group.
func neverCancelled(w Workflow, _ Context) []string {
	return eachJob(w, func(id string, j Job) []string {
		if !changesStack(j) {
			return nil
		}
		var out []string
		if w.Concurrency != nil {
			out = append(out, fmt.Sprintf("workflow-level concurrency %q queues job %s behind other workflows' runs", w.Concurrency.Group, id))
		}
		if c := j.Concurrency; c == nil {
			out = append(out, fmt.Sprintf("job %s changes a stack without a concurrency group", id))
		} else {
			if c.CancelInProgress != "false" {
				out = append(out, fmt.Sprintf("job %s must set cancel-in-progress: false, got %q", id, c.CancelInProgress))
			}
			if !strings.HasPrefix(c.Group, w.Name+"-") {
				out = append(out, fmt.Sprintf("job %s's group %q must start with %q (its own workflow's)", id, c.Group, w.Name+"-"))
			}
		}
		return out
	})
}

// stackList is `pulumi stack ls` (or its alias `list`), global flags before `stack` included.
var stackList = regexp.MustCompile(`\bpulumi(\s+-\S+)*\s+stack\s+(ls|list)\b`)

// commands is a script without its comment lines, which may name a command without running it.
func commands(script string) string {
	var out []string
	for line := range strings.SplitSeq(script, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

// expiryFailsVisibly: a scheduled destroy destroys only demo (and reads no other stack's state), fails on any error of its scripts
// (set -euo pipefail, nothing sent to /dev/null), and audits for leftovers after the destroy.
func expiryFailsVisibly(w Workflow, _ Context) []string {
	return eachJob(w, func(id string, j Job) []string {
		destroys := slices.IndexFunc(j.Steps, func(s Step) bool {
			return s.Action() == "pulumi/actions" && s.With["command"] == "destroy" || strings.Contains(s.Run, "pulumi destroy")
		})
		if destroys < 0 {
			return nil
		}
		var out []string
		if !slices.ContainsFunc(j.Steps[destroys+1:], func(s Step) bool { return strings.Contains(s.Run, "edgectl audit") }) {
			out = append(out, fmt.Sprintf("job %s destroys without the leak audit (edgectl audit) after it", id))
		}
		if !w.Has("schedule") {
			return out
		}
		if stack := j.Env["STACK"]; j.Environment != "demo" || !strings.Contains(stack, "demo") || strings.Contains(stack, "prod") {
			out = append(out, fmt.Sprintf("job %s expires %q in environment %q: only the demo stack, in demo", id, j.Env["STACK"], j.Environment))
		}
		for _, s := range j.Steps {
			if s.Run == "" {
				continue
			}
			// On the S3 (DIY) backend, `pulumi stack ls` reads every stack's checkpoint, and demo's
			// deploy role may read only demo's state objects (deploy-policy-demo.json,
			// ThisStacksState): once a prod stack exists, it fails. Select the one stack instead.
			if stackList.MatchString(commands(s.Run)) {
				out = append(out, fmt.Sprintf("job %s: step %q runs pulumi stack ls, which reads every stack's state: only the demo stack (pulumi stack select \"$STACK\")", id, s.Name))
			}
			// GitHub runs `shell: bash` as bash --noprofile --norc -eo pipefail (workflow syntax, "jobs.<job_id>.steps[*].shell").
			if s.Shell != "bash" && !strings.Contains(s.Run, "set -euo pipefail") {
				out = append(out, fmt.Sprintf("job %s: step %q runs without pipefail (shell: bash, or set -euo pipefail)", id, s.Name))
			}
			if strings.Contains(s.Run, "/dev/null") {
				out = append(out, fmt.Sprintf("job %s: step %q hides output in /dev/null", id, s.Name))
			}
		}
		return out
	})
}

// pullRequestFromEvent: a workflow that writes to pull requests takes the pull request from its
// triggering event (the run's head commit), never a number from an artifact a fork made, and only
// checks out code that was pushed to this repository.
func pullRequestFromEvent(w Workflow, _ Context) []string {
	var out []string
	out = append(out, eachJob(w, func(id string, j Job) []string {
		if !slices.ContainsFunc(j.Steps, func(s Step) bool { return s.Action() == "actions/upload-artifact" }) {
			return nil
		}
		var out []string
		for _, ref := range []string{"pull_request.number", "github.event.number", "pr-number"} {
			if w.mentions(j, ref) {
				out = append(out, fmt.Sprintf("job %s uploads artifacts and writes %s into its steps", id, ref))
			}
		}
		return out
	})...)
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

var (
	byHeadCommit = regexp.MustCompile(`head\.sha\s*===?\s*(run|context\.payload\.workflow_run)\.head_sha`)
	pinnedAction = regexp.MustCompile(`^([\w.-]+/[\w.-]+)(/[\w./-]+)?@([0-9a-f]{40})$`)
	versionNote  = regexp.MustCompile(`^(v\d+(\.\d+){0,2})\b`)
	pinnedImage  = regexp.MustCompile(`^docker://[^@]+@sha256:[0-9a-f]{64}$`)
)

// actionsPinned: every action and reusable workflow is pinned to a commit, with its version in a
// comment for review and for update tools, and that commit is the one recorded for the version in
// .github/action-pins.txt: a changed SHA must come with a changed record.
func actionsPinned(w Workflow, c Context) []string {
	return eachJob(w, func(id string, j Job) []string {
		var out []string
		check := func(what, uses, note string) {
			switch {
			case uses == "" || strings.HasPrefix(uses, "./"):
			case strings.HasPrefix(uses, "docker://"):
				if !pinnedImage.MatchString(uses) {
					out = append(out, fmt.Sprintf("job %s %s %s, not pinned to an image digest", id, what, uses))
				}
			default:
				m := pinnedAction.FindStringSubmatch(uses)
				v := versionNote.FindStringSubmatch(note)
				switch {
				case m == nil:
					out = append(out, fmt.Sprintf("job %s %s %s, not pinned to a commit SHA", id, what, uses))
				case v == nil:
					out = append(out, fmt.Sprintf("job %s %s %s without its version in a comment (# vX.Y.Z)", id, what, uses))
				case c.Pins[m[1]+" "+v[1]] != m[3]:
					out = append(out, fmt.Sprintf("job %s %s %s as %s, which is not the recorded commit of %s %s (%q in .github/action-pins.txt)",
						id, what, uses, v[1], m[1], v[1], c.Pins[m[1]+" "+v[1]]))
				}
			}
		}
		check("calls", j.Uses, j.UsesComment)
		for _, s := range j.Steps {
			check("uses", s.Uses, s.UsesComment)
		}
		return out
	})
}

// pulumiPinnedAndOIDC: the Pulumi CLI is the version the integration test runs, and Pulumi Cloud
// is reached with a short-lived OIDC token, never a stored access token.
func pulumiPinnedAndOIDC(w Workflow, c Context) []string {
	return eachJob(w, func(id string, j Job) []string {
		var out []string
		if w.mentions(j, "PULUMI_ACCESS_TOKEN") || j.Secrets["PULUMI_ACCESS_TOKEN"] != "" {
			out = append(out, fmt.Sprintf("job %s uses a stored PULUMI_ACCESS_TOKEN; use pulumi/auth-actions (OIDC)", id))
		}
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
	})
}
