package stacks

import (
	"fmt"
	"net/netip"

	"github.com/mlops-retail/retail-api-edge/components/servicelb"
	"github.com/mlops-retail/retail-api-edge/internal/lbkind"
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
	// The Service component's own rule, reported under the keys: the same one it applies when the
	// cluster is found to run Auto Mode (serviceExposure.register).
	v.field(servicelb.LoadBalancer{Kind: s.LoadBalancer, AutoMode: c.Cluster.autoModeOn()}.Validate(), serviceKeys)
	checkCIDRs(v, k("service.sourceRanges"), s.SourceRanges)
}

// checkCIDRs checks each CIDR block of the list at key.
func checkCIDRs(v *validator, key string, cidrs []string) {
	for i, cidr := range cidrs {
		key := fmt.Sprintf("%s[%d]", key, i)
		p, err := netip.ParsePrefix(cidr)
		if err != nil {
			v.check(false, key, "%q is not a CIDR block like 203.0.113.0/24", cidr)
			continue
		}
		v.check(p == p.Masked(), key, "%q has host bits set; did you mean %q?", cidr, p.Masked().String())
	}
}

// serviceKeys name the servicelb.LoadBalancer fields its validation asks the user to set.
var serviceKeys = map[string]string{"Kind": k("service.loadBalancer"), "AutoMode": k("cluster.autoMode")}

func (*ServiceConfig) inert() []inertRule {
	return []inertRule{{
		keys:   []string{"service.loadBalancer"},
		active: func(c *Config) bool { return c.Exposure == ExposeService },
		needs:  func(*Config) string { return fmt.Sprintf("%s %s", k("exposure"), ExposeService) },
	}}
}
