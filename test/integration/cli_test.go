//go:build integration

package integration

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/mlops-retail/retail-api-edge/internal/ownership"
	"github.com/mlops-retail/retail-api-edge/internal/stackconfig"
	"github.com/mlops-retail/retail-api-edge/stacks"
	"github.com/mlops-retail/retail-api-edge/test/integration/awsstandin"
	"github.com/mlops-retail/retail-api-edge/test/integration/harness"
)

// TestCLI runs the project the way its users do: the real `pulumi` CLI and Go language host on a
// copy of the repository, the unmodified Pulumi.demo.yaml and Pulumi.prod.yaml, a real API server,
// and the AWS stand-in plugin in place of pulumi-aws (and of AWS). Each scenario starts from
// nothing and leaves nothing; each prints one line.
func TestCLI(t *testing.T) {
	w := newWorld(t)
	w.kubectlApply(t)
	c := w.cli(t)
	scenarios := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"cli-demo", c.demo},
		{"cli-prod", c.prod},
		{"cli-switch", c.switchOptions},
		{"cli-fault", c.fault},
		{"cli-secrets", c.secrets},
		{"cli-shared-cluster", c.sharedCluster},
		{"cli-two-stacks", c.twoStacks},
		{"cli-foreign-controller", c.foreignController},
		{"cli-untagged-subnets", c.untaggedSubnets},
		{"cli-preflight", c.preflight},
		{"cli-auto-mode", c.autoMode},
		{"cli-pod-identity", c.podIdentity},
		{"cli-canary", c.canary},
		{"cli-gateway", c.gateway},
	}
	for _, s := range scenarios {
		start, ran := time.Now(), false
		ok := t.Run(s.name, func(t *testing.T) { ran = true; s.run(t) })
		secs := time.Since(start).Seconds()
		switch {
		case !ran: // left out by -run
			continue
		case ok:
			fmt.Printf("scenario %s: ok (%.0f s)\n", s.name, secs)
			continue
		}
		fmt.Printf("scenario %s: FAILED after %.0f s (see the test log above)\n", s.name, secs)
		t.FailNow() // later scenarios assume this one cleaned up
	}
}

// cliWorld is a world driven through the CLI.
type cliWorld struct {
	*world
	cli     *harness.CLI
	standIn string           // the AWS stand-in's directory
	aws     awsstandin.World // what exists in AWS outside any stack
}

const (
	zoneID  = "Z0INTEGRATION00000001"
	account = "123456789012"
)

func (w *world) cli(t *testing.T) *cliWorld {
	t.Helper()
	tools := os.Getenv("RETAIL_EDGE_TOOLS")
	dir := t.TempDir()
	standIn := filepath.Join(dir, "aws")
	if err := os.MkdirAll(standIn, 0o755); err != nil {
		t.Fatal(err)
	}
	ca, err := w.cp.CAData()
	if err != nil {
		t.Fatal(err)
	}
	issuer := "https://oidc.eks.us-east-1.amazonaws.com/id/INTEGRATION0000000000000000000000"
	aws := awsstandin.World{
		Account: account,
		Clusters: map[string]awsstandin.Cluster{clusterName: {
			Endpoint: w.cp.Endpoint, CAData: ca, Issuer: issuer, VpcID: vpcID,
			SubnetIDs: []string{"subnet-0integration0000a", "subnet-0integration0000b"},
		}},
		OIDCProviders: []string{issuer}, // eksctl made it; the stacks only look it up
		Zones:         map[string]string{"example.com": zoneID},
		Subnets:       taggedSubnets(vpcID, "subnet-0integration0000a", "subnet-0integration0000b"),
		Slow:          2 * time.Second,
	}
	if err := awsstandin.WriteWorld(standIn, aws); err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	// The controllers' stand-in tells the AWS stand-in which web ACL each ALB has, so deleting an
	// ACL that is still associated fails as it does in WAF.
	w.standIn.Stop()
	w.standIn.OnWebACL = func(hostname, acl string) {
		if err := awsstandin.SetWebACL(standIn, hostname, acl); err != nil {
			fmt.Printf("stand-in: recording the web ACL of %s: %v\n", hostname, err)
		}
	}
	w.standIn.Start(w.ctx)
	c, err := harness.NewCLI(w.ctx, harness.CLIOptions{
		Tools: tools, Root: root, Dir: dir, StandInDir: standIn, Token: harness.AdminToken, Logs: w.logs,
	})
	if err != nil {
		t.Fatal(err)
	}
	return &cliWorld{world: w, cli: c, standIn: standIn, aws: aws}
}

// cliTimeout bounds one CLI command: the up or destroy itself (opTimeout) plus compiling the
// program, which the Go language host does for every command (over a minute the first time in the
// project copy, a link of about 20 s after that).
const cliTimeout = opTimeout + 5*time.Minute

// cliCtx bounds one CLI command by cliTimeout.
func (c *cliWorld) cliCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(c.ctx, cliTimeout)
	t.Cleanup(cancel)
	return ctx
}

// pulumi runs the CLI, bounded, and fails the test on an error.
func (c *cliWorld) pulumi(t *testing.T, args ...string) string {
	t.Helper()
	out, err := c.cli.Run(c.cliCtx(t), args...)
	if err != nil {
		t.Fatalf("%v\nfinalizers left: %s", err, c.finalizers())
	}
	return out
}

// stackInit creates a stack on the file backend with passphrase secrets, removed (its file as
// the repository has it) when the scenario ends.
func (c *cliWorld) stackInit(t *testing.T, stack string) {
	t.Helper()
	file := filepath.Join(c.cli.Dir, "Pulumi."+stack+".yaml")
	original, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	c.sameNames(t, stack)
	c.pulumi(t, "stack", "init", stack, "--secrets-provider", "passphrase")
	// The next scenario starts from the repository's stack file, without this one's `config set`s.
	t.Cleanup(func() {
		_, _ = c.cli.Run(context.Background(), "stack", "rm", "--yes", "--force", "--preserve-config", "--stack", stack)
		if err := os.WriteFile(file, original, 0o644); err != nil {
			t.Error(err)
		}
	})
}

// sameNames stops the scenario unless the stack file names the cluster, app, Ingress and controller
// as the scenarios look for them.
func (c *cliWorld) sameNames(t *testing.T, stack string) {
	t.Helper()
	st, err := stackconfig.Load(c.cli.Dir, stack, "")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := stacks.Decode(stack, st.Config)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := namesOf(cfg), namesOf(&names); !slices.Equal(got, want) {
		t.Fatalf("Pulumi.%s.yaml names %v; the scenarios look for the defaults %v", stack, got, want)
	}
}

// localChart points the controller at the test chart: the only override, since the eks-charts
// repository cannot be reached from here.
func (c *cliWorld) localChart(t *testing.T, stack string) {
	t.Helper()
	c.pulumi(t, "config", "set", "--stack", stack, "--path", "retail-api-edge:controller.chart", c.chart)
	c.pulumi(t, "config", "set", "--stack", stack, "--path", "retail-api-edge:controller.repository", "")
}

func (c *cliWorld) output(t *testing.T, stack, name string) string {
	t.Helper()
	return strings.TrimSpace(c.pulumi(t, "stack", "output", name, "--stack", stack))
}

// ledgerView is the stand-in's ledger with the lookups the scenarios make.
type ledgerView struct{ awsstandin.Ledger }

func (c *cliWorld) ledger(t *testing.T) ledgerView {
	t.Helper()
	l, err := awsstandin.ReadLedger(c.standIn)
	if err != nil {
		t.Fatal(err)
	}
	return ledgerView{l}
}

// assertNoAWS checks that no AWS object the stand-in made is live.
func (c *cliWorld) assertNoAWS(t *testing.T) {
	t.Helper()
	if live := c.ledger(t).Live(); len(live) > 0 {
		var left []string
		for _, o := range live {
			left = append(left, o.Type+" "+o.ID)
		}
		t.Errorf("AWS objects left behind: %v", left)
	}
}

func (c *cliWorld) demo(t *testing.T) {
	c.stackInit(t, "demo")
	c.pulumi(t, "preview", "--stack", "demo")
	c.pulumi(t, "up", "--yes", "--stack", "demo")
	lb := c.onlyLive(t, "nlb")
	if got, want := c.output(t, "demo", "healthUrl"), "http://"+lb.Hostname+healthPath; got != want {
		t.Errorf("healthUrl = %q, want %q", got, want)
	}
	ops := len(c.ledger(t).Ops)
	c.pulumi(t, "up", "--yes", "--expect-no-changes", "--stack", "demo")
	if got := len(c.ledger(t).Ops); got != ops {
		t.Errorf("the second up made %d AWS calls that change something", got-ops)
	}
	c.switchKind(t, lb)
	c.pulumi(t, "destroy", "--yes", "--stack", "demo")
	c.assertNothingLeft(t)
	c.assertNoAWS(t)
}

// switchKind changes the demo's load balancer from NLB to classic: the in-tree provider keeps the
// NLB of a Service whose type annotation changes, so the program must replace the Service.
func (c *cliWorld) switchKind(t *testing.T, nlb harness.LoadBalancer) {
	t.Helper()
	before := c.appService(t)
	c.pulumi(t, "config", "set", "--stack", "demo", "--path", "retail-api-edge:service.loadBalancer", "classic")
	c.pulumi(t, "up", "--yes", "--stack", "demo")
	classic := c.onlyLive(t, "classic")
	if c.deleted(nlb).IsZero() {
		t.Error("switching to a classic ELB left the NLB")
	}
	if got := c.appService(t).UID; got == before.UID {
		t.Error("the Service was updated in place; the cloud provider keeps its NLB then")
	}
	if got := c.output(t, "demo", "loadBalancerHostname"); got != classic.Hostname {
		t.Errorf("loadBalancerHostname = %q, want the classic ELB's %s", got, classic.Hostname)
	}
}

func (c *cliWorld) prod(t *testing.T) {
	c.stackInit(t, "prod")
	c.localChart(t, "prod")
	c.pulumi(t, "up", "--yes", "--stack", "prod")
	alb := c.onlyLive(t, "alb")
	c.assertProdAWS(t, alb.Hostname)
	c.outageAlarm(t, alb)
	c.pulumi(t, "up", "--yes", "--expect-no-changes", "--stack", "prod")

	edgectl := c.edgectl(t)
	if _, err := c.cli.Command(c.ctx, "sh", "-c", edgectl+" plan --stack prod --output json > before.json"); err != nil {
		t.Fatal(err)
	}
	c.pulumi(t, "config", "set", "--stack", "prod", "--path", "retail-api-edge:waf.rateLimit", "500")
	diff := c.pulumi(t, "preview", "--diff", "--stack", "prod")
	const want = "~ aws:wafv2/webAcl:WebAcl retail-api-acl"
	if changed := previewChanges(diff); strings.Join(changed, ",") != want {
		t.Errorf("preview after changing waf.rateLimit changes %v, want only an update of the web ACL:\n%s", changed, diff)
	}
	offline, err := c.cli.Command(c.ctx, edgectl, "plan", "--stack", "prod", "--diff-against", "before.json")
	if err != nil {
		t.Fatal(err)
	}
	if changed := changedResources(offline); strings.Join(changed, ",") != want {
		t.Errorf("edgectl plan --diff-against names %v, the real preview %q:\n%s", changed, want, offline)
	}
	c.pulumi(t, "up", "--yes", "--stack", "prod")
	acl := c.ledger(t).find(t, "aws:wafv2/webAcl:WebAcl")
	if limit := acl.Props["rules"].([]any)[0].(map[string]any)["statement"].(map[string]any)["rateBasedStatement"].(map[string]any)["limit"]; limit != float64(500) {
		t.Errorf("web ACL rate limit = %v, want 500", limit)
	}
	c.wafOff(t, acl)

	// The documented two-step for a protected ALB: destroy refuses, protection off, then destroy.
	if _, err := c.cli.Run(c.cliCtx(t), "destroy", "--yes", "--stack", "prod"); err == nil {
		t.Fatal("destroy of a stack with deletion protection on must refuse")
	}
	c.pulumi(t, "config", "set", "--stack", "prod", "--path", "retail-api-edge:ingress.deletionProtection", "false")
	c.pulumi(t, "up", "--yes", "--stack", "prod")
	c.pulumi(t, "destroy", "--yes", "--stack", "prod")
	c.assertNothingLeft(t)
	c.assertOnlyLogBucketKept(t)
}

// assertProdAWS checks what prod made in AWS and that the ALB refers to it.
func (c *cliWorld) assertProdAWS(t *testing.T, albHostname string) {
	t.Helper()
	l := c.ledger(t)
	for _, typ := range []string{"aws:iam/policy:Policy", "aws:iam/role:Role", "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
		"aws:acm/certificate:Certificate", "aws:acm/certificateValidation:CertificateValidation", "aws:wafv2/webAcl:WebAcl",
		"aws:s3/bucketV2:BucketV2", "aws:s3/bucketPolicy:BucketPolicy"} {
		l.find(t, typ)
	}
	cert, acl, bucket := l.find(t, "aws:acm/certificate:Certificate"), l.find(t, "aws:wafv2/webAcl:WebAcl"), l.find(t, "aws:s3/bucketV2:BucketV2")
	if cert.Props["status"] != "ISSUED" {
		t.Errorf("certificate status %v, want ISSUED", cert.Props["status"])
	}
	ing, err := c.k8s.NetworkingV1().Ingresses(namespace).Get(c.ctx, ingressName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	a := ing.Annotations
	const p = "alb.ingress.kubernetes.io/"
	if a[p+"certificate-arn"] != cert.ID || a[p+"wafv2-acl-arn"] != acl.Props["arn"] ||
		!strings.Contains(a[p+"load-balancer-attributes"], "access_logs.s3.bucket="+bucket.ID) {
		t.Errorf("the Ingress does not refer to the certificate %s, web ACL %v and bucket %s: %v", cert.ID, acl.Props["arn"], bucket.ID, a)
	}
	alias := l.findWhere(t, "aws:route53/record:Record", func(o awsstandin.Object) bool { return o.Props["type"] == "A" })
	if target := alias.Props["aliases"].([]any)[0].(map[string]any)["name"]; target != albHostname {
		t.Errorf("alias record points at %v, want the ALB %s", target, albHostname)
	}
}

// find returns the one live object of a type.
func (l ledgerView) find(t *testing.T, typ string) awsstandin.Object {
	t.Helper()
	return l.findWhere(t, typ, func(awsstandin.Object) bool { return true })
}

func (l ledgerView) findWhere(t *testing.T, typ string, match func(awsstandin.Object) bool) awsstandin.Object {
	t.Helper()
	var found []awsstandin.Object
	for _, o := range l.Live() {
		if o.Type == typ && match(o) {
			found = append(found, o)
		}
	}
	if len(found) != 1 {
		t.Fatalf("want one live %s, got %d", typ, len(found))
	}
	return found[0]
}

// edgectl builds the offline planner from the project copy.
func (c *cliWorld) edgectl(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(c.cli.Dir, "bin", "edgectl")
	if _, err := c.cli.Command(c.ctx, "go", "build", "-o", bin, "./cmd/edgectl"); err != nil {
		t.Fatal(err)
	}
	return bin
}

// previewStep is a resource line of `pulumi preview --diff` ("    ~ TYPE: (update)"); the line
// after it names the resource by URN.
var previewStep = regexp.MustCompile(`^\s*([-+~]+)\s+(\S+): \(([a-z-]+)\)`)

// previewChanges lists what a `pulumi preview --diff` would change, as "OP TYPE NAME".
func previewChanges(out string) []string {
	var changes []string
	lines := strings.Split(out, "\n")
	for i, line := range lines {
		m := previewStep.FindStringSubmatch(line)
		if m == nil || i+2 >= len(lines) {
			continue
		}
		for _, next := range lines[i+1 : i+3] {
			if _, urn, ok := strings.Cut(next, "[urn="); ok {
				name := strings.TrimSuffix(strings.TrimSpace(urn), "]")
				changes = append(changes, m[1]+" "+m[2]+" "+name[strings.LastIndex(name, "::")+2:])
			}
		}
	}
	return changes
}

// changedResources lists what `edgectl plan --diff-against` reports, as "OP TYPE NAME".
func changedResources(diff string) []string {
	var out []string
	for _, line := range strings.Split(diff, "\n") {
		if f := strings.Fields(line); len(f) == 3 && len(f[0]) == 1 && strings.ContainsAny(f[0], "+-~") {
			out = append(out, strings.Join(f, " "))
		}
	}
	return out
}

// switchOptions moves the demo stack to Option B and back with the real CLI.
func (c *cliWorld) switchOptions(t *testing.T) {
	c.stackInit(t, "demo")
	c.pulumi(t, "up", "--yes", "--stack", "demo")
	nlb := c.onlyLive(t, "nlb")
	c.pulumi(t, "config", "set", "--stack", "demo", "retail-api-edge:exposure", "ingress")
	c.localChart(t, "demo")
	// This time the cluster has no IAM OIDC provider, and the stack owns one: created by the first
	// up, left alone by the next (a lookup-then-create would delete it there).
	c.withoutOIDCProviders(t)
	c.pulumi(t, "config", "set", "--stack", "demo", "--path", "retail-api-edge:cluster.createOidcProvider", "true")
	c.pulumi(t, "up", "--yes", "--stack", "demo")
	alb := c.onlyLive(t, "alb")
	const oidcType = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
	oidc := c.ledger(t).find(t, oidcType)
	c.pulumi(t, "up", "--yes", "--expect-no-changes", "--stack", "demo")
	if again := c.ledger(t).find(t, oidcType); again.ID != oidc.ID {
		t.Errorf("the second up replaced the stack's OIDC provider: %s, then %s", oidc.ID, again.ID)
	}
	if c.deleted(nlb).IsZero() {
		t.Error("switching to Option B left the NLB")
	}
	if got := c.output(t, "demo", "url"); got != "http://"+alb.Hostname {
		t.Errorf("url = %q, want the ALB's", got)
	}
	// Back to Option A: its settings go too (Option A refuses them: they would do nothing).
	c.pulumi(t, "config", "set", "--stack", "demo", "retail-api-edge:exposure", "service")
	for _, key := range []string{"controller.chart", "controller.repository", "cluster.createOidcProvider"} {
		c.pulumi(t, "config", "rm", "--stack", "demo", "--path", "retail-api-edge:"+key)
	}
	c.pulumi(t, "up", "--yes", "--stack", "demo")
	c.onlyLive(t, "nlb")
	if c.deleted(alb).IsZero() {
		t.Error("switching back to Option A left the ALB")
	}
	c.assertNoOptionB(t)
	// The controller's role and policy went with it; the OIDC provider is the cluster's, kept.
	c.forgetRetained(t, map[string]int{oidcType: 1})
	c.pulumi(t, "destroy", "--yes", "--stack", "demo")
	c.assertNothingLeft(t)
}

// useWorld makes w what exists in AWS for the rest of the test, and restores the scenarios'
// common world when it ends.
func (c *cliWorld) useWorld(t *testing.T, w awsstandin.World) {
	t.Helper()
	if err := awsstandin.WriteWorld(c.standIn, w); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := awsstandin.WriteWorld(c.standIn, c.aws); err != nil {
			t.Error(err)
		}
	})
}

// withoutOIDCProviders removes, for the rest of the test, the OIDC providers made outside any stack.
func (c *cliWorld) withoutOIDCProviders(t *testing.T) {
	t.Helper()
	w := c.aws
	w.OIDCProviders = nil
	c.useWorld(t, w)
}

// fault makes AWS fail one create in the middle of prod's first up: up fails with that error, the
// next up converges, destroy leaves nothing.
func (c *cliWorld) fault(t *testing.T) {
	c.stackInit(t, "prod")
	c.localChart(t, "prod")
	c.pulumi(t, "config", "set", "--stack", "prod", "--path", "retail-api-edge:ingress.deletionProtection", "false")
	if err := awsstandin.InjectFault(c.standIn, awsstandin.Fault{Op: "create", Type: "aws:wafv2/webAcl:WebAcl"}); err != nil {
		t.Fatal(err)
	}
	_, err := c.cli.Run(c.cliCtx(t), "up", "--yes", "--stack", "prod")
	if err == nil || !strings.Contains(err.Error(), "told to fail this create of aws:wafv2/webAcl:WebAcl") {
		t.Fatalf("up must fail with the injected error, got %v", err)
	}
	c.pulumi(t, "up", "--yes", "--stack", "prod")
	c.assertProdAWS(t, c.onlyLive(t, "alb").Hostname)
	c.pulumi(t, "up", "--yes", "--expect-no-changes", "--stack", "prod")
	c.pulumi(t, "destroy", "--yes", "--stack", "prod")
	c.assertNothingLeft(t)
	c.assertOnlyLogBucketKept(t)
}

// secrets sets a value with `pulumi config set --secret` and checks that it never appears in
// plain text in the state or the outputs.
func (c *cliWorld) secrets(t *testing.T) {
	const secret = "owner-s3cr3t-7f1c"
	c.stackInit(t, "prod")
	c.localChart(t, "prod")
	c.pulumi(t, "config", "set", "--stack", "prod", "--path", "retail-api-edge:ingress.deletionProtection", "false")
	c.pulumi(t, "config", "set", "--stack", "prod", "--secret", "--path", "retail-api-edge:tags.owner", secret)
	c.pulumi(t, "up", "--yes", "--stack", "prod")
	for _, args := range [][]string{{"stack", "export", "--stack", "prod"}, {"stack", "output", "--json", "--stack", "prod"}} {
		if out := c.pulumi(t, args...); strings.Contains(out, secret) {
			i := strings.Index(out, secret)
			t.Errorf("pulumi %s shows the secret in plain text: ...%s...", strings.Join(args, " "), out[max(0, i-600):min(len(out), i+100)])
		}
	}
	// It reached AWS and Kubernetes all the same.
	if tags := c.ledger(t).find(t, "aws:wafv2/webAcl:WebAcl").Props["tagsAll"]; !strings.Contains(fmt.Sprint(tags), secret) {
		t.Errorf("the web ACL's tags %v lack the secret owner tag", tags)
	}
	c.pulumi(t, "destroy", "--yes", "--stack", "prod")
	c.assertNothingLeft(t)
	c.assertOnlyLogBucketKept(t)
}

// sharedCluster runs demo and prod on one cluster, one after the other as docs/deploying.md shows: prod
// refuses demo's Service and changes nothing; demo hands the Service over; prod takes it; demo's
// destroy then leaves prod working.
func (c *cliWorld) sharedCluster(t *testing.T) {
	c.stackInit(t, "demo")
	c.pulumi(t, "up", "--yes", "--stack", "demo")
	nlb := c.onlyLive(t, "nlb")
	c.stackInit(t, "prod")
	c.localChart(t, "prod")
	c.pulumi(t, "config", "set", "--stack", "prod", "--path", "retail-api-edge:ingress.deletionProtection", "false")

	ops := len(c.ledger(t).Ops)
	_, err := c.cli.Run(c.cliCtx(t), "up", "--yes", "--stack", "prod")
	if err == nil || !strings.Contains(err.Error(), `belongs to stack "retail-api-edge/demo"`) ||
		!strings.Contains(err.Error(), `this is stack "retail-api-edge/prod"`) || !strings.Contains(err.Error(), "app.handOverTo") {
		t.Fatalf("prod's up must refuse demo's Service, naming both stacks and the handover; got %v", err)
	}
	if got := len(c.ledger(t).Ops); got != ops {
		t.Errorf("the refused up made %d AWS changes", got-ops)
	}
	if svc := c.appService(t); svc.Spec.Type != corev1.ServiceTypeLoadBalancer || svc.Annotations[ownership.Annotation] != "retail-api-edge/demo" {
		t.Errorf("the refused up changed demo's Service: type %s, owner %q", svc.Spec.Type, svc.Annotations[ownership.Annotation])
	}
	c.onlyLive(t, "nlb")

	c.pulumi(t, "config", "set", "--stack", "demo", "--path", "retail-api-edge:app.handOverTo", "prod")
	c.pulumi(t, "up", "--yes", "--stack", "demo")
	if c.deleted(nlb).IsZero() {
		t.Error("handing the Service over left demo's NLB running")
	}
	c.pulumi(t, "up", "--yes", "--stack", "prod")
	alb := c.onlyLive(t, "alb")
	c.pulumi(t, "destroy", "--yes", "--stack", "demo")
	if svc := c.appService(t); svc.Annotations[ownership.Annotation] != "retail-api-edge/prod" {
		t.Errorf("after demo's destroy the Service is owned by %q, want prod", svc.Annotations[ownership.Annotation])
	}
	if !c.deleted(alb).IsZero() {
		t.Error("demo's destroy took prod's ALB down")
	}
	c.pulumi(t, "up", "--yes", "--expect-no-changes", "--stack", "prod")
	c.pulumi(t, "destroy", "--yes", "--stack", "prod")
	c.assertNothingLeft(t)
	c.assertOnlyLogBucketKept(t)
}

// appService is the app's Service as the cluster has it; the test fails when it is gone.
func (c *cliWorld) appService(t *testing.T) *corev1.Service {
	t.Helper()
	svc, err := c.k8s.CoreV1().Services(namespace).Get(c.ctx, serviceName, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("the app Service: %v", err)
	}
	return svc
}

// taggedSubnets are public subnets in one zone each, tagged for load balancers as the controller's
// subnet discovery wants them.
func taggedSubnets(vpcID string, ids ...string) map[string]awsstandin.Subnet {
	out := map[string]awsstandin.Subnet{}
	for i, id := range ids {
		out[id] = awsstandin.Subnet{VpcID: vpcID, Zone: "us-east-1" + string(rune('a'+i)), Free: 250,
			Tags: map[string]string{"kubernetes.io/role/elb": "1"}}
	}
	return out
}
