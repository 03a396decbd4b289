package main

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/mlops-retail/retail-api-edge/internal/fielderr"
	"github.com/mlops-retail/retail-api-edge/internal/loadtest"
)

func newLoadtestCmd() *cobra.Command {
	var (
		o              loadtest.Options
		output, plotTo string
		quiet          bool
	)
	cmd := &cobra.Command{
		Use:   "loadtest URL [URL...]",
		Short: "Load the API (closed loop like ab, or constant rate like artillery) and report latency percentiles",
		Long: "loadtest sends GET requests to the URLs in turn: -n requests from -c concurrent workers over keep-alive\n" +
			"connections (like ab -k), or --rate requests per second for --duration (like artillery quick). It shows a\n" +
			"live progress bar, then throughput, latency p50/p90/p95/p99/max (HDR histogram: each within 0.1%), status\n" +
			"codes and errors (or JSON with --output json), and can write an HTML latency plot.",
		Example: "  edgectl loadtest -n 2000 -c 20 http://HOST/health\n" +
			"  edgectl loadtest --rate 50 --duration 20s http://HOST/health http://HOST/docs --plot latency.html",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, urls []string) error {
			if output != "text" && output != "json" {
				return fmt.Errorf("--output must be text or json, got %q", output)
			}
			o.URLs = urls
			if !quiet {
				o.Progress = cmd.ErrOrStderr()
			}
			if plotTo != "" {
				f, err := os.Create(plotTo)
				if err != nil {
					return err
				}
				defer func() { _ = f.Close() }()
				o.Plot = f
			}
			r, err := loadtest.Run(cmd.Context(), o)
			if err != nil {
				return fielderr.Name(err, flagNames(cmd.Flags(), &o))
			}
			if output == "json" {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(r)
			}
			_, err = fmt.Fprint(cmd.OutOrStdout(), r.Text())
			return err
		},
	}
	fl := cmd.Flags()
	fl.IntVarP(&o.Requests, "requests", "n", 0, "closed loop: total requests")
	fl.IntVarP(&o.Concurrency, "concurrency", "c", 0, "closed loop: concurrent workers")
	fl.IntVar(&o.Rate, "rate", 0, "constant rate: requests per second")
	fl.DurationVar(&o.Duration, "duration", 0, "constant rate: how long")
	fl.DurationVar(&o.Timeout, "timeout", 30*time.Second, "per-request timeout")
	fl.StringVarP(&output, "output", "o", "text", "report format: text or json")
	fl.StringVar(&plotTo, "plot", "", "write an HTML latency plot to this file")
	fl.BoolVarP(&quiet, "quiet", "q", false, "no progress bar")
	return cmd
}
