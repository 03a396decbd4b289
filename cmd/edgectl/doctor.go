package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/mlops-retail/retail-api-edge/components/lbcontroller"
	"github.com/mlops-retail/retail-api-edge/internal/doctor"
	"github.com/mlops-retail/retail-api-edge/internal/lbkind"
	"github.com/mlops-retail/retail-api-edge/stacks"
)

type doctorFlags struct {
	stackSource
	awsFlags
	cluster, region             string
	exposure, loadBalancer      string
	namespace, service, ingress string
	gateway, gatewayClass       string
	controllerNS, controllerDep string
	kubeconfig, kubeContext     string
	vpcID, output, dnsServer    string
	timeout                     time.Duration
	logLines                    int64
}

func newDoctorCmd() *cobra.Command {
	f := &doctorFlags{}
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "When the endpoint does not work: check the cluster and AWS side by side and say what to fix",
		Long: "doctor runs the runbook's troubleshooting as a fixed, ordered set of checks: the app Service, its pods and\n" +
			"endpoints; for Option B the controller, its webhook, its log, the readiness gate and the Ingress; the events\n" +
			"the controllers report; then in AWS the load balancer, its targets' health with what each reason code means,\n" +
			"the health check, the security groups between load balancer and targets, the public subnets and, as the\n" +
			"stack turns them on, the certificate, the DNS alias and the web ACL. Each line is ok, warn, FAIL (with the fix)\n" +
			"or skip (an earlier check it needs did not pass). Exit code 0 only when nothing failed.\n" +
			"It reads the cluster as kubectl does (exec credentials included) and AWS with your credentials; read-only.",
		Example: "  edgectl doctor --stack demo\n" +
			"  edgectl doctor --stack prod --output json\n" +
			"  edgectl doctor --cluster mlops-retail-cluster --region us-east-1 --exposure ingress --context prod-admin",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runDoctor(cmd, f) },
	}
	fl, d := cmd.Flags(), stacks.Defaults()
	f.add(fl, "", "read the cluster, region, names and features from Pulumi.<stack>.yaml", true)
	fl.StringVar(&f.cluster, "cluster", "", "EKS cluster name (overrides the stack's)")
	fl.StringVar(&f.region, "region", "", "AWS region (overrides the stack's)")
	fl.StringVar(&f.exposure, "exposure", "", "service (Option A) or ingress (Option B); overrides the stack's")
	fl.StringVar(&f.loadBalancer, "load-balancer", "", "Option A's kind, nlb or classic; overrides the stack's")
	fl.StringVar(&f.namespace, "namespace", "", "app namespace (default: the stack's, else "+d.App.Namespace+")")
	fl.StringVar(&f.service, "service", "", "app Service name (default: the stack's, else "+d.App.ServiceName+")")
	fl.StringVar(&f.ingress, "ingress", "", "app Ingress name (default: the stack's, else "+d.Ingress.Name+")")
	fl.StringVar(&f.gateway, "gateway", "", "app Gateway name, Option C (default: the stack's, else "+d.Gateway.Name+")")
	fl.StringVar(&f.gatewayClass, "gateway-class", "", "its GatewayClass (default: the stack's, retail-api-edge-<stack>)")
	fl.StringVar(&f.controllerNS, "controller-namespace", "", "the controller's namespace (default: the stack's, else "+d.Controller.Namespace+")")
	fl.StringVar(&f.controllerDep, "controller-deployment", lbcontroller.ReleaseName, "the controller's Deployment")
	fl.StringVar(&f.kubeconfig, "kubeconfig", "", "kubeconfig file (default: as kubectl finds it, $KUBECONFIG or ~/.kube/config)")
	fl.StringVar(&f.kubeContext, "context", "", "kubeconfig context (default: its current context)")
	fl.StringVar(&f.vpcID, "vpc-id", "", "the cluster's VPC, for the subnet check before a load balancer exists (default: the stack's cluster.vpcId)")
	fl.StringVar(&f.dnsServer, "dns-server", "", "ask this name server (host:port, e.g. one of the zone's) for the DNS check instead of the system resolver")
	fl.StringVarP(&f.output, "output", "o", "text", "text or json")
	fl.DurationVar(&f.timeout, "timeout", 30*time.Second, "time each check may take")
	fl.Int64Var(&f.logLines, "log-lines", 500, "how many of the controller's last log lines to search for errors")
	f.addAWS(fl, "AWS endpoint for every service (tests, a private endpoint)")
	return cmd
}

func runDoctor(cmd *cobra.Command, f *doctorFlags) error {
	if f.output != "text" && f.output != "json" {
		return fmt.Errorf("--output must be text or json, got %q", f.output)
	}
	t, err := doctorTarget(f)
	if err != nil {
		return err
	}
	env := doctor.Env{Timeout: f.timeout, Resolver: resolver(f.dnsServer)}
	env.Kube, env.KubeErr = doctor.NewKube(f.kubeconfig, f.kubeContext)
	if cfg, err := f.config(cmd.Context(), t.Region); err != nil {
		env.AWSErr = err
	} else {
		env.AWS = doctor.NewAWS(cfg)
	}
	results := doctor.Run(cmd.Context(), env, t)
	out := cmd.OutOrStdout()
	if f.output == "json" {
		err = doctor.JSON(out, results)
	} else {
		err = doctor.Text(out, results)
	}
	if err != nil {
		return err
	}
	if doctor.Failed(results) {
		return errors.New("doctor found failures")
	}
	return nil
}

// doctorTarget is what to diagnose: the stack's settings (or the defaults), with flags over them.
func doctorTarget(f *doctorFlags) (doctor.Target, error) {
	defaults := stacks.Defaults()
	cfg := &defaults
	if f.stack != "" {
		var err error
		if cfg, err = decodeStack(f.dir, f.stack, f.configFile); err != nil {
			return doctor.Target{}, err
		}
	}
	exposure := pick(f.exposure, string(cfg.Exposure))
	t := doctor.Target{
		Cluster: pick(f.cluster, cfg.Cluster.Name), Region: pick(f.region, cfg.Region),
		Ingress:      exposure == string(stacks.ExposeIngress),
		LoadBalancer: lbkind.Kind(pick(f.loadBalancer, string(cfg.Service.LoadBalancer))),
		Namespace:    pick(f.namespace, cfg.App.Namespace), Service: pick(f.service, cfg.App.ServiceName),
		IngressName: pick(f.ingress, cfg.Ingress.Name), HealthPath: cfg.App.HealthPath, SuccessCodes: cfg.Ingress.SuccessCodes,
		ControllerNamespace: pick(f.controllerNS, cfg.Controller.Namespace), ControllerDeployment: f.controllerDep,
		AutoMode: cfg.Cluster.AutoMode, Host: cfg.Domain.Name, TLS: cfg.TLS.Enabled, Alias: cfg.Domain.Alias, WAF: cfg.WAF.Enabled,
		VpcID: pick(f.vpcID, cfg.Cluster.VpcID), Subnets: cfg.Cluster.PublicSubnetIDs, LogLines: f.logLines,
		Routed: routed(cfg),
	}
	if exposure == string(stacks.ExposeGateway) {
		// Option C: the controller's ALB, found through the Gateway instead of an Ingress.
		t.Ingress, t.Gateway = true, true
		t.GatewayName, t.GatewayClass = pick(f.gateway, cfg.Gateway.Name), pick(f.gatewayClass, cfg.Gateway.ClassName)
		if t.GatewayClass == "" {
			return t, errors.New("name the GatewayClass (--gateway-class) or a stack (--stack): the program names it after the stack")
		}
	}
	if exposure != string(stacks.ExposeIngress) && exposure != string(stacks.ExposeService) && exposure != string(stacks.ExposeGateway) {
		return t, fmt.Errorf("--exposure must be service, ingress or gateway, got %q", exposure)
	}
	if t.Ingress {
		t.LoadBalancer = lbkind.ALB
	} else if t.LoadBalancer != lbkind.NLB && t.LoadBalancer != lbkind.Classic {
		return t, fmt.Errorf("--load-balancer must be nlb or classic, got %q", t.LoadBalancer)
	}
	if t.Region == "" {
		return t, errors.New("name the region (--region) or a stack (--stack)")
	}
	return t, nil
}

// resolver is the system's, or Go's own resolver asking only server: a zone's name server
// answers without the caches between here and it.
func resolver(server string) *net.Resolver {
	if server == "" {
		return net.DefaultResolver
	}
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, server)
	}}
}

// routed are the Services besides the app's that the stack's routing rules send requests to.
func routed(cfg *stacks.Config) []string {
	var out []string
	for _, r := range cfg.Routing.Rules {
		for _, b := range r.Backends {
			if b.Service != cfg.App.ServiceName && !slices.Contains(out, b.Service) {
				out = append(out, b.Service)
			}
		}
	}
	return out
}
