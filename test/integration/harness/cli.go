package harness

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"golang.org/x/mod/modfile"
)

// CLI runs the real `pulumi` CLI on a copy of the project directory, as a user does: the file
// backend, a passphrase, the Go language host from shared/tools on PATH, and every plugin from the
// test's own PULUMI_HOME (downloads are off): the Kubernetes provider build-tools built and the AWS
// stand-in plugin.
type CLI struct {
	bin  string
	Dir  string // the project copy
	env  []string
	logs io.Writer
}

// CLIOptions say where things are.
type CLIOptions struct {
	Tools      string // build-tools' output
	Root       string // the repository
	Dir        string // a directory the CLI may own
	StandInDir string // the AWS stand-in's world and ledger
	// Token answers `aws eks get-token`: the exec kubeconfig the program builds for an EKS cluster
	// runs `aws`, and this one prints the control plane's token.
	Token string
	Logs  io.Writer
}

// NewCLI lays out the project copy, PULUMI_HOME and the tools on PATH, and logs in to the file backend.
func NewCLI(ctx context.Context, o CLIOptions) (*CLI, error) {
	project, home, bin := filepath.Join(o.Dir, "project"), filepath.Join(o.Dir, "pulumi-home"), filepath.Join(o.Dir, "bin")
	state := filepath.Join(o.Dir, "state")
	for _, d := range []string{project, home, bin, state} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	if err := copyProject(o.Root, project); err != nil {
		return nil, err
	}
	if err := installPlugins(ctx, o, home); err != nil {
		return nil, err
	}
	// Compile the program once up front, with the flags the Go language host uses, so every CLI
	// command after it (the host compiles the program for each) finds its packages in the build
	// cache and only links, and the cold compile is not counted against a scenario.
	build := exec.CommandContext(ctx, "go", "build", "-buildvcs=false", "-trimpath", "-ldflags", "-w -s", "-o", os.DevNull, ".")
	build.Dir = project
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("compiling the program: %w\n%s", err, out)
	}
	if err := writeAWSCommand(bin, o.Token); err != nil {
		return nil, err
	}
	hostDir := filepath.Join(o.Root, "..", "shared", "tools")
	if _, err := os.Stat(filepath.Join(hostDir, "pulumi-language-go")); err != nil {
		return nil, fmt.Errorf("the Go language host is missing (it lives beside the project, in shared/tools): %w", err)
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		return nil, err
	}
	c := &CLI{bin: filepath.Join(o.Tools, "bin", "pulumi"), Dir: project, logs: o.Logs}
	c.env = append(os.Environ(),
		"PATH="+strings.Join([]string{bin, hostDir, filepath.Dir(goBin), "/usr/bin", "/bin"}, string(os.PathListSeparator)),
		"PULUMI_HOME="+home,
		"PULUMI_BACKEND_URL=file://"+state,
		"PULUMI_CONFIG_PASSPHRASE=integration",
		"PULUMI_SKIP_UPDATE_CHECK=true",
		"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true",
		"PULUMI_SKIP_CONFIRMATIONS=true",
		"PULUMI_COPILOT=false",
		"AWS_STANDIN_DIR="+o.StandInDir,
		// No credentials, no config: nothing may reach real AWS.
		"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AWS_PROFILE=", "AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null",
	)
	return c, nil
}

// Run runs `pulumi ARGS...` in the project copy and returns its standard output; a failure
// carries standard error.
func (c *CLI) Run(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, c.bin, append(args, "--non-interactive")...)
	cmd.Dir, cmd.Env = c.Dir, c.env
	var out, errOut bytes.Buffer
	cmd.Stdout = io.MultiWriter(&out, c.logs)
	cmd.Stderr = io.MultiWriter(&errOut, c.logs)
	_, _ = fmt.Fprintf(c.logs, "=== pulumi %s\n", strings.Join(args, " "))
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("pulumi %s: %w\n%s%s", strings.Join(args, " "), err, tailOf(out.String(), 30), errOut.String())
	}
	return out.String(), nil
}

// Command runs another program (edgectl, say) with the CLI's environment in the project copy.
func (c *CLI) Command(ctx context.Context, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir, cmd.Env = c.Dir, c.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// copyProject copies the repository's tracked files, as a user's clone holds them.
func copyProject(root, dst string) error {
	out, err := exec.Command("git", "-C", root, "ls-files", "-z").Output()
	if err != nil {
		return fmt.Errorf("listing the repository's files: %w", err)
	}
	for _, f := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		data, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			if os.IsNotExist(err) { // deleted in the work tree, not yet committed
				continue
			}
			return err
		}
		if err := os.MkdirAll(filepath.Join(dst, filepath.Dir(f)), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dst, f), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// AWSPluginVersion is the pulumi-aws version the program's go.mod requires: the plugin the engine
// will ask for.
func AWSPluginVersion(root string) (string, error) {
	data, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return "", err
	}
	f, err := modfile.ParseLax("go.mod", data, nil)
	if err != nil {
		return "", err
	}
	for _, r := range f.Require {
		if r.Mod.Path == "github.com/pulumi/pulumi-aws/sdk/v6" {
			return strings.TrimPrefix(r.Mod.Version, "v"), nil
		}
	}
	return "", fmt.Errorf("%s/go.mod requires no pulumi-aws", root)
}

// installPlugins links the Kubernetes provider and builds the AWS stand-in into PULUMI_HOME.
func installPlugins(ctx context.Context, o CLIOptions, home string) error {
	if err := linkKubernetesPlugin(o.Tools, home); err != nil {
		return err
	}
	version, err := AWSPluginVersion(o.Root)
	if err != nil {
		return err
	}
	dir := filepath.Join(home, "plugins", "resource-aws-v"+version)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	build := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(dir, "pulumi-resource-aws"),
		"-ldflags", "-X main.version="+version, "./awsstandin/cmd/pulumi-resource-aws")
	build.Dir = filepath.Join(o.Root, "test", "integration")
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("building the AWS stand-in plugin: %w\n%s", err, out)
	}
	return nil
}

// writeAWSCommand writes an `aws` that answers `aws eks get-token` with the control plane's token.
func writeAWSCommand(bin, token string) error {
	script := fmt.Sprintf(`#!/bin/sh
# Stand-in for the AWS CLI: only "aws eks get-token", as an exec kubeconfig runs it.
case "$1 $2" in
"eks get-token") printf '{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","spec":{},"status":{"token":"%s"}}\n' ;;
*) echo "aws stand-in: only 'aws eks get-token' is implemented" >&2; exit 1 ;;
esac
`, token)
	return os.WriteFile(filepath.Join(bin, "aws"), []byte(script), 0o755)
}

func tailOf(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n") + "\n"
}
