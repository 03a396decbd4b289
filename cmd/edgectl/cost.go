package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mlops-retail/retail-api-edge/internal/cost"
	"github.com/mlops-retail/retail-api-edge/internal/texttable"
	"github.com/mlops-retail/retail-api-edge/stacks"
)

type costFlags struct {
	output, diffAgainst, diffFormat string
}

func newCostCmd() *cobra.Command {
	var src stackSource
	var f costFlags
	traffic := cost.Traffic{}
	cmd := &cobra.Command{
		Use:   "cost",
		Short: "Estimate what a stack costs per month, item by item (offline)",
		Long: "cost reads the stack's configuration and prices what it would run: load balancer hours and capacity units\n" +
			"at the given traffic, WAF web ACL, rules and requests, hosted zone, access log storage. Prices and their\n" +
			"date come from internal/cost/prices.json (us-east-1 list prices). A cluster the stack creates (cluster.create) is\n" +
			"priced too: its control plane (at the extended-support rate once its version leaves standard support) and nodes.",
		Example: "  edgectl cost --stack demo\n  edgectl cost --stack prod --rps 50 --kb-per-request 4\n" +
			"  edgectl cost --stack prod --output json > prod-cost.json\n" +
			"  edgectl cost --stack prod --diff-against origin/main --diff-format markdown",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := decodeStack(src.dir, src.stack, src.configFile)
			if err != nil {
				return err
			}
			return runCost(cmd, &src, &f, cfg, traffic)
		},
	}
	src.add(cmd.Flags(), defaultStack, "stack name; its settings are read from Pulumi.<stack>.yaml", true)
	cmd.Flags().Float64Var(&traffic.RequestsPerSecond, "rps", 1, "average requests per second")
	cmd.Flags().Float64Var(&traffic.KBPerRequest, "kb-per-request", 10, "average kilobytes per request and response")
	cmd.Flags().StringVarP(&f.output, "output", "o", "table", "output format: table or json")
	cmd.Flags().StringVar(&f.diffAgainst, "diff-against", "",
		"compare with a saved `edgectl cost --output json` file, or with the same stack's cost at a git ref (its own code and stack file)")
	cmd.Flags().StringVar(&f.diffFormat, "diff-format", "text", "diff format: text or markdown")
	return cmd
}

func runCost(cmd *cobra.Command, src *stackSource, f *costFlags, cfg *stacks.Config, t cost.Traffic) error {
	switch {
	case f.output != "table" && f.output != "json":
		return fmt.Errorf("--output must be table or json, got %q", f.output)
	case f.diffFormat != "text" && f.diffFormat != "markdown":
		return fmt.Errorf("--diff-format must be text or markdown, got %q", f.diffFormat)
	case f.diffAgainst == "" && f.output == "table":
		return printCost(cmd, cfg, t)
	}
	prices, err := cost.LoadPrices()
	if err != nil {
		return err
	}
	report := cost.NewReport(cfg.Stack, prices, stacks.CostOf(cfg), t)
	if f.diffAgainst == "" {
		enc := json.NewEncoder(cmd.OutOrStdout())
		enc.SetIndent("", "  ")
		return enc.Encode(report)
	}
	dir, err := projectDir(src.dir)
	if err != nil {
		return err
	}
	// The base is priced at the same traffic: only the change under review moves the total.
	raw, err := outputAt(dir, f.diffAgainst, "cost", "--stack", src.stack, "--output", "json",
		"--rps", fmt.Sprint(t.RequestsPerSecond), "--kb-per-request", fmt.Sprint(t.KBPerRequest))
	if err != nil {
		return err
	}
	var before cost.Report
	if err := json.Unmarshal(raw, &before); err != nil {
		return fmt.Errorf("reading the cost report in %s: %w", f.diffAgainst, err)
	}
	if f.diffFormat == "markdown" {
		return cost.WriteDiffMarkdown(cmd.OutOrStdout(), before, report)
	}
	return cost.WriteDiffText(cmd.OutOrStdout(), before, report)
}

func printCost(cmd *cobra.Command, cfg *stacks.Config, t cost.Traffic) error {
	prices, err := cost.LoadPrices()
	if err != nil {
		return err
	}
	items := cost.Estimate(prices, stacks.CostOf(cfg), t)
	rows := [][]string{{"ITEM", "QUANTITY", "USD/MONTH"}}
	for _, i := range items {
		rows = append(rows, []string{i.Name, i.Quantity, fmt.Sprintf("%8.2f", i.USD)})
	}
	rows = append(rows, []string{"TOTAL", "", fmt.Sprintf("%8.2f", cost.Total(items))})
	var b strings.Builder
	fmt.Fprintf(&b, "Stack %s at %.0f requests/s, %.0f KB each; %s prices of %s.\n\n",
		cfg.Stack, t.RequestsPerSecond, t.KBPerRequest, prices.Region, prices.Date)
	b.WriteString(texttable.Format(rows))
	if cfg.Cluster.Create {
		b.WriteString("\nNot included: data transfer out, the nodes' EBS volumes.\n")
	} else {
		b.WriteString("\nNot included: the existing EKS cluster ($0.10/h) and its nodes, data transfer out.\n")
	}
	_, err = fmt.Fprint(cmd.OutOrStdout(), b.String())
	return err
}
