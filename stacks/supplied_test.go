package stacks_test

import (
	"strings"
	"testing"

	"github.com/mlops-retail/retail-api-edge/components/lbcontroller"
	"github.com/mlops-retail/retail-api-edge/stacks"
)

const testRoleArn = "arn:aws:iam::123456789012:role/platform-lbc"

// supplied is a stack whose AWS parts come from config: kubeconfig, VPC and (Option B) controller role.
func supplied(exposure string, extra ...string) map[string]string {
	kv := []string{stacks.K("exposure"), exposure,
		stacks.K("cluster"), `{"kubeconfig": "/home/me/.kube/config", "context": "staging", "vpcId": "vpc-0123456789abcdef0"}`}
	if exposure == string(stacks.ExposeIngress) {
		kv = append(kv, stacks.K("controller"), `{"roleArn": "`+testRoleArn+`", "chart": "./charts/lbc", "repository": ""}`)
	}
	return stacks.With(append(kv, extra...)...)
}

func TestSuppliedClusterNeedsNoAWS(t *testing.T) {
	tests := []struct {
		name    string
		raw     map[string]string
		wantAWS bool
	}{
		{"Option A", supplied("service"), false},
		{"Option B with a given role", supplied("ingress"), false},
		{"Option B with WAF", supplied("ingress", stacks.K("waf"), `{"enabled": true}`), true},
		{"Option B with access logs", supplied("ingress", stacks.K("accessLogs"), `{"enabled": true}`), true},
		{"Option A with alarms", supplied("service", stacks.K("alarms"), `{"enabled": true}`), true},
		{"EKS lookup", stacks.Base(), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := planOf(t, tt.raw)
			var aws []string
			for _, r := range p.Resources {
				if strings.HasPrefix(r.Type, "aws:") || r.Type == "pulumi:providers:aws" {
					aws = append(aws, r.Type)
				}
			}
			if got := len(aws) > 0; got != tt.wantAWS {
				t.Errorf("AWS resources = %v, want any: %v", aws, tt.wantAWS)
			}
			if cfg, err := stacks.Decode("test", tt.raw); err != nil || stacks.NeedsAWS(cfg) != tt.wantAWS {
				t.Errorf("NeedsAWS disagrees with the plan (err %v)", err)
			}
		})
	}
}

func TestSuppliedClusterWiring(t *testing.T) {
	p := planOf(t, supplied("ingress"))
	for _, prov := range p.Find("pulumi:providers:kubernetes") {
		if prov.Value("kubeconfig") != "/home/me/.kube/config" || prov.Value("context") != "staging" {
			t.Errorf("%s: kubeconfig %v, context %v", prov.Name, prov.Value("kubeconfig"), prov.Value("context"))
		}
	}
	one := onlyOne(t, p)
	sa := one("kubernetes:core/v1:ServiceAccount")
	if got := sa.Value("metadata", "annotations").(map[string]any)[lbcontroller.RoleArnAnnotation]; got != testRoleArn {
		t.Errorf("service account role = %v, want the given role", got)
	}
	values := one("kubernetes:helm.sh/v3:Release").Value("values").(map[string]any)
	if values["vpcId"] != "vpc-0123456789abcdef0" {
		t.Errorf("chart vpcId = %v", values["vpcId"])
	}
	if p.Outputs["controllerRoleArn"].Value != testRoleArn {
		t.Errorf("controllerRoleArn output = %v", p.Outputs["controllerRoleArn"].Value)
	}
	cmds := p.Outputs["checkCommands"].Value.([]string)
	if cmds[0] != "export KUBECONFIG=/home/me/.kube/config; kubectl config use-context staging" {
		t.Errorf("first check command = %v", cmds[0])
	}
}

func TestInlineKubeconfigStaysSecret(t *testing.T) {
	for name, kubeconfig := range map[string]string{
		"YAML":          `"apiVersion: v1\nkind: Config\n"`,
		"one-line JSON": `"{\"apiVersion\":\"v1\",\"kind\":\"Config\"}"`,
		"one-line flow": `"{apiVersion: v1, kind: Config}"`,
	} {
		t.Run(name, func(t *testing.T) {
			p := planOf(t, stacks.With(stacks.K("cluster"), `{"kubeconfig": `+kubeconfig+`}`))
			for _, prov := range p.Find("pulumi:providers:kubernetes") {
				if v := prov.Inputs["kubeconfig"]; !v.IsSecret() {
					t.Errorf("%s: inline kubeconfig must be secret, got %v", prov.Name, v)
				}
			}
		})
	}
}
