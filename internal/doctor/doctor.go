// Package doctor diagnoses a deployed edge the way the runbook's troubleshooting section does by
// hand: it reads the cluster (client-go) and the account (aws-sdk-go-v2), and reports a fixed,
// ordered set of checks, each ok, warn or FAIL with its evidence and, for every non-ok, the fix.
// A check that needs an earlier one which did not pass is reported as skip, naming that check.
package doctor

import (
	"context"
	"fmt"
	"time"

	"github.com/mlops-retail/retail-api-edge/internal/lbkind"
)

// Status is a check's outcome.
type Status string

// Statuses, in rising order of concern.
const (
	OK   Status = "ok"
	Skip Status = "skip"
	Warn Status = "warn"
	Fail Status = "FAIL"
)

// Result is one check's line.
type Result struct {
	Check    string `json:"check"`
	Status   Status `json:"status"`
	Evidence string `json:"evidence"`
	Fix      string `json:"fix,omitempty"`
}

// Failed says whether any result failed: doctor exits non-zero then.
func Failed(results []Result) bool {
	for _, r := range results {
		if r.Status == Fail {
			return true
		}
	}
	return false
}

// Target is the stack being diagnosed: names and switches from its stack file, or flags.
type Target struct {
	Cluster, Region string
	// Ingress says an ALB of the AWS Load Balancer Controller (Option B, or with Gateway Option C);
	// otherwise the Service's own load balancer (Option A) of kind LoadBalancer.
	Ingress bool
	// Gateway says Option C: the ALB is a Gateway API Gateway's, GatewayName in Namespace, of
	// class GatewayClass.
	Gateway                   bool
	GatewayName, GatewayClass string
	LoadBalancer              lbkind.Kind
	Namespace                 string
	Service                   string
	IngressName               string
	HealthPath                string
	// SuccessCodes is the health-check matcher the program asks for (ingress.successCodes).
	SuccessCodes string
	// Controller is where the AWS Load Balancer Controller runs (Option B without Auto Mode).
	ControllerNamespace  string
	ControllerDeployment string
	// AutoMode is cluster.autoMode: nil detects it from the Ingress's class.
	AutoMode *bool
	// Host is domain.name; TLS, Alias and WAF say whether those features are on.
	Host            string
	TLS, Alias, WAF bool
	// VpcID is cluster.vpcId, used for the subnet check when no load balancer says its VPC.
	VpcID string
	// Subnets are cluster.publicSubnetIds: when set, the load balancer uses these, not discovery.
	Subnets []string
	// LogLines bounds how much of the controller's log is read (from its end).
	LogLines int64
	// Routed are the other Services the routing block sends requests to (in Namespace).
	Routed []string
}

// Env is what the checks read: the cluster and the account, each possibly unreachable (then its
// error is the first check's evidence and its other checks are skipped).
type Env struct {
	Kube    *Kube
	KubeErr error
	AWS     *AWS
	AWSErr  error
	// Resolver looks names up for the DNS check; nil means the system's.
	Resolver Resolver
	// Timeout bounds each check.
	Timeout time.Duration
}

// Resolver is the DNS lookup the alias check makes (*net.Resolver implements it).
type Resolver interface {
	LookupHost(ctx context.Context, host string) ([]string, error)
}

// check is one line of the report.
type check struct {
	id string
	// needs are earlier checks whose findings this one reads; it is skipped unless they passed
	// (ok or warn).
	needs []string
	// applies says whether the check is part of this target's set.
	applies func(Target) bool
	run     func(ctx context.Context, d *diagnosis) Result
}

// diagnosis is one run: the target, its environment, and what earlier checks found.
type diagnosis struct {
	Target
	env    Env
	found  findings
	status map[string]Status
}

// Run performs every check that applies to t, in order.
func Run(ctx context.Context, env Env, t Target) []Result {
	if env.Timeout <= 0 {
		env.Timeout = 30 * time.Second
	}
	d := &diagnosis{Target: t, env: env, status: map[string]Status{}}
	return d.run(ctx, checks())
}

// run performs the checks of cs that apply, in order, with what earlier ones found.
func (d *diagnosis) run(ctx context.Context, cs []check) []Result {
	var out []Result
	for _, c := range cs {
		if c.applies != nil && !c.applies(d.Target) {
			continue
		}
		r := d.perform(ctx, c)
		r.Check = c.id
		d.status[c.id] = r.Status
		out = append(out, r)
	}
	return out
}

func (d *diagnosis) perform(ctx context.Context, c check) Result {
	for _, n := range c.needs {
		if s, ran := d.status[n]; ran && s != OK && s != Warn {
			return Result{Status: Skip, Evidence: "needs " + n}
		}
	}
	ctx, cancel := context.WithTimeout(ctx, d.env.Timeout)
	defer cancel()
	r := c.run(ctx, d)
	if ctx.Err() == context.DeadlineExceeded && r.Status != OK {
		r.Evidence = fmt.Sprintf("no answer within %s: %s", d.env.Timeout, r.Evidence)
	}
	return r
}

// checks are every check, in the order they run and print: the cluster's side first (the pods,
// then what exposes them), then the account's (the load balancer, then what is in front of it).
func checks() []check {
	return append(kubeChecks(), awsChecks()...)
}

func ok(format string, a ...any) Result {
	return Result{Status: OK, Evidence: fmt.Sprintf(format, a...)}
}

func warn(fix, format string, a ...any) Result {
	return Result{Status: Warn, Evidence: fmt.Sprintf(format, a...), Fix: fix}
}

func fail(fix, format string, a ...any) Result {
	return Result{Status: Fail, Evidence: fmt.Sprintf(format, a...), Fix: fix}
}

func skip(format string, a ...any) Result {
	return Result{Status: Skip, Evidence: fmt.Sprintf(format, a...)}
}

func optionB(t Target) bool { return t.Ingress }
func optionA(t Target) bool { return !t.Ingress }
