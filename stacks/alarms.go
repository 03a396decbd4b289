package stacks

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/components/alarms"
	"github.com/mlops-retail/retail-api-edge/internal/cost"
	"github.com/mlops-retail/retail-api-edge/internal/lbkind"
)

// AlarmsConfig is the `alarms` block: CloudWatch alarms on the load balancer, either option
// (README, "CloudWatch alarms").
type AlarmsConfig struct {
	// CloudWatch alarms on the load balancer: too few healthy targets, unhealthy targets, and the
	// 5xx share (none on an NLB, which passes TCP through). Not with `app.handOverTo` on Option A:
	// that stack has no load balancer.
	Enabled bool `json:"enabled"`
	// How many minutes in a row a target must be unhealthy, or fewer than
	// `alarms.minHealthyTargets` healthy, to alarm: 1-180 for an ALB or NLB (their Metrics
	// Insights alarms look back at most 3 hours), 1-1440 for a classic ELB.
	UnhealthyMinutes int `json:"unhealthyMinutes"`
	// The fewest healthy targets before the outage alarm fires, 1-50; missing data counts as
	// breaching (an empty target group reports nothing).
	MinHealthyTargets int `json:"minHealthyTargets"`
	// The share of 5xx responses over 5 minutes that alarms, in percent, 1-100 (ALB, classic ELB).
	ErrorRatePercent int `json:"errorRatePercent"`
	// An SNS topic all the alarms publish to (stack output `alarmTopicArn`; subscribe to it).
	Notify bool `json:"notify"`
}

func (a *AlarmsConfig) setDefaults() {
	*a = AlarmsConfig{UnhealthyMinutes: 3, MinHealthyTargets: 1, ErrorRatePercent: 5}
}

func (a *AlarmsConfig) feature() feature {
	return feature{
		key: "alarms.enabled", on: func(c *Config) bool { return c.Alarms.Enabled }, needsAWS: true,
		cost:  func(c *Config, s *cost.Stack) { s.AlarmMetrics = alarms.Metrics(c.exposure().loadBalancer()) },
		after: newAlarms,
	}
}

func (a *AlarmsConfig) validate(c *Config, v *validator) {
	v.check(a.MinHealthyTargets >= 1 && a.MinHealthyTargets <= maxReplicas, k("alarms.minHealthyTargets"),
		"must be between 1 and %d, got %d", maxReplicas, a.MinHealthyTargets)
	v.check(a.ErrorRatePercent >= 1 && a.ErrorRatePercent <= 100, k("alarms.errorRatePercent"),
		"must be a percentage between 1 and 100, got %d", a.ErrorRatePercent)
	if !c.knownExposure() {
		return // the limits below are the load balancer's
	}
	ep := c.exposure()
	most := alarms.MaxMinutes(ep.loadBalancer())
	v.check(a.UnhealthyMinutes >= 1 && a.UnhealthyMinutes <= most, k("alarms.unhealthyMinutes"),
		"must be between 1 and %d minutes for a %s load balancer (the most its alarms can evaluate), got %d",
		most, ep.loadBalancer(), a.UnhealthyMinutes)
	v.check(!a.Enabled || ep.runsLoadBalancer(), k("alarms.enabled"),
		"this stack hands its Service over to stack %q (%s) and runs no load balancer of its own: turn the alarms on in that stack",
		c.App.HandOverTo, k("app.handOverTo"))
}

func (*AlarmsConfig) inert() []inertRule {
	return []inertRule{
		{
			keys:   []string{"alarms.unhealthyMinutes", "alarms.minHealthyTargets", "alarms.errorRatePercent", "alarms.notify"},
			active: func(c *Config) bool { return c.Alarms.Enabled },
			needs:  func(*Config) string { return k("alarms.enabled") + " true" },
		},
		{
			keys:   []string{"alarms.errorRatePercent"},
			active: func(c *Config) bool { return !c.Alarms.Enabled || c.exposure().loadBalancer() != lbkind.NLB },
			needs: func(*Config) string {
				return fmt.Sprintf("a load balancer that sees HTTP status codes (%s %s or %s, or %s classic): an NLB passes TCP through",
					k("exposure"), ExposeIngress, ExposeGateway, k("service.loadBalancer"))
			},
		},
	}
}

// newAlarms watches the load balancer once its Service or Ingress reports its hostname.
func newAlarms(ctx *pulumi.Context, cfg *Config, awsProvider pulumi.ProviderResource, e *edge, hostname pulumi.StringOutput) error {
	a, kind := cfg.Alarms, cfg.exposure().loadBalancer()
	al, err := alarms.NewAlarms(ctx, AppName, &alarms.Args{
		Hostname: hostname, Kind: kind, MinHealthyTargets: a.MinHealthyTargets,
		UnhealthyMinutes: a.UnhealthyMinutes, ErrorRatePercent: a.ErrorRatePercent, Notify: a.Notify,
	}, pulumi.Provider(awsProvider))
	if err != nil {
		return err
	}
	e.out["healthyAlarmArn"] = al.HealthyAlarmArn
	e.out["unhealthyAlarmArn"] = al.UnhealthyAlarmArn
	if alarms.WatchesErrorRate(kind) {
		e.out["errorRateAlarmArn"] = al.ErrorRateAlarmArn
	}
	if a.Notify {
		e.out["alarmTopicArn"] = al.TopicArn
	}
	return nil
}
