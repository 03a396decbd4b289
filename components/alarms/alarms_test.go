package alarms

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/internal/lbkind"
	"github.com/mlops-retail/retail-api-edge/internal/plan"
	"github.com/mlops-retail/retail-api-edge/internal/plantest"
	"github.com/mlops-retail/retail-api-edge/internal/typetoken"
)

func TestLoadBalancerName(t *testing.T) {
	for host, want := range map[string]string{
		"k8s-mlops-retailap-0a1b2c3d4e-123456789.us-east-1.elb.amazonaws.com":            "k8s-mlops-retailap-0a1b2c3d4e", // ALB
		"internal-k8s-mlops-retailap-0a1b2c3d4e-123456789.us-east-1.elb.amazonaws.com":   "k8s-mlops-retailap-0a1b2c3d4e", // internal ALB
		"a0123456789abcdef0123456789abcdef-0123456789abcdef.elb.us-east-1.amazonaws.com": "a0123456789abcdef0123456789abcdef",
		"a0123456789abcdef0123456789abcde-1234567890.us-east-1.elb.amazonaws.com":        "a0123456789abcdef0123456789abcde", // classic
	} {
		if got := LoadBalancerName(host); got != want {
			t.Errorf("LoadBalancerName(%s) = %s, want %s", host, got, want)
		}
	}
}

func planAlarms(t *testing.T, args Args) *plan.Plan {
	t.Helper()
	p, err := runAlarms(args)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func runAlarms(args Args) (*plan.Plan, error) {
	return plantest.RunWithAWS(func(ctx *pulumi.Context, aws pulumi.ProviderResource) (pulumi.Map, error) {
		_, err := NewAlarms(ctx, "api", &args, pulumi.Provider(aws))
		return nil, err
	})
}

// Each kind of load balancer gets the alarms its metrics allow, in its own namespace and dimension,
// found by the name in its hostname; with notify, both alarm and recovery go to the topic.
func TestAlarmsPerLoadBalancer(t *testing.T) {
	cases := []struct {
		kind                     lbkind.Kind
		host, namespace, lbValue string
		alarms                   int
	}{
		{lbkind.ALB, "k8s-mlops-api-0a1b2c-123.us-east-1.elb.amazonaws.com", "AWS/ApplicationELB", "app/k8s-mlops-api-0a1b2c/0123456789abcdef", 3},
		{lbkind.NLB, "a0123-0123456789abcdef.elb.us-east-1.amazonaws.com", "AWS/NetworkELB", "net/a0123/0123456789abcdef", 2},
		{lbkind.Classic, "a0123-1234567890.us-east-1.elb.amazonaws.com", "AWS/ELB", "a0123", 3},
	}
	for _, tc := range cases {
		for _, notify := range []bool{false, true} {
			p := planAlarms(t, Args{Hostname: pulumi.String(tc.host), Kind: tc.kind, UnhealthyMinutes: 4, MinHealthyTargets: 2,
				ErrorRatePercent: 7, Notify: notify})
			alarms, topics := p.Find(typetoken.MetricAlarm), p.Find(typetoken.Topic)
			if len(alarms) != tc.alarms || len(topics) != map[bool]int{false: 0, true: 1}[notify] {
				t.Fatalf("%s notify=%v: %d alarms and %d topics", tc.kind, notify, len(alarms), len(topics))
			}
			if n := billedMetrics(alarms); n != Metrics(tc.kind) {
				t.Errorf("%s: the alarms evaluate %d metrics, Metrics (what edgectl cost bills) says %d", tc.kind, n, Metrics(tc.kind))
			}
			for _, a := range alarms {
				text := strings.Join(queryText(a), " ")
				if !strings.Contains(text, tc.namespace) || !strings.Contains(text, tc.lbValue) {
					t.Errorf("%s %s: queries %q do not watch %s %s", tc.kind, a.Name, text, tc.namespace, tc.lbValue)
				}
				actions, _ := a.Value("alarmActions").([]any)
				if notify != (len(actions) == 1) || (notify && len(a.Dependencies) == 0) {
					t.Errorf("%s %s notify=%v: actions %v, dependencies %v", tc.kind, a.Name, notify, actions, a.Dependencies)
				}
				switch {
				case strings.HasSuffix(a.Name, "-healthy-targets"):
					// An empty target group (every pod failing /health) reports no data: it must alarm.
					if a.Value("comparisonOperator") != "LessThanThreshold" || a.Value("threshold") != 2.0 ||
						a.Value("treatMissingData") != "breaching" || a.Value("evaluationPeriods") != 4.0 || a.Value("datapointsToAlarm") != 4.0 {
						t.Errorf("%s healthy-targets alarm: %v", tc.kind, a.Inputs)
					}
					if tc.kind != lbkind.Classic && !strings.Contains(text, "MIN(HealthyHostCount)") {
						t.Errorf("%s: healthy targets are per target group, want a Metrics Insights MIN: %s", tc.kind, text)
					}
					if tc.kind == lbkind.Classic && !strings.Contains(text, "AWS/ELB") {
						t.Errorf("classic: %s", text)
					}
				case strings.HasSuffix(a.Name, "-unhealthy-targets"):
					if a.Value("comparisonOperator") != "GreaterThanThreshold" || a.Value("treatMissingData") != "notBreaching" ||
						a.Value("threshold") != 0.0 || a.Value("evaluationPeriods") != 4.0 || a.Value("datapointsToAlarm") != 4.0 {
						t.Errorf("%s unhealthy alarm: %v", tc.kind, a.Inputs)
					}
					if tc.kind != lbkind.Classic && !strings.Contains(text, "MAX(UnHealthyHostCount)") {
						t.Errorf("%s: unhealthy targets are per target group, want a Metrics Insights MAX: %s", tc.kind, text)
					}
				case strings.HasSuffix(a.Name, "-5xx-rate"):
					if a.Value("comparisonOperator") != "GreaterThanThreshold" || a.Value("treatMissingData") != "notBreaching" ||
						a.Value("threshold") != 7.0 || !strings.Contains(text, "/ requests") {
						t.Errorf("%s 5xx alarm: %v", tc.kind, a.Inputs)
					}
				default:
					t.Errorf("unexpected alarm %s", a.Name)
				}
			}
		}
	}
}

// billedMetrics counts the metrics the alarms evaluate: each metric query and each Metrics
// Insights query (math expressions over them are free).
func billedMetrics(alarms []plan.Resource) int {
	n := 0
	for _, a := range alarms {
		queries, _ := a.Value("metricQueries").([]any)
		for _, q := range queries {
			m := q.(map[string]any)
			if e, _ := m["expression"].(string); m["metric"] != nil || strings.HasPrefix(e, "SELECT") {
				n++
			}
		}
	}
	return n
}

// queryText is every expression, namespace and dimension value of an alarm's queries.
func queryText(a plan.Resource) []string {
	var out []string
	queries, _ := a.Value("metricQueries").([]any)
	for _, q := range queries {
		m := q.(map[string]any)
		if e, ok := m["expression"].(string); ok {
			out = append(out, e)
		}
		if metric, ok := m["metric"].(map[string]any); ok {
			out = append(out, metric["namespace"].(string))
			for _, v := range metric["dimensions"].(map[string]any) {
				out = append(out, v.(string))
			}
		}
	}
	return out
}

func TestInvalidArgs(t *testing.T) {
	for name, a := range map[string]Args{
		"no hostname":      {Kind: lbkind.ALB, UnhealthyMinutes: 1, MinHealthyTargets: 1, ErrorRatePercent: 5},
		"unknown kind":     {Hostname: pulumi.String("h"), Kind: "gwlb", UnhealthyMinutes: 1, MinHealthyTargets: 1, ErrorRatePercent: 5},
		"zero minutes":     {Hostname: pulumi.String("h"), Kind: lbkind.ALB, MinHealthyTargets: 1, ErrorRatePercent: 5},
		"over 3 hours":     {Hostname: pulumi.String("h"), Kind: lbkind.ALB, UnhealthyMinutes: 181, MinHealthyTargets: 1, ErrorRatePercent: 5},
		"no healthy floor": {Hostname: pulumi.String("h"), Kind: lbkind.ALB, UnhealthyMinutes: 1, ErrorRatePercent: 5},
		"over 100%":        {Hostname: pulumi.String("h"), Kind: lbkind.ALB, UnhealthyMinutes: 1, MinHealthyTargets: 1, ErrorRatePercent: 101},
	} {
		_, err := runAlarms(a)
		if err == nil || !strings.Contains(err.Error(), "alarms:") {
			t.Errorf("%s: want an alarms: error, got %v", name, err)
		}
	}
}

// A Service or Ingress that reports no hostname (a handed-over Service stays ClusterIP) gives no
// load balancer name; the lookup must not run with an empty one, which matches whatever single load
// balancer the region has.
func TestNoHostnameNoLookup(t *testing.T) {
	_, err := runAlarms(Args{Hostname: pulumi.String(""), Kind: lbkind.NLB, UnhealthyMinutes: 1, MinHealthyTargets: 1, ErrorRatePercent: 5})
	if err == nil || !strings.Contains(err.Error(), "reports no load balancer hostname") {
		t.Fatalf("want the empty hostname refused, got %v", err)
	}
}

// The windows the alarms evaluate stay within what their metric source can: Metrics Insights looks
// back 3 hours, plain metrics one day of one-minute periods.
func TestMaxMinutes(t *testing.T) {
	for kind, want := range map[lbkind.Kind]int{lbkind.ALB: 180, lbkind.NLB: 180, lbkind.Classic: 1440} {
		if got := MaxMinutes(kind); got != want {
			t.Errorf("MaxMinutes(%s) = %d, want %d", kind, got, want)
		}
		if _, err := runAlarms(Args{Hostname: pulumi.String("a-1.elb.us-east-1.amazonaws.com"), Kind: kind,
			UnhealthyMinutes: want, MinHealthyTargets: 1, ErrorRatePercent: 5}); err != nil {
			t.Errorf("%s at the limit: %v", kind, err)
		}
	}
}
