package doctor

import "fmt"

// reason is what a target health reason code means for this app, and how bad it is.
type reason struct {
	what   string
	status Status
	fix    string
}

// meaning explains ELBv2 target health reason codes (Elastic Load Balancing API reference,
// TargetHealth: Reason; the ALB guide's "Health checks for your target groups" page) in terms of
// this app and its config keys.
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
		return reason{"connection refused or broken", Fail,
			"nothing listens on the target port (app.targetPort) or the connection is blocked: " + logs}
	case "Target.NotInUse":
		return reason{"in a zone the load balancer does not use", Fail,
			"tag a public subnet in every zone the pods run in (see subnets), or the target group is attached to no listener"}
	case "Target.DeregistrationInProgress":
		return reason{"leaving (a rolling update or scale-down)", Warn, "none if a rollout is running"}
	case "Target.NotRegistered":
		return reason{"not registered", Fail, "the controller registers ready pods: see the endpoints and events checks"}
	case "Target.InvalidState":
		return reason{"its instance is stopped or terminated", Fail, "check the node group: kubectl get nodes"}
	case "Target.IpUnusable":
		return reason{"its IP address cannot be used as a target", Fail, "the pod IP is in use by a load balancer or outside the VPC: check the CNI"}
	case "Target.HealthCheckDisabled":
		return reason{"health checks are off", Warn, "pulumi up restores the health check on " + d.HealthPath}
	case "Elb.InternalError":
		return reason{"an internal error in Elastic Load Balancing", Warn, "run doctor again in a few minutes"}
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
