package stacks

import "github.com/mlops-retail/retail-api-edge/internal/lbkind"

// HealthCheckConfig is the `healthCheck` block: how the load balancers probe `app.healthPath`.
type HealthCheckConfig struct {
	// Seconds between two probes of one target, 5-300.
	IntervalSeconds int `json:"intervalSeconds"`
	// Seconds a probe may take, 2-120 (classic ELB: 2-60), less than the interval.
	TimeoutSeconds int `json:"timeoutSeconds"`
	// Probes in a row that must pass before a target is healthy, 2-10.
	HealthyThreshold int `json:"healthyThreshold"`
	// Probes in a row that must fail before a target is unhealthy, 2-10.
	UnhealthyThreshold int `json:"unhealthyThreshold"`
}

// The load balancers' limits on the probe interval (ELBv2 HealthCheckIntervalSeconds; a classic
// ELB's Interval).
const (
	minLBHealthInt = 5
	maxLBHealthInt = 300
)

func (h *HealthCheckConfig) setDefaults() {
	*h = HealthCheckConfig{IntervalSeconds: 15, TimeoutSeconds: 5, HealthyThreshold: 2, UnhealthyThreshold: 2}
}

func (h *HealthCheckConfig) validate(c *Config, v *validator) {
	maxTimeout := 120
	if c.Service.LoadBalancer == lbkind.Classic {
		maxTimeout = 60
	}
	v.check(h.IntervalSeconds >= minLBHealthInt && h.IntervalSeconds <= maxLBHealthInt, k("healthCheck.intervalSeconds"),
		"must be between %d and %d, got %d", minLBHealthInt, maxLBHealthInt, h.IntervalSeconds)
	v.check(h.TimeoutSeconds >= 2 && h.TimeoutSeconds <= maxTimeout, k("healthCheck.timeoutSeconds"),
		"must be between 2 and %d, got %d", maxTimeout, h.TimeoutSeconds)
	v.check(h.TimeoutSeconds < h.IntervalSeconds, k("healthCheck.timeoutSeconds"),
		"must be less than healthCheck.intervalSeconds (%d), got %d", h.IntervalSeconds, h.TimeoutSeconds)
	v.check(h.HealthyThreshold >= 2 && h.HealthyThreshold <= 10, k("healthCheck.healthyThreshold"),
		"must be between 2 and 10, got %d", h.HealthyThreshold)
	v.check(h.UnhealthyThreshold >= 2 && h.UnhealthyThreshold <= 10, k("healthCheck.unhealthyThreshold"),
		"must be between 2 and 10, got %d", h.UnhealthyThreshold)
}
