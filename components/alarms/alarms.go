// Package alarms watches the load balancer the controllers made for the API with CloudWatch alarms:
// fewer healthy targets than the minimum for N minutes (the total outage: every pod failing
// /health), targets unhealthy for N minutes (the runbook's first troubleshooting step), and, where
// the load balancer sees HTTP, the share of 5xx responses over 5 minutes. An optional SNS topic
// receives all of them. The load balancer is not a Pulumi resource (the AWS Load Balancer
// Controller or EKS's cloud provider makes it), so it is found by name, from the hostname its
// Service or Ingress reports, with an output-form lookup that waits for that hostname.
//
// Inputs (Args): the hostname, the kind of load balancer, the thresholds, whether to notify.
// Outputs: HealthyAlarmArn, UnhealthyAlarmArn, ErrorRateAlarmArn (empty for an NLB), TopicArn
// (empty without notify).
// Creates: `aws:cloudwatch/metricAlarm:MetricAlarm` (two or three), `aws:sns/topic:Topic` (notify).
package alarms

import (
	"errors"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/elb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/internal/lbkind"
)

// TypeToken is the component's type, fixed for life.
const TypeToken = "retail-api-edge:alarms:Alarms"

// errorRatePeriod is the window of the 5xx share: short enough to page during an incident, long
// enough that a handful of errors at low traffic does not.
const errorRatePeriod = 300

// MaxMinutes is the longest window the per-minute alarms of a kind of load balancer can evaluate:
// a Metrics Insights query (ALB, NLB) looks at most 3 hours back, a plain metric alarm (classic) at
// most one day of one-minute periods (CloudWatch user guide, "Create an alarm on a Metrics
// Insights query" and "Evaluating an alarm").
func MaxMinutes(kind lbkind.Kind) int {
	if kind == lbkind.Classic {
		return 24 * 60
	}
	return 3 * 60
}

// Args describe the alarms.
type Args struct {
	// Hostname is the load balancer's DNS name, as its Service or Ingress reports it.
	Hostname pulumi.StringInput
	Kind     lbkind.Kind
	// UnhealthyMinutes is how many consecutive minutes any target must be unhealthy, or fewer than
	// MinHealthyTargets healthy, to alarm.
	UnhealthyMinutes int
	// MinHealthyTargets is the fewest healthy targets the API may have (at least 1).
	MinHealthyTargets int
	// ErrorRatePercent is the share of 5xx responses, over 5 minutes, that fires the second alarm.
	ErrorRatePercent int
	// Notify creates an SNS topic the alarms publish to when they fire and when they recover.
	Notify bool
}

// Alarms is the component.
type Alarms struct {
	pulumi.ResourceState

	HealthyAlarmArn   pulumi.StringOutput `pulumi:"healthyAlarmArn"`
	UnhealthyAlarmArn pulumi.StringOutput `pulumi:"unhealthyAlarmArn"`
	ErrorRateAlarmArn pulumi.StringOutput `pulumi:"errorRateAlarmArn"`
	TopicArn          pulumi.StringOutput `pulumi:"topicArn"`
}

func (a *Args) validate() error {
	switch {
	case a == nil || a.Hostname == nil:
		return errors.New("alarms: Hostname is required")
	case a.Kind != lbkind.ALB && a.Kind != lbkind.NLB && a.Kind != lbkind.Classic:
		return fmt.Errorf("alarms: Kind must be %q, %q or %q, got %q", lbkind.ALB, lbkind.NLB, lbkind.Classic, a.Kind)
	case a.UnhealthyMinutes < 1 || a.UnhealthyMinutes > MaxMinutes(a.Kind) || a.MinHealthyTargets < 1 ||
		a.ErrorRatePercent < 1 || a.ErrorRatePercent > 100:
		return fmt.Errorf("alarms: UnhealthyMinutes must be within 1-%d, MinHealthyTargets at least 1 and ErrorRatePercent "+
			"within 1-100, got %d, %d and %d", MaxMinutes(a.Kind), a.UnhealthyMinutes, a.MinHealthyTargets, a.ErrorRatePercent)
	}
	return nil
}

// NewAlarms registers the alarms (and the topic). Pass the AWS provider in opts; the alarms and the
// load balancer lookup inherit it.
func NewAlarms(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Alarms, error) {
	if err := args.validate(); err != nil {
		return nil, err
	}
	a := &Alarms{ErrorRateAlarmArn: pulumi.String("").ToStringOutput(), TopicArn: pulumi.String("").ToStringOutput()}
	if err := ctx.RegisterComponentResource(TypeToken, name, a, opts...); err != nil {
		return nil, err
	}
	child := []pulumi.ResourceOption{pulumi.Parent(a)}
	var actions pulumi.Array
	if args.Notify {
		topic, err := sns.NewTopic(ctx, name+"-alarms", &sns.TopicArgs{}, child...)
		if err != nil {
			return nil, err
		}
		a.TopicArn, actions = topic.Arn, pulumi.Array{topic.Arn}
	}
	// The lookups take the component's AWS provider from their parent: the SDK merges the parent's
	// providers into an invoke's (pulumi/sdk/v3 go/pulumi/context.go, InvokeOutput -> mergeProviders,
	// at v3.274.1).
	m := newMetrics(ctx, args, pulumi.Parent(a))
	alarm := func(suffix string, spec cloudwatch.MetricAlarmArgs) (*cloudwatch.MetricAlarm, error) {
		spec.AlarmActions, spec.OkActions = actions, actions
		return cloudwatch.NewMetricAlarm(ctx, name+suffix, &spec, child...)
	}
	n := pulumi.Int(args.UnhealthyMinutes)
	// Only ready pods become targets (the controller's pkg/backend/endpoint_resolver.go), so when
	// every pod fails /health the target group is empty: no unhealthy host, and no data at all for
	// some metrics. Missing data therefore breaches here.
	healthy, err := alarm("-healthy-targets", cloudwatch.MetricAlarmArgs{
		AlarmDescription: pulumi.Sprintf("Healthy targets behind %s below %d for %d minutes: the API is down or nearly so "+
			"(pods not ready, /health failing, or nothing registered).", args.Hostname, args.MinHealthyTargets, args.UnhealthyMinutes),
		ComparisonOperator: pulumi.String("LessThanThreshold"), Threshold: pulumi.Float64(float64(args.MinHealthyTargets)),
		EvaluationPeriods: n, DatapointsToAlarm: n, TreatMissingData: pulumi.String("breaching"),
		MetricQueries: m.perMinute("healthy", "HealthyHostCount", "MIN", "Minimum", "healthy targets"),
	})
	if err != nil {
		return nil, err
	}
	unhealthy, err := alarm("-unhealthy-targets", cloudwatch.MetricAlarmArgs{
		AlarmDescription: pulumi.Sprintf("Targets of %s unhealthy for %d minutes: check the target group's health checks and the pods' readiness.",
			args.Hostname, args.UnhealthyMinutes),
		ComparisonOperator: pulumi.String("GreaterThanThreshold"), Threshold: pulumi.Float64(0),
		EvaluationPeriods: n, DatapointsToAlarm: n, TreatMissingData: pulumi.String("notBreaching"),
		MetricQueries: m.perMinute("unhealthy", "UnHealthyHostCount", "MAX", "Maximum", "unhealthy targets"),
	})
	if err != nil {
		return nil, err
	}
	a.HealthyAlarmArn, a.UnhealthyAlarmArn = healthy.Arn, unhealthy.Arn
	if queries := m.errorRate(); queries != nil {
		rate, err := alarm("-5xx-rate", cloudwatch.MetricAlarmArgs{
			AlarmDescription: pulumi.Sprintf("More than %d%% of the responses of %s were 5xx over 5 minutes.",
				args.ErrorRatePercent, args.Hostname),
			ComparisonOperator: pulumi.String("GreaterThanThreshold"), Threshold: pulumi.Float64(float64(args.ErrorRatePercent)),
			EvaluationPeriods: pulumi.Int(1), TreatMissingData: pulumi.String("notBreaching"),
			MetricQueries: queries,
		})
		if err != nil {
			return nil, err
		}
		a.ErrorRateAlarmArn = rate.Arn
	}
	return a, ctx.RegisterResourceOutputs(a, pulumi.Map{
		"healthyAlarmArn": a.HealthyAlarmArn, "unhealthyAlarmArn": a.UnhealthyAlarmArn,
		"errorRateAlarmArn": a.ErrorRateAlarmArn, "topicArn": a.TopicArn,
	})
}

// LoadBalancerName is the name AWS gave a load balancer, from its DNS name: the first label
// without the "internal-" prefix and the trailing "-<id>" (k8s-mlops-retailap-0a1b2c3d4e-123456789
// .us-east-1.elb.amazonaws.com is k8s-mlops-retailap-0a1b2c3d4e).
func LoadBalancerName(hostname string) string {
	label, _, _ := strings.Cut(hostname, ".")
	label = strings.TrimPrefix(label, "internal-")
	if i := strings.LastIndex(label, "-"); i > 0 {
		return label[:i]
	}
	return label
}

// metrics builds the alarms' queries for one kind of load balancer.
type metrics struct {
	kind      lbkind.Kind
	namespace string
	dimension pulumi.StringMapOutput // the load balancer's dimension
	lbValue   pulumi.StringOutput    // its value (ARN suffix for ALB and NLB, name for classic)
}

func newMetrics(ctx *pulumi.Context, args *Args, opts ...pulumi.InvokeOption) *metrics {
	// An empty name would make the lookup match whatever single load balancer the region has.
	name := args.Hostname.ToStringOutput().ApplyT(func(host string) (string, error) {
		if n := LoadBalancerName(host); n != "" {
			return n, nil
		}
		return "", errors.New("alarms: the Service or Ingress reports no load balancer hostname ({Hostname} is empty), " +
			"so there is no load balancer to watch")
	}).(pulumi.StringOutput)
	m := &metrics{kind: args.Kind}
	switch args.Kind {
	case lbkind.Classic:
		found := elb.LookupLoadBalancerOutput(ctx, elb.LookupLoadBalancerOutputArgs{Name: name}, opts...)
		m.namespace, m.lbValue = "AWS/ELB", found.Name()
		m.dimension = pulumi.StringMap{"LoadBalancerName": m.lbValue}.ToStringMapOutput()
	default:
		found := lb.LookupLoadBalancerOutput(ctx, lb.LookupLoadBalancerOutputArgs{Name: name}, opts...)
		m.namespace, m.lbValue = "AWS/ApplicationELB", found.ArnSuffix()
		if args.Kind == lbkind.NLB {
			m.namespace = "AWS/NetworkELB"
		}
		m.dimension = pulumi.StringMap{"LoadBalancer": m.lbValue}.ToStringMapOutput()
	}
	return m
}

// perMinute is a per-minute target count of the load balancer, reduced over its target groups
// with fn (Metrics Insights: ALB and NLB report target health per target group) or, for a classic
// ELB, read directly with stat.
func (m *metrics) perMinute(id, metric, fn, stat, label string) cloudwatch.MetricAlarmMetricQueryArray {
	if m.kind == lbkind.Classic {
		return cloudwatch.MetricAlarmMetricQueryArray{cloudwatch.MetricAlarmMetricQueryArgs{
			Id: pulumi.String(id), ReturnData: pulumi.Bool(true),
			Metric: cloudwatch.MetricAlarmMetricQueryMetricArgs{
				Namespace: pulumi.String(m.namespace), MetricName: pulumi.String(metric),
				Dimensions: m.dimension, Period: pulumi.Int(60), Stat: pulumi.String(stat),
			},
		}}
	}
	query := pulumi.Sprintf(`SELECT %s(%s) FROM SCHEMA("%s", LoadBalancer, TargetGroup) WHERE LoadBalancer = '%s'`,
		fn, metric, m.namespace, m.lbValue)
	return cloudwatch.MetricAlarmMetricQueryArray{cloudwatch.MetricAlarmMetricQueryArgs{
		Id: pulumi.String(id), Expression: query, Period: pulumi.Int(60), ReturnData: pulumi.Bool(true),
		Label: pulumi.String(label),
	}}
}

// errorRateMetrics are, per kind, the 5xx counts (the load balancer's own, the targets') and the
// request count. An NLB passes TCP through and sees no HTTP status, so it has none.
var errorRateMetrics = map[lbkind.Kind][3]string{
	lbkind.ALB:     {"HTTPCode_ELB_5XX_Count", "HTTPCode_Target_5XX_Count", "RequestCount"},
	lbkind.Classic: {"HTTPCode_ELB_5XX", "HTTPCode_Backend_5XX", "RequestCount"},
}

// WatchesErrorRate says whether a kind of load balancer gets the 5xx-share alarm.
func WatchesErrorRate(kind lbkind.Kind) bool {
	_, ok := errorRateMetrics[kind]
	return ok
}

// Metrics is how many metrics the alarms of a kind of load balancer evaluate (CloudWatch bills
// each): the healthy- and unhealthy-target counts, plus the 5xx share's where it has one.
func Metrics(kind lbkind.Kind) int {
	if WatchesErrorRate(kind) {
		return 2 + len(errorRateMetrics[kind])
	}
	return 2
}

// errorRate is 100 x 5xx responses / requests, or nil for a kind without HTTP status.
func (m *metrics) errorRate() cloudwatch.MetricAlarmMetricQueryArray {
	n, ok := errorRateMetrics[m.kind]
	if !ok {
		return nil
	}
	metric := func(id, name string) cloudwatch.MetricAlarmMetricQueryArgs {
		return cloudwatch.MetricAlarmMetricQueryArgs{Id: pulumi.String(id), ReturnData: pulumi.Bool(false),
			Metric: cloudwatch.MetricAlarmMetricQueryMetricArgs{
				Namespace: pulumi.String(m.namespace), MetricName: pulumi.String(name),
				Dimensions: m.dimension, Period: pulumi.Int(errorRatePeriod), Stat: pulumi.String("Sum"),
			}}
	}
	return cloudwatch.MetricAlarmMetricQueryArray{
		metric("lb5xx", n[0]), metric("target5xx", n[1]), metric("requests", n[2]),
		cloudwatch.MetricAlarmMetricQueryArgs{Id: pulumi.String("rate"), ReturnData: pulumi.Bool(true),
			Label:      pulumi.String("5xx share (%)"),
			Expression: pulumi.String("100 * (FILL(lb5xx, 0) + FILL(target5xx, 0)) / requests")},
	}
}
