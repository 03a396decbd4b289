package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/mlops-retail/retail-api-edge/internal/doctor"
	"github.com/mlops-retail/retail-api-edge/internal/doctor/doctortest"
	"github.com/mlops-retail/retail-api-edge/internal/lbkind"
)

// What doctor checks follows the stack file; flags override its names.
func TestDoctorTarget(t *testing.T) {
	tests := []struct {
		name  string
		flags doctorFlags
		check func(t *testing.T, f doctorFlags)
	}{
		{"prod: Option B with TLS, alias and WAF", doctorFlags{stackSource: stackSource{stack: "prod", dir: "../.."}}, func(t *testing.T, f doctorFlags) {
			tg, err := doctorTarget(&f)
			if err != nil {
				t.Fatal(err)
			}
			if !tg.Ingress || tg.LoadBalancer != lbkind.ALB || !tg.TLS || !tg.Alias || !tg.WAF || tg.Host != "retail-api.example.com" ||
				tg.SuccessCodes != "200" || tg.ControllerNamespace != "kube-system" || tg.IngressName != "retail-api" {
				t.Errorf("prod target: %+v", tg)
			}
		}},
		{"demo: Option A's NLB, no edge features", doctorFlags{stackSource: stackSource{stack: "demo", dir: "../.."}}, func(t *testing.T, f doctorFlags) {
			tg, err := doctorTarget(&f)
			if err != nil {
				t.Fatal(err)
			}
			if tg.Ingress || tg.LoadBalancer != lbkind.NLB || tg.TLS || tg.WAF || tg.Namespace != "mlops" || tg.Region != "us-east-1" {
				t.Errorf("demo target: %+v", tg)
			}
		}},
		{"flags over the stack", doctorFlags{stackSource: stackSource{stack: "demo", dir: "../.."}, exposure: "ingress",
			namespace: "shop", region: "eu-west-1", controllerNS: "lbc"}, func(t *testing.T, f doctorFlags) {
			tg, err := doctorTarget(&f)
			if err != nil {
				t.Fatal(err)
			}
			if !tg.Ingress || tg.LoadBalancer != lbkind.ALB || tg.Namespace != "shop" || tg.Region != "eu-west-1" || tg.ControllerNamespace != "lbc" {
				t.Errorf("overridden target: %+v", tg)
			}
		}},
		{"gateway: Option C's Gateway and class from the stack", doctorFlags{stackSource: stackSource{stack: "gateway", dir: "../..", configFile: "../../examples/Pulumi.gateway.yaml"}}, func(t *testing.T, f doctorFlags) {
			tg, err := doctorTarget(&f)
			if err != nil {
				t.Fatal(err)
			}
			if !tg.Gateway || !tg.Ingress || tg.LoadBalancer != lbkind.ALB || tg.GatewayName != "retail-api" || tg.GatewayClass != "retail-api-edge-gateway" {
				t.Errorf("gateway target: %+v", tg)
			}
		}},
		{"gateway without a stack needs its class", doctorFlags{exposure: "gateway", region: "us-east-1"}, func(t *testing.T, f doctorFlags) {
			if _, err := doctorTarget(&f); err == nil || !strings.Contains(err.Error(), "--gateway-class") {
				t.Errorf("got %v", err)
			}
		}},
		{"canary: the routed Services", doctorFlags{stackSource: stackSource{stack: "canary", dir: "../..", configFile: "../../examples/Pulumi.canary.yaml"}}, func(t *testing.T, f doctorFlags) {
			tg, err := doctorTarget(&f)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(tg.Routed, []string{"retail-api-v2-svc"}) {
				t.Errorf("routed Services: %v, want only retail-api-v2-svc (once, and not the app's)", tg.Routed)
			}
		}},
		{"bad exposure names the flag", doctorFlags{exposure: "nodeport", region: "us-east-1"}, func(t *testing.T, f doctorFlags) {
			if _, err := doctorTarget(&f); err == nil || !strings.Contains(err.Error(), "--exposure") {
				t.Errorf("got %v", err)
			}
		}},
		{"bad load balancer names the flag", doctorFlags{loadBalancer: "alb", region: "us-east-1"}, func(t *testing.T, f doctorFlags) {
			if _, err := doctorTarget(&f); err == nil || !strings.Contains(err.Error(), "--load-balancer") {
				t.Errorf("got %v", err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.check(t, tc.flags) })
	}
}

// An unreachable cluster is one clear failure; the AWS checks that do not need it still run,
// and the exit is non-zero. AWS is doctortest's wire-protocol stand-in.
func TestDoctorWithoutCluster(t *testing.T) {
	acct := doctortest.Healthy("retail-api.example.com", "retail-api-prod", 8000, "10.0.1.5")
	url := aws.ToString(acct.Serve(t).BaseEndpoint)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(kubeconfig, []byte("apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: 'https://127.0.0.1:1'}\n"+
		"users:\n- name: u\n  user: {token: t}\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\ncurrent-context: c\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, err := edgectl(t, "doctor", "--stack", "prod", "--dir", "../..", "--kubeconfig", kubeconfig, "--endpoint-url", url,
		"--vpc-id", doctortest.VPC, "--timeout", "5s", "--max-attempts", "1")
	if err == nil || !strings.Contains(err.Error(), "doctor found failures") {
		t.Errorf("want a failure exit, got %v", err)
	}
	for _, want := range []string{
		"FAIL  cluster          reading the API server's version at https://127.0.0.1:1",
		"skip  service          needs cluster",
		"ok    credentials      account 123456789012",
		"skip  load-balancer    needs ingress-address",
		"ok    subnets          2 subnets of " + doctortest.VPC,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output does not say %q:\n%s", want, out)
		}
	}
}

// --output json is the same results for scripts: failed, and each check with status, evidence, fix.
func TestDoctorJSON(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	out, _, err := edgectl(t, "doctor", "--stack", "demo", "--dir", "../..", "--kubeconfig", filepath.Join(t.TempDir(), "missing"),
		"-o", "json", "--timeout", "5s", "--max-attempts", "1")
	if err == nil {
		t.Fatal("want a failure exit without a cluster or credentials")
	}
	var report doctor.Report
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if !report.Failed || len(report.Results) == 0 || report.Results[0].Check != "cluster" || report.Results[0].Status != doctor.Fail ||
		report.Results[0].Fix == "" {
		t.Errorf("report: %+v", report)
	}
	for _, r := range report.Results {
		if r.Check == "credentials" && (r.Status != doctor.Fail || !strings.Contains(r.Evidence, "credentials")) {
			t.Errorf("credentials without any: %+v", r)
		}
	}
}

func TestDoctorOutputFlag(t *testing.T) {
	if _, _, err := edgectl(t, "doctor", "--region", "us-east-1", "--output", "yaml"); err == nil || !strings.Contains(err.Error(), "--output must be text or json") {
		t.Errorf("got %v", err)
	}
}
