package stacks_test

import (
	"strings"
	"testing"

	"github.com/mlops-retail/retail-api-edge/internal/cost"
	"github.com/mlops-retail/retail-api-edge/internal/typetoken"
	"github.com/mlops-retail/retail-api-edge/stacks"
)

// Every feature is declared once; what is derived from the list must follow it: the config block
// decodes, the ALB-only rule, and the cost lines.
func TestFeatureListDrivesValidationAndCost(t *testing.T) {
	cases := []struct {
		name      string
		raw       map[string]string
		wantErr   string // empty: valid
		wantCost  cost.Stack
		wantTypes []string // resources the feature registers
	}{
		{"alarms on an NLB: target health only (no HTTP status)", stacks.With(stacks.K("alarms"), `{"enabled": true}`), "",
			cost.Stack{LoadBalancer: "nlb", AlarmMetrics: 2}, []string{typetoken.MetricAlarm, typetoken.MetricAlarm}},
		{"alarms on a classic ELB, notified", stacks.With(stacks.K("service"), `{"loadBalancer": "classic"}`, stacks.K("alarms"), `{"enabled": true, "notify": true}`), "",
			cost.Stack{LoadBalancer: "classic", AlarmMetrics: 5}, []string{typetoken.MetricAlarm, typetoken.MetricAlarm, typetoken.MetricAlarm, typetoken.Topic}},
		{"WAF needs the ALB", stacks.With(stacks.K("waf"), `{"enabled": true}`), stacks.K("waf.enabled") + ": applies to the ALB only", cost.Stack{}, nil},
		{"alarms do not", stacks.With(stacks.K("alarms"), `{"enabled": true, "unhealthyMinutes": 0}`), stacks.K("alarms.unhealthyMinutes") + ": must be between 1", cost.Stack{}, nil},
		{"bad 5xx share", stacks.With(stacks.K("alarms"), `{"errorRatePercent": 150}`), stacks.K("alarms.errorRatePercent") + ": must be a percentage", cost.Stack{}, nil},
		{"unknown alarms key", stacks.With(stacks.K("alarms"), `{"enable": true}`), stacks.K("alarms") + `.enable`, cost.Stack{}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := stacks.Decode("test", tc.raw)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("want an error containing %q, got %v", tc.wantErr, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := stacks.CostOf(cfg); got != tc.wantCost {
				t.Errorf("cost inputs %+v, want %+v", got, tc.wantCost)
			}
			p := planOf(t, tc.raw)
			var got []string
			for _, r := range p.Resources {
				if r.Type == typetoken.MetricAlarm || r.Type == typetoken.Topic {
					got = append(got, r.Type)
				}
			}
			if strings.Join(got, " ") != strings.Join(tc.wantTypes, " ") {
				t.Errorf("registered %v, want %v", got, tc.wantTypes)
			}
			// The alarms wait for the load balancer: they depend on the Service that reports it.
			for _, r := range p.Find(typetoken.MetricAlarm) {
				if !strings.Contains(strings.Join(r.Dependencies, " "), "kubernetes:core/v1:Service") {
					t.Errorf("%s does not depend on the Service: %v", r.Name, r.Dependencies)
				}
			}
		})
	}
}
