package albingress

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/internal/annotation"
	"github.com/mlops-retail/retail-api-edge/internal/healthcheck"
)

// Prefix of every AWS Load Balancer Controller Ingress annotation.
const Prefix = "alb.ingress.kubernetes.io/"

// NoWebACL is the wafv2-acl-arn value that makes the controller detach any web ACL.
const NoWebACL = "none"

// Settings are the typed ALB settings; Annotations turns them into the controller's annotations.
type Settings struct {
	// HealthCheck is the target group's health check of the pods.
	HealthCheck healthcheck.HTTP
	// SuccessCodes are the HTTP codes the ALB's health check takes as healthy ("200", "200-299").
	SuccessCodes string
	// Tags go onto the ALB, its target group and security groups (the controller creates them).
	Tags map[string]string
	// LoadBalancerName fixes the ALB's name (at most 32 characters); empty lets the controller pick.
	LoadBalancerName   string
	DeletionProtection bool
	IdleTimeoutSeconds int
	// InboundCIDRs limits who may reach the ALB; empty means everyone.
	InboundCIDRs []string
	// TLS adds an HTTPS listener and redirects HTTP to it; nil: HTTP only.
	TLS *TLS
	// WAF attaches a web ACL; nil detaches any.
	WAF *WAF
	// AccessLogs writes the ALB's access logs to S3; nil turns them off.
	AccessLogs *AccessLogs
	// DualStack gives the ALB IPv6 addresses too (for AAAA records); needs IPv6 subnets.
	DualStack bool
}

// TLS configures the HTTPS listener.
type TLS struct {
	// CertificateArn is the validated ACM certificate's ARN.
	CertificateArn pulumi.StringInput
	SSLPolicy      string
}

// WAF names the web ACL the controller attaches.
type WAF struct {
	WebACLArn pulumi.StringInput
}

// AccessLogs configures where the ALB writes its logs.
type AccessLogs struct {
	// Bucket is the log bucket's name.
	Bucket pulumi.StringInput
	Prefix string
}

// refs are the features' references, resolved: known only once their resources exist.
type refs struct {
	certificateArn, webACLArn, logBucket string
}

// annotations renders the settings. Everything is explicit: the controller's defaults are an
// internal scheme and instance targets, neither of which serves this API.
func (s Settings) annotations(refs refs) map[string]string {
	hc := s.HealthCheck
	a := map[string]string{
		Prefix + "scheme":                       "internet-facing",
		Prefix + "target-type":                  "ip",
		Prefix + "listen-ports":                 listenPorts(s.TLS != nil),
		Prefix + "backend-protocol":             "HTTP",
		Prefix + "healthcheck-protocol":         "HTTP",
		Prefix + "healthcheck-path":             hc.Path,
		Prefix + "healthcheck-interval-seconds": strconv.Itoa(hc.IntervalSeconds),
		Prefix + "healthcheck-timeout-seconds":  strconv.Itoa(hc.TimeoutSeconds),
		Prefix + "healthy-threshold-count":      strconv.Itoa(hc.HealthyThreshold),
		Prefix + "unhealthy-threshold-count":    strconv.Itoa(hc.UnhealthyThreshold),
		Prefix + "success-codes":                s.SuccessCodes,
		Prefix + "load-balancer-attributes":     s.attributes(refs),
	}
	if s.TLS != nil {
		a[Prefix+"certificate-arn"] = refs.certificateArn
		a[Prefix+"ssl-redirect"] = "443"
		a[Prefix+"ssl-policy"] = s.TLS.SSLPolicy
	}
	// Always explicit: without the annotation the controller leaves whatever web ACL the ALB has
	// (pkg/ingress/model_build_load_balancer_addons.go at v3.5.0; docs/guide/ingress/annotations.md),
	// so turning WAF off would never detach it, and deleting the still-associated ACL fails
	// (WAFAssociatedItemException). "none" detaches it before Pulumi deletes the ACL.
	a[Prefix+"wafv2-acl-arn"] = NoWebACL
	if s.WAF != nil {
		a[Prefix+"wafv2-acl-arn"] = refs.webACLArn
	}
	if s.DualStack {
		a[Prefix+"ip-address-type"] = "dualstack"
	}
	if s.LoadBalancerName != "" {
		a[Prefix+"load-balancer-name"] = s.LoadBalancerName
	}
	if len(s.Tags) > 0 {
		a[Prefix+"tags"] = annotation.JoinPairs(s.Tags)
	}
	if len(s.InboundCIDRs) > 0 {
		a[Prefix+"inbound-cidrs"] = strings.Join(s.InboundCIDRs, ",")
	}
	return a
}

// attributes are the ALB attributes as the annotation takes them.
func (s Settings) attributes(refs refs) string { return annotation.JoinPairs(s.attributeMap(refs)) }

// attributeMap are the ALB attributes; each is explicit so that turning one off really does.
func (s Settings) attributeMap(refs refs) map[string]string {
	attrs := map[string]string{
		"routing.http.drop_invalid_header_fields.enabled": "true",
		"deletion_protection.enabled":                     strconv.FormatBool(s.DeletionProtection),
		"access_logs.s3.enabled":                          strconv.FormatBool(s.AccessLogs != nil),
	}
	if s.AccessLogs != nil {
		attrs["access_logs.s3.bucket"] = refs.logBucket
		attrs["access_logs.s3.prefix"] = s.AccessLogs.Prefix
	}
	if s.IdleTimeoutSeconds > 0 {
		attrs["idle_timeout.timeout_seconds"] = strconv.Itoa(s.IdleTimeoutSeconds)
	}
	return attrs
}

func listenPorts(https bool) string {
	ports := []map[string]int{{"HTTP": 80}}
	if https {
		ports = append(ports, map[string]int{"HTTPS": 443})
	}
	b, _ := json.Marshal(ports)
	return string(b)
}
