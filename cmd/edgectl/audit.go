package main

import (
	"errors"
	"fmt"
	"strings"

	rgt "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	"github.com/spf13/cobra"

	"github.com/mlops-retail/retail-api-edge/internal/audit"
	"github.com/mlops-retail/retail-api-edge/internal/texttable"
	"github.com/mlops-retail/retail-api-edge/stacks"
)

type auditFlags struct {
	stackSource
	cluster, region                      string
	namespace, service, ingress, gateway string
	all                                  bool
	awsFlags
}

func newAuditCmd() *cobra.Command {
	f := &auditFlags{}
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "After pulumi destroy: list load balancers, target groups and security groups left behind",
		Long: "audit asks AWS (Resource Groups Tagging API) for every load balancer, target group, listener, rule and\n" +
			"security group that the AWS Load Balancer Controller or the in-tree cloud provider made for this cluster\n" +
			"and app, by the tags they put on them, prints each with the command that deletes it, and exits non-zero\n" +
			"if anything is left. Uses your AWS credentials (AWS_PROFILE, environment, SSO).",
		Example: "  edgectl audit --stack demo\n" +
			"  edgectl audit --cluster mlops-retail-cluster --region us-east-1\n" +
			"  edgectl audit --stack prod --all     # every leftover of the cluster, not just this app's",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runAudit(cmd, f) },
	}
	fl, d := cmd.Flags(), stacks.Defaults()
	f.add(fl, "", "read cluster, region and app names from Pulumi.<stack>.yaml", false)
	fl.StringVar(&f.cluster, "cluster", "", "EKS cluster name (overrides the stack's)")
	fl.StringVar(&f.region, "region", "", "AWS region (overrides the stack's)")
	fl.StringVar(&f.namespace, "namespace", d.App.Namespace, "app namespace")
	fl.StringVar(&f.service, "service", d.App.ServiceName, "app Service name")
	fl.StringVar(&f.ingress, "ingress", d.Ingress.Name, "app Ingress name")
	fl.StringVar(&f.gateway, "gateway", d.Gateway.Name, "app Gateway name (Option C)")
	fl.BoolVar(&f.all, "all", false, "report everything the controller made for the cluster, not only this app's")
	f.addAWS(fl, "Tagging API endpoint (for tests or a private endpoint)")
	return cmd
}

func runAudit(cmd *cobra.Command, f *auditFlags) error {
	t, region, err := auditTarget(f)
	if err != nil {
		return err
	}
	cfg, err := f.config(cmd.Context(), region)
	if err != nil {
		return err
	}
	left, err := audit.Find(cmd.Context(), rgt.NewFromConfig(cfg), t)
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if len(left) == 0 {
		_, err := fmt.Fprintf(out, "Nothing left: no load balancer resources tagged for cluster %s (app %s/%s).\n", t.Cluster, t.Namespace, t.Service)
		return err
	}
	rows := [][]string{{"KIND", "OWNER", "ARN"}}
	for _, l := range left {
		rows = append(rows, []string{l.Kind, l.Owner, l.ARN})
	}
	var b strings.Builder
	b.WriteString(texttable.Format(rows))
	b.WriteString("\nDelete them, in this order:\n")
	for _, l := range left {
		b.WriteString("  " + l.Delete + "\n")
	}
	if _, err := fmt.Fprint(out, b.String()); err != nil {
		return err
	}
	return fmt.Errorf("%d resources left for cluster %s", len(left), t.Cluster)
}

// auditTarget resolves whose leftovers to look for: flags, or the stack's own settings.
func auditTarget(f *auditFlags) (audit.Target, string, error) {
	t := audit.Target{Cluster: f.cluster, Namespace: f.namespace, Service: f.service, Ingress: f.ingress, Gateway: f.gateway, All: f.all}
	region := f.region
	if f.stack != "" {
		cfg, err := decodeStack(f.dir, f.stack, "")
		if err != nil {
			return t, "", err
		}
		t.Namespace, t.Service, t.Ingress, t.Gateway = cfg.App.Namespace, cfg.App.ServiceName, cfg.Ingress.Name, cfg.Gateway.Name
		t.Cluster, region = pick(f.cluster, cfg.Cluster.Name), pick(f.region, cfg.Region)
	}
	if t.Cluster == "" || region == "" {
		return t, "", errors.New("name the cluster and region (--cluster, --region) or a stack (--stack)")
	}
	return t, region, nil
}

func pick(flag, fromStack string) string {
	if flag != "" {
		return flag
	}
	return fromStack
}
