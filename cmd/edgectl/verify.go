package main

import (
	"bytes"
	"cmp"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/mlops-retail/retail-api-edge/internal/fielderr"
	"github.com/mlops-retail/retail-api-edge/internal/texttable"
	"github.com/mlops-retail/retail-api-edge/internal/verify"
	"github.com/mlops-retail/retail-api-edge/stacks"
)

func newVerifyCmd() *cobra.Command {
	var (
		base, stack, dir, predictFile, caFile string
		o                                     = verify.Options{}
	)
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check the deployed API from outside: health, docs, predict, and HTTPS when used",
		Long: "verify waits (retrying, with a countdown) until /health returns 200, checks that /docs answers and, with\n" +
			"--predict-body, that /predict answers a sample. For https:// URLs it also checks the certificate for the\n" +
			"host, that plain HTTP redirects to HTTPS, and that TLS 1.0/1.1 are refused. Exit code 0 only if all pass.",
		Example: "  edgectl verify --url http://retail-api-svc-0123.elb.us-east-1.amazonaws.com\n" +
			"  edgectl verify --stack prod --timeout 10m --predict-body sample.json",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if o.BaseURL, err = verifyURL(base, stack); err != nil {
				return err
			}
			if predictFile != "" {
				if o.PredictBody, err = os.ReadFile(predictFile); err != nil {
					return err
				}
			}
			if caFile != "" {
				pem, err := os.ReadFile(caFile)
				if err != nil {
					return err
				}
				o.RootCAs = x509.NewCertPool()
				if !o.RootCAs.AppendCertsFromPEM(pem) {
					return fmt.Errorf("no PEM certificate in %s", caFile)
				}
			}
			if stack != "" {
				cfg, err := decodeStack(dir, stack, "")
				if err != nil {
					return err
				}
				o.Routes = routeChecks(cfg)
			}
			o.Progress = cmd.ErrOrStderr()
			results, err := verify.Run(cmd.Context(), o)
			if err != nil {
				from := "--url"
				if base == "" {
					from = "the url output of stack " + stack
				}
				return fielderr.Name(err, map[string]string{"BaseURL": from})
			}
			rows := [][]string{{"CHECK", "RESULT", "DETAIL"}}
			for _, r := range results {
				rows = append(rows, []string{r.Check, map[bool]string{true: "pass", false: "FAIL"}[r.OK], r.Detail})
			}
			if _, err := fmt.Fprint(cmd.OutOrStdout(), texttable.Format(rows)); err != nil {
				return err
			}
			if !verify.Passed(results) {
				return errors.New("verification failed")
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&base, "url", "", "base URL of the API (http:// or https://)")
	fl.StringVarP(&stack, "stack", "s", "", "read the URL from the stack's outputs (pulumi stack output url), and its routing rules from its stack file")
	fl.StringVar(&dir, "dir", "", "project directory with the stack file (default: the nearest one up from here with a Pulumi.yaml)")
	fl.StringVar(&o.HealthPath, "health-path", stacks.Defaults().App.HealthPath, "health check path")
	fl.DurationVar(&o.Timeout, "timeout", 5*time.Minute, "how long to wait for /health (DNS and targets take minutes)")
	fl.DurationVar(&o.RetryEvery, "retry-every", 5*time.Second, "pause between /health attempts")
	fl.StringVar(&predictFile, "predict-body", "", "JSON file to POST to /predict")
	fl.StringVar(&caFile, "ca-file", "", "PEM CA bundle to trust instead of the system roots")
	fl.IntVar(&o.HTTPPort, "http-port", 80, "port where HTTP must redirect to HTTPS")
	return cmd
}

// verifyURL is --url, or the `url` output of the stack (needs the Pulumi CLI, logged in).
func verifyURL(base, stack string) (string, error) {
	if base != "" {
		return base, nil
	}
	if stack == "" {
		return "", errors.New("give --url, or --stack to read it from the stack's outputs")
	}
	var stderr bytes.Buffer
	cmd := exec.Command("pulumi", "stack", "output", "url", "--stack", stack)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("reading the url output of stack %s (is the Pulumi CLI installed and logged in?): %w: %s",
			stack, err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}

// routeChecks are the stack's routing rules as checks from here: each rule's own answer, and for
// a source-restricted rule the answer of the rule its request falls through to (the ALB's 404
// when none), since this client is presumably not in its ranges.
func routeChecks(cfg *stacks.Config) []verify.Route {
	rules := cfg.Routing.Rules
	var out []verify.Route
	for i, r := range rules {
		check := verify.Route{Check: fmt.Sprintf("rule %d: %s%s", i, r.Host, r.Path), Path: r.Path, Host: r.Host}
		answering := r
		if len(r.SourceRanges) > 0 {
			check.Check += " refused from here"
			answering = stacks.RouteRule{FixedResponse: &stacks.FixedResponseRule{StatusCode: http.StatusNotFound}}
			for _, o := range rules[i+1:] {
				if o.Matches(r.Host, r.Path) {
					answering = o
					break
				}
			}
		}
		switch {
		case answering.Backends != nil:
			check.Forward = true
		case answering.FixedResponse != nil:
			check.Status = answering.FixedResponse.StatusCode
		case answering.Redirect != nil:
			check.Status, check.Location = cmp.Or(answering.Redirect.StatusCode, http.StatusFound), cmp.Or(answering.Redirect.Path, answering.Redirect.Host)
		}
		out = append(out, check)
	}
	return out
}
