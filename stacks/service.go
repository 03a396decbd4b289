package stacks

import (
	"fmt"
	"github.com/mlops-retail/retail-api-edge/internal/lbkind"
	"net/netip"
)

// ServiceConfig is the `service` block: Option A's load balancer, and who may reach the API.
type ServiceConfig struct {
	// Option A's load balancer: `nlb` (Network Load Balancer) or `classic` (Classic Load
	// Balancer).
	LoadBalancer lbkind.Kind `json:"loadBalancer"`
	// The CIDR blocks allowed to reach the load balancer (the NLB's or classic ELB's source
	// ranges, or the ALB's `inbound-cidrs`), e.g. `[203.0.113.0/24]`.
	// Default: everyone.
	SourceRanges []string `json:"sourceRanges"`
}

func (s *ServiceConfig) setDefaults() { *s = ServiceConfig{LoadBalancer: lbkind.NLB} }

func (s *ServiceConfig) validate(c *Config, v *validator) {
	v.check(!c.Cluster.autoModeOn() || s.LoadBalancer == lbkind.NLB, k("service.loadBalancer"),
		"is %q, but %s is true: EKS Auto Mode makes NLBs only (set it to nlb, or %s to false)", s.LoadBalancer, k("cluster.autoMode"), k("cluster.autoMode"))
	v.check(s.LoadBalancer == lbkind.NLB || s.LoadBalancer == lbkind.Classic, k("service.loadBalancer"),
		"must be \"nlb\" (Network Load Balancer) or \"classic\" (Classic Load Balancer), got %q", s.LoadBalancer)
	for i, cidr := range s.SourceRanges {
		key := fmt.Sprintf("%s[%d]", k("service.sourceRanges"), i)
		p, err := netip.ParsePrefix(cidr)
		if err != nil {
			v.check(false, key, "%q is not a CIDR block like 203.0.113.0/24", cidr)
			continue
		}
		v.check(p == p.Masked(), key, "%q has host bits set; did you mean %q?", cidr, p.Masked().String())
	}
}

func (*ServiceConfig) inert() []inertRule {
	return []inertRule{{
		keys:   []string{"service.loadBalancer"},
		active: func(c *Config) bool { return c.Exposure == ExposeService },
		needs:  func(*Config) string { return fmt.Sprintf("%s %s", k("exposure"), ExposeService) },
	}}
}
