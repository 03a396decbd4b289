package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mlops-retail/retail-api-edge/internal/verify"
)

func edgectl(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	root := newRoot(&out, &errOut)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), errOut.String(), err
}

func TestPlanDemoTable(t *testing.T) {
	out, _, err := edgectl(t, "plan", "--stack", "demo", "--dir", "../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"kubernetes:core/v1:Service", "retail-api-svc",
		"service.beta.kubernetes.io/aws-load-balancer-scheme: \"internet-facing\"",
		"service.beta.kubernetes.io/aws-load-balancer-healthcheck-path: \"/health\"",
		"healthUrl:",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("plan output lacks %q", want)
		}
	}
}

func TestPlanJSONIsStable(t *testing.T) {
	a, _, err := edgectl(t, "plan", "--stack", "demo", "--dir", "../..", "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	b, _, _ := edgectl(t, "plan", "--stack", "demo", "--dir", "../..", "-o", "json")
	if a != b {
		t.Fatal("same input must give byte-identical output")
	}
	var doc struct {
		Stack     string
		Project   string
		Resources []struct {
			URN, Type, Name, Parent string
			Dependencies            []string
			Inputs                  map[string]any
		}
		Outputs map[string]any
	}
	if err := json.Unmarshal([]byte(a), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Stack != "demo" || doc.Project != "retail-api-edge" || len(doc.Resources) == 0 || doc.Outputs["url"] == nil {
		t.Errorf("unexpected document: %+v", doc)
	}
}

func TestPlanErrors(t *testing.T) {
	dir := t.TempDir()
	copyFile(t, "../../Pulumi.yaml", filepath.Join(dir, "Pulumi.yaml"))
	bad := filepath.Join(dir, "Pulumi.bad.yaml")
	if err := os.WriteFile(bad, []byte("config:\n  aws:region: us-east-1\n  retail-api-edge:app:\n    port: 99999\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"invalid config names the key", []string{"plan", "--dir", dir, "--stack", "bad"}, "retail-api-edge:app.port: must be a port between 1 and 65535, got 99999"},
		{"config file flag", []string{"plan", "--dir", dir, "--stack", "x", "--config-file", bad}, "retail-api-edge:app.port"},
		{"unknown stack", []string{"plan", "--dir", dir, "--stack", "nope"}, `no settings for stack "nope"`},
		{"bad output", []string{"plan", "--dir", dir, "-o", "yaml"}, "--output must be table or json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := edgectl(t, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("want error containing %q, got %v", tt.want, err)
			}
			if strings.Contains(err.Error(), "goroutine") {
				t.Error("no stack traces for users")
			}
		})
	}
}

func TestHelpOnEveryCommand(t *testing.T) {
	root := newRoot(&bytes.Buffer{}, &bytes.Buffer{})
	for _, c := range root.Commands() {
		if c.Short == "" || (c.Runnable() && c.Example == "") {
			t.Errorf("command %q needs a short help and an example", c.Name())
		}
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// diffAfterEdit saves the offline plan of stack (its settings from file, "" for the project's
// Pulumi.<stack>.yaml), edits the settings with edit, and returns the plan's diff against the saved
// one, as a reviewer runs it before a change.
func diffAfterEdit(t *testing.T, stack, file string, edit func(string) string) string {
	t.Helper()
	dir := t.TempDir()
	if file == "" {
		file = "../../Pulumi." + stack + ".yaml"
	}
	before, _, err := edgectl(t, "plan", "--stack", stack, "--dir", "../..", "--config-file", file, "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	planFile := filepath.Join(dir, stack+"-plan.json")
	if err := os.WriteFile(planFile, []byte(before), 0o644); err != nil {
		t.Fatal(err)
	}
	text, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	changed := filepath.Join(dir, "Pulumi."+stack+".yaml")
	if err := os.WriteFile(changed, []byte(edit(string(text))), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, err := edgectl(t, "plan", "--stack", stack, "--dir", "../..", "--config-file", changed, "--diff-against", planFile)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDiffAgainstPlanFile: changing the WAF rate limit changes exactly one property of one resource.
func TestDiffAgainstPlanFile(t *testing.T) {
	out := diffAfterEdit(t, "prod", "", func(s string) string { return strings.Replace(s, "rateLimit: 2000", "rateLimit: 500", 1) })
	want := "~ aws:wafv2/webAcl:WebAcl retail-api-acl\n    rules[0].statement.rateBasedStatement.limit: 2000 => 500\n"
	if out != want {
		t.Errorf("diff:\n%s\nwant:\n%s", out, want)
	}
	if same := diffAfterEdit(t, "prod", "", func(s string) string { return s }); !strings.Contains(same, "No changes") {
		t.Errorf("an unchanged stack must diff empty, got %q", same)
	}
}

func TestDiffAgainstGitRef(t *testing.T) {
	if testing.Short() {
		t.Skip("plans the stack at HEAD in a git worktree (compiles); skipped with -short")
	}
	if err := exec.Command("git", "-C", "../..", "rev-parse", "HEAD").Run(); err != nil {
		t.Skip("not a git checkout with commits: nothing to diff against")
	}
	out, _, err := edgectl(t, "plan", "--stack", "demo", "--dir", "../..", "--diff-against", "HEAD", "--diff-format", "markdown")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "### Offline plan diff: stack `demo`") {
		t.Errorf("markdown diff against HEAD:\n%s", out)
	}
}

// TestCostDiffAgainstReportFile: the cost a pull request adds is named item by item, as the PR
// comment shows it: the base is prod without its WAF block, the head is prod.
func TestCostDiffAgainstReportFile(t *testing.T) {
	dir := t.TempDir()
	prod, err := os.ReadFile("../../Pulumi.prod.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text := string(prod)
	start, end := strings.Index(text, "  retail-api-edge:waf:"), strings.Index(text, "  retail-api-edge:accessLogs:")
	if start < 0 || end < start {
		t.Fatal("Pulumi.prod.yaml has no waf block before accessLogs: update this test")
	}
	noWAF := filepath.Join(dir, "Pulumi.prod.yaml")
	if err := os.WriteFile(noWAF, []byte(text[:start]+text[end:]), 0o644); err != nil {
		t.Fatal(err)
	}
	base, _, err := edgectl(t, "cost", "--stack", "prod", "--dir", "../..", "--config-file", noWAF, "--output", "json")
	if err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(dir, "base-cost.json")
	if err := os.WriteFile(report, []byte(base), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, err := edgectl(t, "cost", "--stack", "prod", "--dir", "../..", "--diff-against", report, "--diff-format", "markdown")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"### Monthly cost: stack `prod`", "**+$10.58/month**", "- +$5.00/month: WAF web ACL (new: 1 ACL)\n",
		"- +$4.00/month: WAF rules (new: 4 rules)\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("cost diff lacks %q:\n%s", want, out)
		}
	}
	if _, _, err := edgectl(t, "cost", "--stack", "prod", "--dir", "../..", "--output", "yaml"); err == nil || !strings.Contains(err.Error(), "--output") {
		t.Errorf("a bad --output must be refused naming the flag, got %v", err)
	}
}

func TestCostCommand(t *testing.T) {
	tests := []struct {
		stack string
		want  []string
	}{
		{"demo", []string{"NLB hours", "NLB capacity units", "TOTAL", "16.58", "prices of 2026-11-27"}},
		{"prod", []string{"ALB hours", "WAF rules", "4 rules", "Route53 hosted zone", "Access log storage", "TOTAL"}},
	}
	for _, tt := range tests {
		out, _, err := edgectl(t, "cost", "--stack", tt.stack, "--dir", "../..")
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range tt.want {
			if !strings.Contains(out, w) {
				t.Errorf("cost --stack %s lacks %q:\n%s", tt.stack, w, out)
			}
		}
	}
}

func TestVerifyCommand(t *testing.T) {
	for _, tt := range []struct {
		name    string
		code    int
		wantErr bool
		want    string
	}{
		{"healthy", http.StatusOK, false, "health returns 200  pass"},
		{"503", http.StatusServiceUnavailable, true, "health returns 200  FAIL"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/health" {
					w.WriteHeader(tt.code)
				}
			}))
			defer srv.Close()
			out, _, err := edgectl(t, "verify", "--url", srv.URL, "--timeout", "200ms", "--retry-every", "50ms")
			if (err != nil) != tt.wantErr || !strings.Contains(out, tt.want) {
				t.Errorf("err=%v out:\n%s", err, out)
			}
		})
	}
}

func TestLoadtestCommand(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) }))
	defer srv.Close()
	out, _, err := edgectl(t, "loadtest", "-n", "100", "-c", "4", "-q", "-o", "json", srv.URL+"/health")
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Requests    int
		StatusCodes map[string]int
		LatencyMs   struct{ P99 float64 }
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil || r.Requests != 100 || r.StatusCodes["200"] != 100 || r.LatencyMs.P99 <= 0 {
		t.Errorf("report %+v (%v):\n%s", r, err, out)
	}
}

// Bad flag values are refused with a message that names the flags as typed (the libraries name
// their fields; edgectl renames them from the flags bound to those fields).
func TestBadFlagsAreNamed(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"loadtest", "-n", "10", "--rate", "5", "http://x"}, "choose one shape: -n/--requests and -c/--concurrency (closed loop) or --rate and --duration"},
		{[]string{"loadtest", "-n", "10", "http://x"}, "-n/--requests and -c/--concurrency must be positive"},
		{[]string{"loadtest", "-n", "5", "-c", "10", "http://x"}, "with -c/--concurrency at most -n/--requests"},
		{[]string{"loadtest", "--rate", "5", "http://x"}, "--rate and --duration must both be positive"},
		{[]string{"loadtest", "-n", "1", "-c", "1", "--timeout", "0s", "http://x"}, "--timeout must be positive"},
		{[]string{"verify", "--url", "ftp://x"}, `--url must be an http:// or https:// URL, got "ftp://x"`},
	} {
		_, _, err := edgectl(t, tt.args...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("edgectl %s: want an error containing %q, got %v", strings.Join(tt.args, " "), tt.want, err)
		}
	}
}

// TestCanaryWeightDiff: moving a canary from 90/10 to 50/50 changes one property, the rule's
// action annotation of the Ingress: no rule, name or load balancer changes (docs/canary.md).
func TestCanaryWeightDiff(t *testing.T) {
	out := diffAfterEdit(t, "canary", "../../examples/Pulumi.canary.yaml", strings.NewReplacer("weight: 90}", "weight: 50}", "weight: 10}", "weight: 50}").Replace)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || lines[0] != "~ kubernetes:networking.k8s.io/v1:Ingress retail-api-ingress" ||
		!strings.HasPrefix(strings.TrimSpace(lines[1]), "metadata.annotations.alb.ingress.kubernetes.io/actions.rule-retail-api-example-com-predict-") ||
		!strings.Contains(lines[1], `\"weight\":90`) || !strings.HasSuffix(lines[1], `\"weight\":50}]},\"type\":\"forward\"}"`) {
		t.Errorf("a weight change must be one property of the Ingress, got:\n%s", out)
	}
}

// TestRouteChecks: verify checks each rule of the canary example as this client sees it: the
// office-only /docs falls through to the 404 below it.
func TestRouteChecks(t *testing.T) {
	cfg, err := decodeStack("../..", "canary", "../../examples/Pulumi.canary.yaml")
	if err != nil {
		t.Fatal(err)
	}
	got := routeChecks(cfg)
	want := []verify.Route{
		{Check: "rule 0: retail-api.example.com/predict", Path: "/predict", Host: "retail-api.example.com", Forward: true},
		{Check: "rule 1: /docs refused from here", Path: "/docs", Status: 404},
		{Check: "rule 2: /docs", Path: "/docs", Status: 404},
		{Check: "rule 3: /old", Path: "/old", Status: 301, Location: "/predict"},
		{Check: "rule 4: /", Path: "/", Forward: true},
	}
	if !slices.Equal(got, want) {
		t.Errorf("route checks:\n%+v\nwant\n%+v", got, want)
	}
}
