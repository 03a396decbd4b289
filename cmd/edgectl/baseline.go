package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/mlops-retail/retail-api-edge/internal/plan"
)

// baseline returns the plan to compare with: a JSON plan file, or the plan of the stack at a git
// ref, made by that ref's own code (checked out in a temporary worktree) and stack file.
func baseline(dir, stack, fileOrRef string) (plan.Document, error) {
	if raw, err := os.ReadFile(fileOrRef); err == nil {
		return decodeDocument(raw, fileOrRef)
	}
	tmp, err := os.MkdirTemp("", "edgectl-baseline-")
	if err != nil {
		return plan.Document{}, err
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	tree := filepath.Join(tmp, "tree")
	if out, err := exec.Command("git", "-C", dir, "worktree", "add", "--detach", tree, fileOrRef).CombinedOutput(); err != nil {
		return plan.Document{}, fmt.Errorf("--diff-against %q is neither a plan file nor a git ref: %s", fileOrRef, bytes.TrimSpace(out))
	}
	defer func() { _ = exec.Command("git", "-C", dir, "worktree", "remove", "--force", tree).Run() }()
	cmd := exec.Command("go", "run", "./cmd/edgectl", "plan", "--stack", stack, "--output", "json")
	cmd.Dir = tree
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	raw, err := cmd.Output()
	if err != nil {
		return plan.Document{}, fmt.Errorf("planning stack %s at %s: %w: %s", stack, fileOrRef, err, bytes.TrimSpace(stderr.Bytes()))
	}
	return decodeDocument(raw, fileOrRef)
}

func decodeDocument(raw []byte, source string) (plan.Document, error) {
	var d plan.Document
	if err := json.Unmarshal(raw, &d); err != nil {
		return d, fmt.Errorf("reading the plan in %s: %w", source, err)
	}
	return d, nil
}
