package stacks

import (
	"context"
	"maps"
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/components/cluster"
	"github.com/mlops-retail/retail-api-edge/internal/lbkind"
	"github.com/mlops-retail/retail-api-edge/internal/ownership"
)

// Exposure is the `exposure` key: how the API is published. `service` is Option A (the app
// Service's own load balancer, an NLB or a classic ELB); `ingress` is Option B (the AWS Load
// Balancer Controller and an ALB Ingress); `gateway` is Option C (the controller and a Gateway API
// Gateway with HTTPRoutes, also an ALB).
type Exposure string

// Exposures.
const (
	// ExposeService is Option A: the app Service becomes type LoadBalancer.
	ExposeService Exposure = "service"
	// ExposeIngress is Option B: AWS Load Balancer Controller and an ALB Ingress.
	ExposeIngress Exposure = "ingress"
	// ExposeGateway is Option C: AWS Load Balancer Controller and a Gateway API Gateway.
	ExposeGateway Exposure = "gateway"
)

func (e *Exposure) setDefaults() { *e = ExposeService }

func (e *Exposure) validate(c *Config, v *validator) {
	v.check(c.knownExposure(), k("exposure"), "must be one of %q (service: Option A, the Service's own load balancer; "+
		"ingress: Option B, an ALB Ingress; gateway: Option C, an ALB Gateway), got %q", exposureNames(), *e)
}

// exposure is how the API reaches the internet. Option A (serviceExposure), Option B
// (ingressExposure) and Option C (gatewayExposure) implement it; exposures below is the one place that maps the configuration to
// one of them, and no other code asks which option is on.
type exposure interface {
	// loadBalancer is what the exposure runs and bills.
	loadBalancer() lbkind.Kind
	// runsLoadBalancer says whether this stack has a load balancer at all (a Service handed over
	// to another stack stays ClusterIP: the other stack exposes it).
	runsLoadBalancer() bool
	// needsAWS says whether the exposure itself calls AWS (edge features say so for themselves).
	needsAWS() bool
	// needsOIDC says whether it makes an IAM role that trusts the cluster's OIDC provider.
	needsOIDC() bool
	// createsRole says whether it makes an IAM role of its own (IRSA or Pod Identity).
	createsRole() bool
	// needsPodIdentityAgent says whether it makes an EKS Pod Identity association, which a cluster
	// this stack creates then gets the agent add-on for.
	needsPodIdentityAgent() bool
	// validate checks what only this exposure needs.
	validate(v *validator)
	// objects are the Kubernetes objects it owns besides the app's, for the ownership precheck.
	objects(autoMode bool) []ownership.Object
	// check is its own preview-time check of the cluster.
	check(ctx context.Context, r ownership.Reader, autoMode bool) error
	// register creates it, with the edge features' resources in front of it, and says where it listens.
	register(ctx *pulumi.Context, cl *cluster.Cluster, aws pulumi.ProviderResource, e *edge) (*endpoint, error)
}

// endpoint is where an exposure listens.
type endpoint struct {
	hostname pulumi.StringOutput
	port     int
	object   string // what `kubectl get` shows it as
	outputs  pulumi.Map
}

// exposures are the options, by the value of retail-api-edge:exposure.
var exposures = map[Exposure]func(*Config) exposure{
	ExposeService: func(c *Config) exposure { return serviceExposure{c} },
	ExposeIngress: func(c *Config) exposure { return ingressExposure{c} },
	ExposeGateway: func(c *Config) exposure { return gatewayExposure{ingressExposure{c}} },
}

// usesController says whether the exposure runs on the AWS Load Balancer Controller (B and C).
func (c *Config) usesController() bool {
	return c.Exposure == ExposeIngress || c.Exposure == ExposeGateway
}

// exposure is the configured option; validation has made sure there is one.
func (c *Config) exposure() exposure { return exposures[c.Exposure](c) }

// knownExposure says whether the exposure is valid: checks that depend on it run only then.
func (c *Config) knownExposure() bool {
	_, ok := exposures[c.Exposure]
	return ok
}

// exposureNames lists the valid values of retail-api-edge:exposure.
func exposureNames() []Exposure { return slices.Sorted(maps.Keys(exposures)) }
