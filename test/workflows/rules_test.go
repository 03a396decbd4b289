package workflows

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const dir = "../../.github/workflows"

// context reads the Pulumi CLI version the integration test builds, so the workflows and the
// tested CLI cannot drift apart.
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
	return Context{PulumiVersion: string(m[1])}
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

// Each case breaks one real workflow the way a careless edit would, and the rules must say so.
func TestRulesCatchRegressions(t *testing.T) {
	cases := []struct {
		name, file, old, new, want string
	}{
		{"preview may write the pull request", "preview.yml",
			"      id-token: write", "      id-token: write\n      pull-requests: write",
			"job preview has pull-requests: write"},
		{"plan diff loses its permissions block", "plan-diff.yml",
			"permissions:\n  contents: read\n", "",
			"job diff declares no permissions"},
		{"preview assumes the deploy role", "preview.yml",
			"vars.AWS_PREVIEW_ROLE_ARN", "vars.AWS_DEPLOY_ROLE_ARN",
			"a pull request workflow names the deploy role"},
		{"pull_request_target", "plan-diff.yml",
			"  pull_request:\n", "  pull_request_target:\n",
			"pull_request_target runs with the base repository's write token"},
		{"destroy without an environment", "destroy.yml",
			"    environment: ${{ inputs.stack }}\n", "",
			"job destroy deploys or assumes the deploy role without an environment"},
		{"scheduled expiry without an environment", "scheduled-destroy.yml",
			"    environment: demo\n", "",
			"job expire-demo deploys or assumes the deploy role without an environment"},
		{"deploy on every push again", "deploy.yml",
			"  workflow_run:\n    workflows: [ci]\n    types: [completed]\n    branches: [main]\n",
			"  push:\n    branches: [main]\n",
			"job up deploys without waiting for a successful ci run"},
		{"deploy re-runs CI", "deploy.yml",
			"          go build -o bin/retail-api-edge .\n",
			"          bash .ci/run\n          go build -o bin/retail-api-edge .\n",
			"job up re-runs .ci/run"},
		{"deploy compiles again in pulumi up", "deploy.yml",
			`"binary": "bin/retail-api-edge"`, `"buildTarget": "bin/retail-api-edge"`,
			"job up does not point runtime.options.binary at bin/retail-api-edge"},
		{"pull request number in the artifact", "plan-diff.yml",
			"          mkdir -p pr-comment\n",
			"          mkdir -p pr-comment\n          echo \"${{ github.event.pull_request.number }}\" > pr-comment/pr-number\n",
			"writes pull_request.number into its steps"},
		{"comment reads the number from the artifact", "pr-comment.yml",
			"issue_number: pull.number, body });",
			"issue_number: Number(fs.readFileSync('pr-comment/pr-number', 'utf8')), body });",
			"turns artifact text into values with Number("},
		{"comment trusts the artifact instead of the head commit", "pr-comment.yml",
			"p.head.sha === run.head_sha", "p.number === Number(text)",
			"comments without finding the pull request by the run's head commit"},
		{"action pinned by tag", "ci.yml",
			"actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1", "actions/checkout@v7",
			"uses actions/checkout@v7, not pinned to a commit SHA"},
		{"pin without its version", "destroy.yml",
			"pulumi/actions@8e5e406f4007fca908480587cb9893c07090f58d # v7.0.0", "pulumi/actions@8e5e406f4007fca908480587cb9893c07090f58d",
			"without its version in a comment"},
		{"unpinned Pulumi CLI", "deploy.yml",
			"          command: up\n          pulumi-version: 3.274.1\n", "          command: up\n",
			`runs Pulumi CLI "", want`},
		{"long-lived Pulumi token", "destroy.yml",
			"      PULUMI_CONFIG_PASSPHRASE:", "      PULUMI_ACCESS_TOKEN: ${{ secrets.PULUMI_ACCESS_TOKEN }}\n      PULUMI_CONFIG_PASSPHRASE:",
			"a stored PULUMI_ACCESS_TOKEN"},
	}
	c := context(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(data), tc.old) {
				t.Fatalf("%s no longer contains %q: update this case", tc.file, tc.old)
			}
			w, err := Parse(tc.file, []byte(strings.Replace(string(data), tc.old, tc.new, 1)))
			if err != nil {
				t.Fatal(err)
			}
			problems := strings.Join(Check([]Workflow{w}, c), "\n")
			if !strings.Contains(problems, tc.want) {
				t.Errorf("want a problem containing %q, got:\n%s", tc.want, problems)
			}
		})
	}
}
