package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mlops-retail/retail-api-edge/internal/cost"
	"github.com/mlops-retail/retail-api-edge/internal/texttable"
	"github.com/mlops-retail/retail-api-edge/stacks"
)

func newCostCmd() *cobra.Command {
	var src stackSource
	traffic := cost.Traffic{}
	cmd := &cobra.Command{
		Use:   "cost",
		Short: "Estimate what a stack costs per month, item by item (offline)",
		Long: "cost reads the stack's configuration and prices what it would run: load balancer hours and capacity units\n" +
			"at the given traffic, WAF web ACL, rules and requests, hosted zone, access log storage. Prices and their\n" +
			"date come from internal/cost/prices.json (us-east-1 list prices). A cluster the stack creates (cluster.create) is\n" +
			"priced too: its control plane (at the extended-support rate once its version leaves standard support) and nodes.",
		Example: "  edgectl cost --stack demo\n  edgectl cost --stack prod --rps 50 --kb-per-request 4",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := decodeStack(src.dir, src.stack, src.configFile)
			if err != nil {
				return err
			}
			return printCost(cmd, cfg, traffic)
		},
	}
	src.add(cmd.Flags(), defaultStack, "stack name; its settings are read from Pulumi.<stack>.yaml", true)
	cmd.Flags().Float64Var(&traffic.RequestsPerSecond, "rps", 1, "average requests per second")
	cmd.Flags().Float64Var(&traffic.KBPerRequest, "kb-per-request", 10, "average kilobytes per request and response")
	return cmd
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
