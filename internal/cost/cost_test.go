package cost

import (
	"math"
	"testing"

	"github.com/mlops-retail/retail-api-edge/internal/lbkind"
)

func near(a, b float64) bool { return math.Abs(a-b) < 0.005 }

func TestEstimate(t *testing.T) {
	p, err := LoadPrices()
	if err != nil || p.Date == "" || p.HoursPerMonth != 730 {
		t.Fatalf("prices: %+v %v", p, err)
	}
	light := Traffic{RequestsPerSecond: 1, KBPerRequest: 10}
	tests := []struct {
		name  string
		stack Stack
		want  float64
	}{
		// 730 h x $0.0225 + 0.04 NLCU x 730 h x $0.006
		{"demo: NLB", Stack{LoadBalancer: lbkind.NLB}, 730*0.0225 + 0.036*730*0.006},
		{"classic ELB", Stack{LoadBalancer: lbkind.Classic}, 730*0.025 + 0.036*730*0.008},
		// ALB: 1 rps / 25 = 0.04 LCU; WAF 5 + 4 + 2.628 M x 0.6; zone 0.5; logs 30 days of 43.2 MB/day
		{"prod: ALB, WAF, zone, logs", Stack{LoadBalancer: lbkind.ALB, WAFRules: 4, HostedZone: true, AccessLogs: true, RetentionDays: 30},
			730*0.0225 + 0.04*730*0.008 + 5 + 4 + 2.628*0.6 + 0.5 + 1.296*0.023 + 8.76*0.005},
		// A cluster the stack creates: $0.10/h for the control plane, two t3.medium nodes.
		{"new cluster", Stack{LoadBalancer: lbkind.NLB, Cluster: &Cluster{Nodes: 2, InstanceType: "t3.medium"}},
			730*0.0225 + 0.036*730*0.006 + 730*0.10 + 2*730*0.0416},
		// Past standard support EKS bills $0.60/h until the cluster is upgraded.
		{"new cluster on an extended-support version", Stack{LoadBalancer: lbkind.NLB, Cluster: &Cluster{ExtendedSupport: true, Nodes: 2, InstanceType: "t3.medium"}},
			730*0.0225 + 0.036*730*0.006 + 730*0.60 + 2*730*0.0416},
		{"a node type not priced here", Stack{LoadBalancer: lbkind.NLB, Cluster: &Cluster{Nodes: 3, InstanceType: "x8g.metal"}},
			730*0.0225 + 0.036*730*0.006 + 730*0.10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items := Estimate(p, tt.stack, light)
			if got := Total(items); !near(got, tt.want) {
				t.Errorf("total = %.4f, want %.4f (%+v)", got, tt.want, items)
			}
		})
	}
}

func TestCapacityUnitsFollowTraffic(t *testing.T) {
	p, _ := LoadPrices()
	quiet := Total(Estimate(p, Stack{LoadBalancer: lbkind.ALB}, Traffic{RequestsPerSecond: 1, KBPerRequest: 10}))
	busy := Total(Estimate(p, Stack{LoadBalancer: lbkind.ALB}, Traffic{RequestsPerSecond: 500, KBPerRequest: 10}))
	// 500 rps: 20 LCU by new connections
	if !near(busy-quiet, (20-0.04)*730*0.008) {
		t.Errorf("LCU cost must grow with traffic: %.2f -> %.2f", quiet, busy)
	}
}

// TestRuleEvaluations: the first 10 rules are free; beyond them the LCU is billed on rule
// evaluations when those exceed the other dimensions (10 rps: 0.4 LCU by new connections).
func TestRuleEvaluations(t *testing.T) {
	p, _ := LoadPrices()
	traffic := Traffic{RequestsPerSecond: 10, KBPerRequest: 10}
	for _, tt := range []struct {
		rules     int
		extraLCU  float64
		itemShown bool
	}{
		{0, 0, false},
		{10, 0, false},
		{30, 0, true},    // 10 rps x 20 / 1000 = 0.2 LCU, under the connections' 0.4
		{60, 0.1, true},  // 10 x 50 / 1000 = 0.5 LCU: 0.1 above
		{100, 0.5, true}, // 10 x 90 / 1000 = 0.9 LCU
	} {
		items := Estimate(p, Stack{LoadBalancer: lbkind.ALB, ListenerRules: tt.rules}, traffic)
		var rule *Item
		for i := range items {
			if items[i].Name == "ALB rule evaluations" {
				rule = &items[i]
			}
		}
		if (rule != nil) != tt.itemShown {
			t.Errorf("%d rules: rule item %v, want shown %v", tt.rules, rule, tt.itemShown)
			continue
		}
		if rule != nil && !near(rule.USD, tt.extraLCU*730*0.008) {
			t.Errorf("%d rules: $%.2f, want %.1f LCU more", tt.rules, rule.USD, tt.extraLCU)
		}
	}
}
