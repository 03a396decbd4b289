package awsstandin

import (
	"strings"
	"testing"

	"github.com/mlops-retail/retail-api-edge/internal/plan"
	"github.com/mlops-retail/retail-api-edge/internal/stackconfig"
	"github.com/mlops-retail/retail-api-edge/internal/stackplan"
	"github.com/mlops-retail/retail-api-edge/internal/typetoken"
)

// The offline plan's ALB: what the prod stack's alarms watch (internal/plan placeholders).
const (
	planALB = "app/k8s-mlops-retail-api/0123456789abcdef"
	planTG  = "targetgroup/k8s-mlops-retailap/0123456789abcdef"
)

// prodAlarms are the alarms the prod stack registers, by name suffix, as the program makes them.
func prodAlarms(t *testing.T) map[string]map[string]any {
	t.Helper()
	st, err := stackconfig.Load("../../..", "prod", "")
	if err != nil {
		t.Fatal(err)
	}
	p, err := stackplan.Plan(st)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]any{}
	for _, a := range p.Find(typetoken.MetricAlarm) {
		out[strings.TrimPrefix(a.Name, "retail-api-")] = plan.PlainMap(a.Inputs)
	}
	return out
}

// alb is what an ALB with one target group reports for ten minutes: healthy and unhealthy
// targets, requests, and 5xx responses (the load balancer's own, then the targets'); nil reports
// nothing, as CloudWatch does for a metric without data.
func alb(healthy, unhealthy, requests, elb5xx, target5xx []float64) Metrics {
	tg := map[string]string{"LoadBalancer": planALB, "TargetGroup": planTG}
	lb := map[string]string{"LoadBalancer": planALB}
	var m Metrics
	for _, d := range []struct {
		metric string
		dims   map[string]string
		values []float64
	}{
		{"HealthyHostCount", tg, healthy}, {"UnHealthyHostCount", tg, unhealthy}, {"RequestCount", lb, requests},
		{"HTTPCode_ELB_5XX_Count", lb, elb5xx}, {"HTTPCode_Target_5XX_Count", lb, target5xx},
	} {
		if d.values != nil {
			m = append(m, Datapoints{Series{"AWS/ApplicationELB", d.metric, d.dims}, d.values})
		}
	}
	return m
}

func minutes(v float64) []float64 {
	out := make([]float64, 10)
	for i := range out {
		out[i] = v
	}
	return out
}

// TestProdAlarmsPerSituation evaluates the prod stack's own alarms the way CloudWatch would: the
// total outage (every pod failing /health: the controller registers no target, so the target
// group reports nothing and the ALB answers 503 itself) must raise an alarm.
func TestProdAlarmsPerSituation(t *testing.T) {
	alarms := prodAlarms(t)
	if len(alarms) != 3 {
		t.Fatalf("want the healthy-targets, unhealthy-targets and 5xx alarms, got %v", len(alarms))
	}
	tests := []struct {
		name    string
		metrics Metrics
		want    map[string]string // alarm -> state
	}{
		{"healthy: two targets, no errors", alb(minutes(2), minutes(0), minutes(60), nil, nil),
			map[string]string{"healthy-targets": "OK", "unhealthy-targets": "OK", "5xx-rate": "OK"}},
		{"total outage: no targets registered, the ALB answers 503", alb(nil, nil, nil, minutes(60), nil),
			map[string]string{"healthy-targets": "ALARM", "unhealthy-targets": "OK", "5xx-rate": "OK"}},
		{"total outage reported as zero healthy hosts", alb(minutes(0), minutes(0), minutes(60), minutes(60), nil),
			map[string]string{"healthy-targets": "ALARM", "5xx-rate": "ALARM"}},
		{"targets failing health checks", alb(minutes(0), minutes(2), minutes(60), minutes(60), nil),
			map[string]string{"healthy-targets": "ALARM", "unhealthy-targets": "ALARM"}},
		{"one of two targets down: degraded, not out", alb(minutes(1), minutes(1), minutes(60), nil, nil),
			map[string]string{"healthy-targets": "OK", "unhealthy-targets": "ALARM"}},
		{"10% of the responses are the app's 5xx", alb(minutes(2), minutes(0), minutes(60), nil, minutes(6)),
			map[string]string{"5xx-rate": "ALARM"}},
		{"an idle API", alb(minutes(2), minutes(0), nil, nil, nil),
			map[string]string{"healthy-targets": "OK", "5xx-rate": "OK"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for name, want := range tt.want {
				got, err := AlarmState(alarms[name], tt.metrics)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if got != want {
					t.Errorf("%s: %s, want %s", name, got, want)
				}
			}
		})
	}
}

func TestAlarmStateRefusesWhatItDoesNotImplement(t *testing.T) {
	alarm := map[string]any{"evaluationPeriods": 1.0, "threshold": 1.0, "comparisonOperator": "LessThanThreshold",
		"metricQueries": []any{map[string]any{"id": "q", "returnData": true, "period": 60.0,
			"expression": `SELECT COUNT(HealthyHostCount) FROM SCHEMA("AWS/ApplicationELB", LoadBalancer)`}}}
	if _, err := AlarmState(alarm, nil); err == nil {
		t.Fatal("an unsupported query must be refused, not evaluated")
	}
}
