package workflows

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

const dir = "../../.github/workflows"

// context reads what the rules compare against: the Pulumi CLI version the integration test builds
// (so the workflows and the tested CLI cannot drift apart) and the recorded action pins.
func context(t *testing.T) Context {
	t.Helper()
	data, err := os.ReadFile("../../scripts/integration/build-tools")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^PULUMI_VERSION=v(\S+)$`).FindSubmatch(data)
	if m == nil {
		t.Fatal("scripts/integration/build-tools sets no PULUMI_VERSION")
	}
	return Context{PulumiVersion: string(m[1]), Pins: pins(t)}
}

// pins reads .github/action-pins.txt: "owner/repo tag sha" lines.
func pins(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open("../../.github/action-pins.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 3 || !regexp.MustCompile(`^[0-9a-f]{40}$`).MatchString(fields[2]) {
			t.Fatalf(".github/action-pins.txt: %q is not \"owner/repo tag sha\"", line)
		}
		out[fields[0]+" "+fields[1]] = fields[2]
	}
	return out
}

func TestRepositoryWorkflowsKeepTheRules(t *testing.T) {
	ws, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) < 7 {
		t.Fatalf("read %d workflows from %s, want the seven of docs/github-actions.md", len(ws), dir)
	}
	for _, p := range Check(ws, context(t)) {
		t.Error(p)
	}
}

// TestEveryPinIsUsed: the record holds the pins the workflows use and no stale ones, so it is
// the list a reviewer checks.
func TestEveryPinIsUsed(t *testing.T) {
	ws, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	for _, w := range ws {
		for _, j := range w.Jobs {
			for _, s := range append([]Step{{Uses: j.Uses, UsesComment: j.UsesComment}}, j.Steps...) {
				if m, v := pinnedAction.FindStringSubmatch(s.Uses), versionNote.FindStringSubmatch(s.UsesComment); m != nil && v != nil {
					used[m[1]+" "+v[1]] = true
				}
			}
		}
	}
	for pin := range context(t).Pins {
		if !used[pin] {
			t.Errorf(".github/action-pins.txt records %s, which no workflow uses", pin)
		}
	}
}

// mutation breaks one rule in a real workflow the way a careless edit would: the text old in file
// (or a new file) becomes new, and the rule must report a problem containing want.
type mutation struct {
	name, file, old, new string
	rule, want           string
}

const evilWorkflow = `name: evil
on:
  pull_request_target:
permissions: write-all
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: make
`

var mutations = []mutation{
	{"a pinned SHA replaced by another under the same tag", "ci.yml",
		"actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1", "actions/checkout@0000000000000000000000000000000000000001 # v7.0.1",
		"actions pinned to recorded commits", "not the recorded commit of actions/checkout v7.0.1"},
	{"a reusable workflow on a branch", "ci.yml",
		"jobs:\n", "jobs:\n  shared:\n    uses: mlops-retail/shared/.github/workflows/lint.yml@main\n    permissions:\n      contents: read\n",
		"actions pinned to recorded commits", "job shared calls mlops-retail/shared/.github/workflows/lint.yml@main, not pinned"},
	{"a reusable workflow pinned to an unrecorded commit", "ci.yml",
		"jobs:\n", "jobs:\n  shared:\n    uses: mlops-retail/shared/.github/workflows/lint.yml@1111111111111111111111111111111111111111 # v1.0.0\n    permissions:\n      contents: read\n",
		"actions pinned to recorded commits", "not the recorded commit of mlops-retail/shared v1.0.0"},
	{"a new .yaml workflow on pull_request_target", "evil.yaml", "", evilWorkflow,
		"pull request jobs only read", "pull_request_target runs with the base repository's write token"},
	{"write-all on a pull request workflow", "plan-diff.yml",
		"permissions:\n  contents: read\n", "permissions: write-all\n",
		"pull request jobs only read", "job diff has *: write"},
	{"the deploy gate opened with always()", "deploy.yml",
		"    if: github.event.workflow_run.conclusion == 'success' && github.event.workflow_run.event == 'push'\n",
		"    if: always() || github.event.workflow_run.conclusion == 'success' && github.event.workflow_run.event == 'push'\n",
		"deployment after CI, from one build", "job up's if must be exactly"},
	{"a deploy role ARN written into a pull request job", "preview.yml",
		"role-to-assume: ${{ vars.AWS_PREVIEW_ROLE_ARN }}", "role-to-assume: arn:aws:iam::123456789012:role/retail-api-edge-deploy-prod",
		"AWS roles only through their variables", "writes a role ARN into the workflow"},
	{"the expiry pointed at prod", "scheduled-destroy.yml",
		"format('{0}/demo', vars.PULUMI_ORG) || 'demo' }}", "format('{0}/prod', vars.PULUMI_ORG) || 'prod' }}",
		"the expiry fails visibly and audits", "only the demo stack"},
	{"the deploy job's concurrency removed", "deploy.yml",
		"    concurrency:\n      group: deploy-${{ vars.DEPLOY_STACK || 'demo' }}\n      cancel-in-progress: false\n", "",
		"deploys and destroys are never cancelled", "job up changes a stack without a concurrency group"},
	{"a destroy that cancels one in progress", "destroy.yml",
		"      group: destroy-${{ inputs.stack }}\n      cancel-in-progress: false\n", "      group: destroy-${{ inputs.stack }}\n      cancel-in-progress: true\n",
		"deploys and destroys are never cancelled", "must set cancel-in-progress: false"},
	{"the expiry in the deploy's group", "scheduled-destroy.yml",
		"      group: scheduled-destroy-demo\n", "      group: deploy-demo\n",
		"deploys and destroys are never cancelled", `group "deploy-demo" must start with "scheduled-destroy-"`},
	{"a workflow-level group on the expiry", "scheduled-destroy.yml",
		"permissions:\n  contents: read\njobs:\n", "permissions:\n  contents: read\nconcurrency: deploy-demo\njobs:\n",
		"deploys and destroys are never cancelled", "workflow-level concurrency"},
	{"the expiry without pipefail", "scheduled-destroy.yml",
		"        shell: bash\n        run: |\n          set -euo pipefail\n          if [ -n \"$BACKEND\" ]", "        run: |\n          if [ -n \"$BACKEND\" ]",
		"the expiry fails visibly and audits", "runs without pipefail"},
	{"the expiry hides errors", "scheduled-destroy.yml",
		"history=$(pulumi stack history --stack \"$STACK\" --json)", "history=$(pulumi stack history --stack \"$STACK\" --json 2>/dev/null)",
		"the expiry fails visibly and audits", "hides output in /dev/null"},
	{"the expiry lists every stack again", "scheduled-destroy.yml",
		`selected=$(pulumi stack select "$STACK" 2>&1)`, `selected=$(pulumi stack ls --json 2>&1)`,
		"the expiry fails visibly and audits", "runs pulumi stack ls, which reads every stack's state"},
	{"the expiry without the leak audit", "scheduled-destroy.yml",
		"        run: go run ./cmd/edgectl audit --stack demo", "        run: echo done",
		"the expiry fails visibly and audits", "destroys without the leak audit"},
	{"the main-tip check skipped by the up step", "deploy.yml",
		"      - uses: pulumi/actions@8e5e406f4007fca908480587cb9893c07090f58d # v7.0.0\n        if: steps.tip.outputs.current == 'true'\n        with:\n          command: up",
		"      - uses: pulumi/actions@8e5e406f4007fca908480587cb9893c07090f58d # v7.0.0\n        with:\n          command: up",
		"only main's tip is deployed", "even when the run is not main's tip"},
	{"the main-tip check removed", "deploy.yml",
		`          tip=$(gh api "repos/$REPO/commits/main" --jq .sha)`, `          tip=$RUN_SHA`,
		"only main's tip is deployed", "does not start by comparing the run's head_sha with main's tip"},
	{"destroy dispatched from any branch", "destroy.yml",
		"    if: github.ref == 'refs/heads/main'\n", "",
		"deploy role only in an environment", "can run from any branch"},
	{"prod's preview outside its gated environment", "preview.yml",
		"    environment: prod-preview\n", "",
		"prod previews only behind the prod-preview environment", "only demo, with demo's passphrase"},
	{"demo's preview with prod's passphrase", "preview.yml",
		"PULUMI_CONFIG_PASSPHRASE: ${{ secrets.PULUMI_CONFIG_PASSPHRASE_DEMO }}", "PULUMI_CONFIG_PASSPHRASE: ${{ secrets.PULUMI_CONFIG_PASSPHRASE }}",
		"prod previews only behind the prod-preview environment", "only demo, with demo's passphrase"},
	{"preview may write the pull request", "preview.yml",
		"      id-token: write  # OIDC: demo's", "      pull-requests: write\n      id-token: write  # OIDC: demo's",
		"pull request jobs only read", "job preview-demo has pull-requests: write"},
	{"plan diff loses its permissions block", "plan-diff.yml",
		"permissions:\n  contents: read\n", "",
		"pull request jobs only read", "job diff declares no permissions"},
	{"preview assumes the deploy role", "preview.yml",
		"role-to-assume: ${{ vars.AWS_PREVIEW_ROLE_ARN }}", "role-to-assume: ${{ vars.AWS_DEPLOY_ROLE_ARN }}",
		"pull request jobs only read", "names the deploy role"},
	{"destroy without an environment", "destroy.yml",
		"    environment: ${{ inputs.stack }}\n", "",
		"deploy role only in an environment", "job destroy deploys or assumes the deploy role without a deploy environment"},
	{"scheduled expiry without an environment", "scheduled-destroy.yml",
		"    environment: demo\n", "",
		"deploy role only in an environment", "job expire-demo deploys or assumes the deploy role without a deploy environment"},
	{"deploy on every push again", "deploy.yml",
		"  workflow_run:\n    workflows: [ci]\n    types: [completed]\n    branches: [main]\n", "  push:\n    branches: [main]\n",
		"deployment after CI, from one build", "job up deploys without waiting for a completed ci run on main"},
	{"deploy re-runs CI", "deploy.yml",
		"          go build -o bin/retail-api-edge .\n", "          bash .ci/run\n          go build -o bin/retail-api-edge .\n",
		"deployment after CI, from one build", "job up re-runs .ci/run"},
	{"deploy compiles again in pulumi up", "deploy.yml",
		`"binary": "bin/retail-api-edge"`, `"buildTarget": "bin/retail-api-edge"`,
		"deployment after CI, from one build", "job up does not point runtime.options.binary at bin/retail-api-edge"},
	{"pull request number in the artifact", "plan-diff.yml",
		"          mkdir -p pr-comment\n", "          mkdir -p pr-comment\n          echo \"${{ github.event.pull_request.number }}\" > pr-comment/pr-number\n",
		"pull request number never from an artifact", "writes pull_request.number into its steps"},
	{"comment reads the number from the artifact", "pr-comment.yml",
		"issue_number: pull.number, body });", "issue_number: Number(fs.readFileSync('pr-comment/pr-number', 'utf8')), body });",
		"pull request number never from an artifact", "turns artifact text into values with Number("},
	{"comment trusts the artifact instead of the head commit", "pr-comment.yml",
		"p.head.sha === run.head_sha", "p.number === Number(text)",
		"pull request number never from an artifact", "comments without finding the pull request by the run's head commit"},
	{"action pinned by tag", "ci.yml",
		"actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1", "actions/checkout@v7",
		"actions pinned to recorded commits", "uses actions/checkout@v7, not pinned to a commit SHA"},
	{"pin without its version", "destroy.yml",
		"pulumi/actions@8e5e406f4007fca908480587cb9893c07090f58d # v7.0.0", "pulumi/actions@8e5e406f4007fca908480587cb9893c07090f58d",
		"actions pinned to recorded commits", "without its version in a comment"},
	{"unpinned Pulumi CLI", "deploy.yml",
		"          command: up\n          pulumi-version: 3.274.1\n", "          command: up\n",
		"Pulumi CLI pinned, Pulumi Cloud through OIDC", `runs Pulumi CLI "", want`},
	{"long-lived Pulumi token", "destroy.yml",
		"      PULUMI_CONFIG_PASSPHRASE:", "      PULUMI_ACCESS_TOKEN: ${{ secrets.PULUMI_ACCESS_TOKEN }}\n      PULUMI_CONFIG_PASSPHRASE:",
		"Pulumi CLI pinned, Pulumi Cloud through OIDC", "uses a stored PULUMI_ACCESS_TOKEN"},
}

// Each mutation breaks one rule of one real workflow (in memory), and that rule must say so.
func TestRulesCatchRegressions(t *testing.T) {
	c := context(t)
	rules := map[string]Rule{}
	for _, r := range Rules {
		rules[r.Name] = r
	}
	tried := map[string]bool{}
	for _, tc := range mutations {
		t.Run(tc.name, func(t *testing.T) {
			r, ok := rules[tc.rule]
			if !ok {
				t.Fatalf("no rule %q", tc.rule)
			}
			tried[tc.rule] = true
			text := ""
			if tc.old != "" {
				data, err := os.ReadFile(filepath.Join(dir, tc.file))
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(string(data), tc.old) {
					t.Fatalf("%s no longer contains %q: update this case", tc.file, tc.old)
				}
				text = strings.Replace(string(data), tc.old, tc.new, 1)
			} else {
				text = tc.new
			}
			w, err := Parse(tc.file, []byte(text))
			if err != nil {
				t.Fatal(err)
			}
			problems := strings.Join(r.Check(w, c), "\n")
			if !strings.Contains(problems, tc.want) {
				t.Errorf("rule %q must report a problem containing %q, got:\n%s", tc.rule, tc.want, problems)
			}
		})
	}
	for _, r := range Rules {
		if !tried[r.Name] {
			t.Errorf("rule %q has no mutation in the table: nothing proves it can fail", r.Name)
		}
	}
}

// The deploy workflows name only the environments the stack files and the docs set up, and
// destroy.yml can destroy every stack file's stack.
func TestEnvironmentsMatchTheStackFiles(t *testing.T) {
	files, err := filepath.Glob("../../Pulumi.*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no stack files: %v", err)
	}
	var stacks []string
	for _, f := range files {
		stacks = append(stacks, strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "Pulumi."), ".yaml"))
	}
	ws, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	known := append(slices.Clone(stacks), ProdPreview, "${{ vars.DEPLOY_STACK || 'demo' }}", "${{ inputs.stack }}")
	for _, w := range ws {
		for id, j := range w.Jobs {
			if j.Environment != "" && !slices.Contains(known, j.Environment) {
				t.Errorf("%s: job %s runs in environment %q, which docs/github-actions.md does not set up", w.File, id, j.Environment)
			}
		}
	}
	destroy, err := os.ReadFile(filepath.Join(dir, "destroy.yml"))
	if err != nil {
		t.Fatal(err)
	}
	// The choice input's options, read as YAML (on.workflow_dispatch.inputs.stack.options).
	var parsed struct {
		On struct {
			WorkflowDispatch struct {
				Inputs struct {
					Stack struct {
						Options []string `yaml:"options"`
					} `yaml:"stack"`
				} `yaml:"inputs"`
			} `yaml:"workflow_dispatch"`
		} `yaml:"on"`
	}
	if err := yaml.Unmarshal(destroy, &parsed); err != nil {
		t.Fatal(err)
	}
	for _, s := range stacks {
		if !slices.Contains(parsed.On.WorkflowDispatch.Inputs.Stack.Options, s) {
			t.Errorf("destroy.yml cannot destroy stack %s (its stack input offers %v)", s, parsed.On.WorkflowDispatch.Inputs.Stack.Options)
		}
	}
}
