package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/mlops-retail/retail-api-edge/internal/plan"
	"github.com/mlops-retail/retail-api-edge/internal/stackconfig"
	"github.com/mlops-retail/retail-api-edge/internal/stackplan"
	"github.com/mlops-retail/retail-api-edge/stacks"
)

type planFlags struct {
	stackSource
	output      string
	diffAgainst string
	diffFormat  string
}

func newPlanCmd() *cobra.Command {
	f := &planFlags{}
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Show the resources a stack would create, offline (no cloud account needed)",
		Long: "plan runs the Pulumi program exactly as `pulumi up` would, but against mocks instead of the engine,\n" +
			"and prints every resource it would register with its inputs, parent and dependencies.\n" +
			"Values only AWS can know (account ID, ARNs, hostnames) are placeholders marked \"example\".\n" +
			"Invalid configuration fails with the same message `pulumi up` gives.",
		Example: "  edgectl plan --stack demo\n" +
			"  edgectl plan --stack prod --output json > prod-plan.json\n" +
			"  edgectl plan --stack mine --config-file ./Pulumi.mine.yaml\n" +
			"  edgectl plan --stack prod --diff-against prod-plan.json\n" +
			"  edgectl plan --stack prod --diff-against origin/main --diff-format markdown",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runPlan(cmd, f) },
	}
	f.add(cmd.Flags(), defaultStack, "stack name; its settings are read from Pulumi.<stack>.yaml", true)
	cmd.Flags().StringVarP(&f.output, "output", "o", "table", "output format: table or json")
	cmd.Flags().StringVar(&f.diffAgainst, "diff-against", "",
		"print what changed since another plan: a JSON plan file, or a git ref whose code and stack file are planned")
	cmd.Flags().StringVar(&f.diffFormat, "diff-format", "text", "diff format: text or markdown")
	return cmd
}

func runPlan(cmd *cobra.Command, f *planFlags) error {
	if f.output != "table" && f.output != "json" {
		return fmt.Errorf("--output must be table or json, got %q", f.output)
	}
	if f.diffFormat != "text" && f.diffFormat != "markdown" {
		return fmt.Errorf("--diff-format must be text or markdown, got %q", f.diffFormat)
	}
	dir, err := projectDir(f.dir)
	if err != nil {
		return err
	}
	st, err := stackconfig.Load(dir, f.stack, f.configFile)
	if err != nil {
		return err
	}
	p, err := stackplan.Plan(st)
	if err != nil {
		return err
	}
	if f.diffAgainst != "" {
		before, err := baseline(dir, f.stack, f.diffAgainst)
		if err != nil {
			return err
		}
		changes := plan.Diff(before, p.Document())
		if f.diffFormat == "markdown" {
			return plan.WriteDiffMarkdown(cmd.OutOrStdout(), f.stack, changes)
		}
		return plan.WriteDiffText(cmd.OutOrStdout(), changes)
	}
	if f.output == "json" {
		return p.WriteJSON(cmd.OutOrStdout())
	}
	if err := p.WriteTable(cmd.OutOrStdout()); err != nil {
		return err
	}
	_, err = fmt.Fprintln(cmd.ErrOrStderr(), preflightSkipped)
	return err
}

// preflightSkipped is the one line that says what the offline plan cannot check.
const preflightSkipped = "preflight skipped offline (no cluster or account is read): `pulumi preview` checks ownership, " +
	"foreign controllers and, for an ALB (Options B and C), the public subnets"

// decodeStack reads a stack's settings from the project and decodes them, failing with the
// message `pulumi up` would give for invalid configuration.
func decodeStack(dir, stack, file string) (*stacks.Config, error) {
	d, err := projectDir(dir)
	if err != nil {
		return nil, err
	}
	st, err := stackconfig.Load(d, stack, file)
	if err != nil {
		return nil, err
	}
	return stacks.Decode(stack, st.Config)
}

// projectDir returns dir, or the nearest directory up from the working one that holds Pulumi.yaml.
func projectDir(dir string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "Pulumi.yaml")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", errors.New("no Pulumi.yaml here or in any parent directory; run from the project or pass --dir")
		}
	}
}
