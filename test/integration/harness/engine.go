package harness

import (
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/stacks"
)

// KubernetesPluginVersion is the provider version the program's SDK asks for; build-tools builds
// the provider reporting it.
const KubernetesPluginVersion = "4.32.0"

// Engine runs the program with the real Pulumi CLI and engine: an inline program, a file
// backend and passphrase secrets, all under one directory, with no network.
type Engine struct {
	cmd  auto.PulumiCommand
	env  map[string]string
	logs io.Writer
}

// NewEngine uses the pulumi CLI and the Kubernetes provider under tools (build-tools' output:
// bin/pulumi, plugins/resource-kubernetes-v<version>/) and keeps its state in dir.
func NewEngine(tools, dir string, logs io.Writer) (*Engine, error) {
	home, backend := filepath.Join(dir, "pulumi-home"), filepath.Join(dir, "state")
	if err := os.MkdirAll(backend, 0o755); err != nil {
		return nil, err
	}
	if err := linkKubernetesPlugin(tools, home); err != nil {
		return nil, err
	}
	cmd, err := auto.NewPulumiCommand(&auto.PulumiCommandOptions{Root: tools, SkipVersionCheck: true})
	if err != nil {
		return nil, err
	}
	return &Engine{cmd: cmd, logs: logs, env: map[string]string{
		"PULUMI_HOME":                                 home,
		"PULUMI_BACKEND_URL":                          "file://" + backend,
		"PULUMI_CONFIG_PASSPHRASE":                    "integration",
		"PULUMI_SKIP_UPDATE_CHECK":                    "true",
		"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
		"PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK":    "true",
	}}, nil
}

// linkKubernetesPlugin puts the provider build-tools built into home's plugins: a real directory
// holding a link to the binary, since the engine skips plugin directories that are links.
func linkKubernetesPlugin(tools, home string) error {
	plugin := filepath.Join("plugins", "resource-kubernetes-v"+KubernetesPluginVersion)
	if err := os.MkdirAll(filepath.Join(home, plugin), 0o755); err != nil {
		return err
	}
	const binary = "pulumi-resource-kubernetes"
	if err := os.Symlink(filepath.Join(tools, plugin, binary), filepath.Join(home, plugin, binary)); err != nil && !os.IsExist(err) {
		return err
	}
	return nil
}

// Stack is one stack of the program, with the raw configuration it runs with.
type Stack struct {
	auto.Stack
	engine *Engine
}

// Stack selects or creates a stack and sets its configuration to raw (full keys, as in
// Pulumi.<stack>.yaml; objects JSON-encoded), removing keys not in raw.
func (e *Engine) Stack(ctx context.Context, name string, raw map[string]string) (*Stack, error) {
	// An inline program gets its configuration through the context, which cannot list keys; the
	// program's strict decoding needs them all, so it is handed the stack's own configuration.
	program := func(ctx *pulumi.Context) error {
		_, err := stacks.RunWith(ctx, raw, nil, stacks.ReadCluster)
		return err
	}
	st, err := auto.UpsertStackInlineSource(ctx, name, stacks.Project, program,
		auto.Pulumi(e.cmd), auto.EnvVars(e.env), auto.SecretsProvider("passphrase"),
		auto.Project(workspace.Project{
			Name:    stacks.Project,
			Runtime: workspace.NewProjectRuntimeInfo("go", nil),
			Backend: &workspace.ProjectBackend{URL: e.env["PULUMI_BACKEND_URL"]},
		}))
	if err != nil {
		return nil, err
	}
	if err := setConfig(ctx, st, raw); err != nil {
		return nil, err
	}
	return &Stack{Stack: st, engine: e}, nil
}

func setConfig(ctx context.Context, st auto.Stack, raw map[string]string) error {
	old, err := st.GetAllConfig(ctx)
	if err != nil {
		return err
	}
	var gone []string
	for key := range old {
		if _, keep := raw[key]; !keep {
			gone = append(gone, key)
		}
	}
	if len(gone) > 0 {
		if err := st.RemoveAllConfig(ctx, gone); err != nil {
			return err
		}
	}
	cfg := auto.ConfigMap{}
	for _, key := range slices.Sorted(maps.Keys(raw)) {
		cfg[key] = auto.ConfigValue{Value: raw[key]}
	}
	return st.SetAllConfigWithOptions(ctx, cfg, &auto.ConfigOptions{Path: false})
}

// Up runs `pulumi up`, streaming the engine's output to the logs.
func (s *Stack) Up(ctx context.Context) (auto.UpResult, error) {
	_, _ = fmt.Fprintf(s.engine.logs, "=== pulumi up (stack %s)\n", s.Name())
	return s.Stack.Up(ctx, optup.ProgressStreams(s.engine.logs), optup.ErrorProgressStreams(s.engine.logs),
		optup.SuppressProgress())
}

// Destroy runs `pulumi destroy`.
func (s *Stack) Destroy(ctx context.Context) (auto.DestroyResult, error) {
	_, _ = fmt.Fprintf(s.engine.logs, "=== pulumi destroy (stack %s)\n", s.Name())
	return s.Stack.Destroy(ctx, optdestroy.ProgressStreams(s.engine.logs), optdestroy.ErrorProgressStreams(s.engine.logs),
		optdestroy.SuppressProgress())
}
