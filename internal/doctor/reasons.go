package doctor

import "fmt"

// reason is what a target health reason code means for this app, and how bad it is.
type reason struct {
	what   string
	status Status
	fix    string
}

// meaning explains ELBv2 target health reason codes, and the states that come without one
// (Elastic Load Balancing API reference, TargetHealth: Reason and State; aws-sdk-go-v2
// elasticloadbalancingv2 types/enums.go), in terms of this app and its config keys. Timeout and
// ResponseCodeMismatch are ALB-only: an NLB reports a blocked port as FailedHealthChecks.
func meaning(code string, d *diagnosis) reason {
	logs := fmt.Sprintf("kubectl -n %s logs -l %s", d.Namespace, selectorOf(d))
	switch code {
	case "Elb.RegistrationInProgress", "Elb.InitialHealthChecking":
		return reason{"being registered and checked for the first time", Warn, "wait a minute: new targets need the healthy threshold of passing checks"}
	case "Target.ResponseCodeMismatch":
		return reason{d.HealthPath + " answers a code the health check does not accept", Fail,
			"the app is up but reports itself unhealthy: " + logs + "; the accepted codes are ingress.successCodes"}
	case "Target.Timeout":
		return reason{"no answer to the health check in time", Fail,
			"a security group between load balancer and pods drops the port (see security-groups), or " + d.HealthPath + " is slower than healthCheck.timeoutSeconds"}
	case "Target.FailedHealthChecks":
		return reason{"health checks fail (refused, reset, or on an NLB also timed out or a bad code)", Fail,
			"nothing listens on the target port (app.targetPort), a security group drops it (see security-groups), or " + d.HealthPath + " fails: " + logs}
	case "Target.NotInUse":
		return reason{"in a zone the load balancer does not use, or its target group serves no load balancer", Fail,
			"tag a public subnet in every zone the pods run in (see subnets); a target group no listener uses is a leftover (edgectl audit)"}
	case "Target.DeregistrationInProgress":
		return reason{"leaving (a rolling update or scale-down)", Warn, "none if a rollout is running"}
	case "Target.NotRegistered":
		return reason{"not registered", Fail, "the controller registers ready pods: see the endpoints and events checks"}
	case "Target.InvalidState":
		return reason{"its instance is stopped or terminated", Fail, "check the node group: kubectl get nodes"}
	case "Target.IpUnusable":
		return reason{"its IP address is reserved for use by a load balancer", Fail, "the CNI gave a pod an address a load balancer uses: check the VPC CNI's address ranges"}
	case "Target.HealthCheckDisabled":
		return reason{"health checks are off", Warn, "pulumi up restores the health check on " + d.HealthPath}
	case "Elb.InternalError":
		return reason{"an internal error in Elastic Load Balancing", Warn, "run doctor again in a few minutes"}
	case "draining", "unhealthy.draining":
		return reason{"draining (a rolling update or scale-down)", Warn, "none if a rollout is running"}
	case "unavailable":
		return reason{"health checks are off for its target group", Warn, "pulumi up restores the health check on " + d.HealthPath}
	case "unused":
		return reason{"not used by any listener rule", Warn, "see the events check"}
	}
	return reason{"see the ELB target health reason codes", Fail, "aws elbv2 describe-target-health"}
}

func selectorOf(d *diagnosis) string {
	if d.found.service == nil {
		return "<app labels>"
	}
	return labelsString(d.found.service.Spec.Selector)
}
