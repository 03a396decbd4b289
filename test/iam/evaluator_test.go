// Package iam checks the IAM policies of docs/github-actions against the program's own offline
// plans with a real IAM policy evaluator: @cloud-copilot/iam-simulate (npm, pinned in
// package-lock.json), run by Node.js through simulate.mjs. It is a test tool only (AGPL-3.0): the
// program never links or ships it.
package iam

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// request is one IAM request and the policies that decide it, as simulate.mjs reads it.
type request struct {
	ID              int            `json:"id"`
	Mode            string         `json:"mode"` // "strict", or "trust" for OIDC trust requests (simulate.mjs)
	Principal       string         `json:"principal"`
	Action          string         `json:"action"`
	Resource        string         `json:"resource"`
	ResourceAccount string         `json:"resourceAccount"`
	Context         map[string]any `json:"context,omitempty"`
	Identity        []any          `json:"identity,omitempty"`
	Boundary        any            `json:"boundary,omitempty"`
	ResourcePolicy  any            `json:"resourcePolicy,omitempty"`
}

type verdict struct {
	ID     int    `json:"id"`
	Result string `json:"result"` // Allowed, ImplicitlyDenied, ExplicitlyDenied
	Error  string `json:"error"`  // the evaluator refused the request: an unknown action, a bad ARN or policy
}

var (
	installOnce sync.Once
	installErr  error
)

// evaluator makes sure Node.js and the pinned evaluator are there. README's `go test ./...` must
// work on a fresh machine, so a missing node_modules is installed here with `npm ci` (the lock
// file pins every package; about 5 s); .ci/run installs it before the tests, so CI never depends
// on this. Without node or npm the tests are skipped, except under CI, where that is a failure.
func evaluator(t *testing.T) {
	t.Helper()
	installOnce.Do(func() { installErr = install() })
	if installErr == nil {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("the IAM evaluator is required in CI: %v", installErr)
	}
	t.Skipf("skipping the IAM policy tests: %v (install Node.js 20+ and npm, then `npm ci --prefix test/iam`)", installErr)
}

func install() error {
	node, err := exec.LookPath("node")
	if err != nil {
		return fmt.Errorf("node is not on PATH")
	}
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		return fmt.Errorf("node --version: %w", err)
	}
	var major int
	if _, err := fmt.Sscanf(string(out), "v%d.", &major); err != nil || major < 20 {
		return fmt.Errorf("node --version says %q: Node.js 20 or newer is needed", strings.TrimSpace(string(out)))
	}
	if _, err := os.Stat(filepath.Join("node_modules", "@cloud-copilot", "iam-simulate", "package.json")); err == nil {
		return nil
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return fmt.Errorf("node_modules is missing and npm is not on PATH")
	}
	cmd := exec.Command(npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("npm ci in test/iam: %w: %s", err, out)
	}
	return nil
}

// simulate runs every request through the evaluator in one Node.js process.
func simulate(t *testing.T, reqs []request) []verdict {
	t.Helper()
	evaluator(t)
	for i := range reqs {
		reqs[i].ID = i
	}
	in, err := json.Marshal(map[string]any{"requests": reqs})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	cmd := exec.Command("node", "simulate.mjs")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("simulate.mjs: %v\n%s", err, stderr.String())
	}
	var res struct{ Results []verdict }
	if err := json.Unmarshal(out, &res); err != nil || len(res.Results) != len(reqs) {
		t.Fatalf("simulate.mjs answered %d of %d requests: %v", len(res.Results), len(reqs), err)
	}
	t.Logf("evaluated %d requests in %s", len(reqs), time.Since(start).Round(time.Millisecond))
	return res.Results
}
