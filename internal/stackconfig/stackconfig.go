// Package stackconfig reads a stack's configuration from its Pulumi.<stack>.yaml offline, the way
// the Pulumi CLI hands it to a program: full keys, objects as JSON, secrets blinded (no passphrase
// or cloud key is needed to plan).
package stackconfig

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag/colors"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
)

// Stack is a stack's configuration as the engine would pass it.
type Stack struct {
	Project    string
	Stack      string
	Config     map[string]string
	SecretKeys []string
}

// Path returns where the stack's settings live in a project directory.
func Path(dir, stack string) string { return filepath.Join(dir, "Pulumi."+stack+".yaml") }

// Load reads Pulumi.yaml in dir and the stack file (file, or Pulumi.<stack>.yaml in dir when empty).
func Load(dir, stack, file string) (*Stack, error) {
	project, err := workspace.LoadProject(filepath.Join(dir, "Pulumi.yaml"))
	if err != nil {
		return nil, fmt.Errorf("reading the project file: %w", err)
	}
	if file == "" {
		file = Path(dir, stack)
	}
	if _, err := os.Stat(file); err != nil {
		known, _ := filepath.Glob(filepath.Join(dir, "Pulumi.*.yaml"))
		return nil, fmt.Errorf("no settings for stack %q: %w (stack files here: %v)", stack, err, known)
	}
	sink := diag.DefaultSink(io.Discard, io.Discard, diag.FormatOptions{Color: colors.Never})
	ps, err := workspace.LoadProjectStack(sink, project, file)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", file, err)
	}
	values, err := ps.Config.Decrypt(config.NewBlindingDecrypter())
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", file, err)
	}
	s := &Stack{Project: project.Name.String(), Stack: stack, Config: map[string]string{}}
	for k, v := range values {
		s.Config[k.String()] = v
	}
	for _, k := range ps.Config.SecureKeys() {
		s.SecretKeys = append(s.SecretKeys, k.String())
	}
	return s, nil
}
