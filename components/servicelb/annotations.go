package servicelb

import (
	"strconv"

	"github.com/mlops-retail/retail-api-edge/internal/annotation"
	"github.com/mlops-retail/retail-api-edge/internal/healthcheck"
	"github.com/mlops-retail/retail-api-edge/internal/lbkind"
)

// Prefix of every AWS load balancer annotation on a Service.
const Prefix = "service.beta.kubernetes.io/aws-load-balancer-"

// trafficPort is the health-check port value both controllers read as "the port traffic goes to".
const trafficPort = "traffic-port"

// LoadBalancer holds the typed settings of an Option A load balancer.
type LoadBalancer struct {
	// Kind is lbkind.NLB or lbkind.Classic. Both are made by EKS's in-tree cloud provider: the AWS
	// Load Balancer Controller, where one runs, leaves a Service without a load balancer class and
	// with type "nlb" to it (pkg/service/service_utils.go), and this program installs the
	// controller with its Service mutator off, so nothing gives such a Service the controller's class.
	Kind lbkind.Kind
	// AutoMode gives the Service to EKS Auto Mode's load balancing (an NLB only): the class
	// AutoModeClass, and only the annotations Auto Mode supports.
	AutoMode    bool
	HealthCheck healthcheck.HTTP
	// Tags go onto the load balancer itself (it is created by a controller, not by Pulumi).
	Tags map[string]string
}

// AutoModeClass is the load balancer class of EKS Auto Mode's NLBs (the cluster's default class
// there; docs: awsdocs/amazon-eks-user-guide latest/ug/automode/auto-configure-nlb.adoc).
const AutoModeClass = "eks.amazonaws.com/nlb"

// autoModeUnsupported are the annotations Auto Mode does not read (auto-configure-nlb.adoc,
// "Service annotations": the type moves to spec.loadBalancerClass, the cross-zone flag into
// aws-load-balancer-attributes, which is set as well).
var autoModeUnsupported = []string{TypeAnnotation, Prefix + "cross-zone-load-balancing-enabled"}

// Annotations turns the settings into the Service annotations. Every setting is explicit, so the
// result does not depend on which controller picks the Service up: the in-tree provider defaults
// to internet-facing, the AWS Load Balancer Controller to internal.
func (lb LoadBalancer) Annotations() map[string]string {
	hc := lb.HealthCheck
	a := map[string]string{
		Prefix + "scheme": "internet-facing",
		// Upper case: the in-tree provider puts the value into a classic ELB's health-check
		// target as it is (cloud-provider-aws ensureLoadBalancerHealthCheck; #1181), and the
		// controller (pkg/service/model_build_target_group.go) and the NLB path upper-case it.
		Prefix + "healthcheck-protocol": "HTTP",
		Prefix + "healthcheck-path":     hc.Path,
		// The port traffic goes to: with the cloud provider's instance targets that is the NodePort
		// (kube-proxy forwards to a pod), with the controller's ip targets the pod port. A fixed
		// pod port would be probed on the node, where nothing listens, and fail every target.
		Prefix + "healthcheck-port":                trafficPort,
		Prefix + "healthcheck-interval":            strconv.Itoa(hc.IntervalSeconds),
		Prefix + "healthcheck-timeout":             strconv.Itoa(hc.TimeoutSeconds),
		Prefix + "healthcheck-healthy-threshold":   strconv.Itoa(hc.HealthyThreshold),
		Prefix + "healthcheck-unhealthy-threshold": strconv.Itoa(hc.UnhealthyThreshold),
		// In-tree spelling, then the controller's: both honour only their own.
		Prefix + "cross-zone-load-balancing-enabled": "true",
		Prefix + "attributes":                        "load_balancing.cross_zone.enabled=true",
	}
	switch lb.Kind {
	case lbkind.NLB:
		a[TypeAnnotation] = string(lbkind.NLB)
		// With the controller: register pod IPs, not node ports (no extra hop, real pod health).
		a[Prefix+"nlb-target-type"] = "ip"
	case lbkind.Classic:
		// An HTTP listener: without this annotation the in-tree provider builds a TCP one
		// (cloud-provider-aws pkg/providers/v1/aws.go, buildListener), which reports no HTTP codes,
		// so the 5xx alarm could never fire. The API speaks plain HTTP behind the listener.
		a[Prefix+"backend-protocol"] = "http"
	}
	if len(lb.Tags) > 0 {
		a[Prefix+"additional-resource-tags"] = annotation.JoinPairs(lb.Tags)
	}
	if lb.AutoMode {
		for _, k := range autoModeUnsupported {
			delete(a, k)
		}
	}
	return a
}
