// Package lbkind names the kinds of AWS load balancer the exposures run, in one typed vocabulary
// for everything that depends on the kind: the Service annotations (components/servicelb), the
// alarms' metrics (components/alarms), the cost estimate (internal/cost), the offline
// placeholders and the AWS stand-in. The values are the config's (retail-api-edge:service.loadBalancer).
package lbkind

// Kind is a kind of AWS load balancer.
type Kind string

// Kinds.
const (
	// ALB is an Application Load Balancer: Option B's, made by the AWS Load Balancer Controller
	// for the Ingress.
	ALB Kind = "alb"
	// NLB is a Network Load Balancer, made for a Service of type LoadBalancer (Option A).
	NLB Kind = "nlb"
	// Classic is a Classic Load Balancer, made for a Service of type LoadBalancer (Option A).
	Classic Kind = "classic"
)
