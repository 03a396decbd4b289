package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/mlops-retail/retail-api-edge/internal/plan"
)

// baseline returns the plan to compare with: a JSON plan file, or the plan of the stack at a git
// ref, made by that ref's own code (checked out in a temporary worktree) and stack file.
func baseline(dir, stack, fileOrRef string) (plan.Document, error) {
	raw, err := outputAt(dir, fileOrRef, "plan", "--stack", stack, "--output", "json")
	if err != nil {
		return plan.Document{}, err
	}
	return decodeDocument(raw, fileOrRef)
}

// outputAt is the file fileOrRef, or what `edgectl ARGS...` prints when run by the code at the git
// ref fileOrRef, checked out in a temporary worktree (so the ref's own code and stack file).
func outputAt(dir, fileOrRef string, args ...string) ([]byte, error) {
	if raw, err := os.ReadFile(fileOrRef); err == nil {
		return raw, nil
	}
	tmp, err := os.MkdirTemp("", "edgectl-baseline-")
	if err != nil {
		return nil, err
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	tree := filepath.Join(tmp, "tree")
	if out, err := exec.Command("git", "-C", dir, "worktree", "add", "--detach", tree, fileOrRef).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("--diff-against %q is neither a file nor a git ref: %s", fileOrRef, bytes.TrimSpace(out))
	}
	defer func() { _ = exec.Command("git", "-C", dir, "worktree", "remove", "--force", tree).Run() }()
	cmd := exec.Command("go", append([]string{"run", "./cmd/edgectl"}, args...)...)
	cmd.Dir = tree
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	raw, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("edgectl %s at %s: %w: %s", strings.Join(args, " "), fileOrRef, err, bytes.TrimSpace(stderr.Bytes()))
	}
	return raw, nil
}

func decodeDocument(raw []byte, source string) (plan.Document, error) {
	var d plan.Document
	if err := json.Unmarshal(raw, &d); err != nil {
		return d, fmt.Errorf("reading the plan in %s: %w", source, err)
	}
	return d, nil
}
