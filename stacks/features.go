package stacks

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/components/albingress"
	"github.com/mlops-retail/retail-api-edge/internal/cost"
	"github.com/mlops-retail/retail-api-edge/internal/lbkind"
)

// feature is one edge feature, declared by its block (featureBlock): the key that turns it on,
// whether it calls AWS and whether it needs an ALB, what it costs, and what it registers.
// NeedsAWS, the ALB-only check, `edgectl cost` and Deploy all read the features.
type feature struct {
	key      string // the key that turns it on, without the project prefix
	on       func(*Config) bool
	needsAWS bool
	needsALB bool
	cost     func(*Config, *cost.Stack)
	// before registers what the load balancer refers to (certificate, web ACL, log bucket).
	before func(ctx *pulumi.Context, c *Config, aws pulumi.ProviderResource, e *edge) error
	// after registers what refers to the load balancer, once it reports its hostname (DNS alias).
	after func(ctx *pulumi.Context, c *Config, aws pulumi.ProviderResource, e *edge, hostname pulumi.StringOutput) error
}

// features are the edge features in Config's block order: the domain's hosted zone is looked up
// before the certificate needs it.
var features = func() []feature {
	var out []feature
	for _, b := range new(Config).blocks() {
		if f, ok := b.value.(featureBlock); ok {
			out = append(out, f.feature())
		}
	}
	return out
}()

// validateFeatures checks that the features needing an ALB are only on with one.
func (c *Config) validateFeatures(v *validator) {
	alb := c.exposure().loadBalancer() == lbkind.ALB
	for _, f := range features {
		v.check(alb || !f.needsALB || !f.on(c), k(f.key),
			"applies to the ALB only: set %s to %q or %q, or remove it", k("exposure"), ExposeIngress, ExposeGateway)
	}
}

// CostOf is what drives the stack's monthly cost: its load balancer, the features that are on, and
// a cluster it creates.
func CostOf(c *Config) cost.Stack {
	s := cost.Stack{LoadBalancer: c.exposure().loadBalancer()}
	if cl := c.Cluster; cl.Create {
		s.Cluster = &cost.Cluster{ExtendedSupport: inExtendedSupport(cl.KubernetesVersion), Nodes: cl.DesiredNodes, InstanceType: cl.InstanceType}
	}
	for _, f := range features {
		if f.cost != nil && f.on(c) {
			f.cost(c, &s)
		}
	}
	return s
}

// edge is what the features registered: the ALB features, each with its reference (nil when
// off), what the load balancer must wait for (ready: certificate validation, web ACL, log bucket
// policy; on destroy the ALB goes first), and their stack outputs.
type edge struct {
	zoneID string
	tls    *albingress.TLS
	waf    *albingress.WAF
	logs   *albingress.AccessLogs
	ready  []pulumi.Resource
	out    pulumi.Map
}

// newEdge registers every feature's resources that the load balancer will refer to.
func newEdge(ctx *pulumi.Context, cfg *Config, awsProvider pulumi.ProviderResource) (*edge, error) {
	e := &edge{out: pulumi.Map{}}
	for _, f := range features {
		if f.before != nil && f.on(cfg) {
			if err := f.before(ctx, cfg, awsProvider, e); err != nil {
				return nil, err
			}
		}
	}
	return e, nil
}

// attach registers what refers to the load balancer once it has a hostname.
func (e *edge) attach(ctx *pulumi.Context, cfg *Config, awsProvider pulumi.ProviderResource, hostname pulumi.StringOutput) error {
	for _, f := range features {
		if f.after != nil && f.on(cfg) {
			if err := f.after(ctx, cfg, awsProvider, e, hostname); err != nil {
				return err
			}
		}
	}
	return nil
}
