package stacks

import (
	"fmt"
	"maps"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/validate/content"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/mlops-retail/retail-api-edge/components/lbcontroller"
)

var (
	regionRe       = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$`)
	eksNameRe      = regexp.MustCompile(`^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$`)
	instanceTypeRe = regexp.MustCompile(`^[a-z][a-z0-9-]*\.[a-z0-9]+$`)
	vpcIDRe        = regexp.MustCompile(`^vpc-[0-9a-f]{8}([0-9a-f]{9})?$`)
	subnetIDRe     = regexp.MustCompile(`^subnet-[0-9a-f]{8}([0-9a-f]{9})?$`)
	imageRe        = regexp.MustCompile(`^[a-z0-9][a-zA-Z0-9._/:@-]*$`)
	semverRe       = regexp.MustCompile(`^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$`)
	// tagCharsRe is what AWS allows in tag keys and values.
	tagCharsRe    = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)
	lbNameRe      = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,30}[A-Za-z0-9])?$`)
	successCodeRe = regexp.MustCompile(`^\d{3}(-\d{3})?$`)
	stackNameRe   = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,100}$`)
	urlPathRe     = regexp.MustCompile(`^[A-Za-z0-9\-._~!$&'()*+,;=:@/%]+$`)
	roleArnRe     = regexp.MustCompile(`^arn:aws(-cn|-us-gov)?:iam::\d{12}:role/[\w+=,.@/-]{1,512}$`)
)

// supportedPolicyVersions are the controller releases whose IAM policy this program carries.
var supportedPolicyVersions = []string{lbcontroller.PolicyVersion}

// Limits enforced here are AWS's and Kubernetes' own, so a bad value fails in preview, not at
// the end of a 10-minute `pulumi up`.
const (
	maxNodes    = 100
	maxReplicas = 50
	maxAWSTags  = 50
	// controllerTags are the tags the load balancer controllers add to what they create
	// (elbv2.k8s.aws/cluster, ingress.k8s.aws/stack, ingress.k8s.aws/resource): AWS's 50 include them.
	controllerTags = 3
	minLBHealthInt = 5
	maxLBHealthInt = 300
)

// validator collects problems, each against its full key, and warnings: what is allowed but costs
// or risks more than the user may expect.
type validator struct {
	errs     []error
	warnings []string
}

func (v *validator) check(ok bool, key, format string, args ...any) {
	if !ok {
		v.errs = append(v.errs, keyErr(key, format, args...))
	}
}

func (v *validator) warn(key, format string, args ...any) {
	v.warnings = append(v.warnings, keyErr(key, format, args...).Error())
}

func k(name string) string { return Project + ":" + name }

func (c *Config) validate() *validator {
	v := &validator{}
	v.check(c.Region != "", RegionKey, "is required (e.g. `pulumi config set aws:region us-east-1`)")
	v.check(c.Region == "" || regionRe.MatchString(c.Region), RegionKey, "%q is not an AWS region name (like us-east-1)", c.Region)
	_, known := exposures[c.Exposure]
	v.check(known, k("exposure"), "must be one of %q (service: Option A, the Service's own load balancer; "+
		"ingress: Option B, an ALB Ingress), got %q", exposureNames(), c.Exposure)
	c.Cluster.validate(v)
	c.App.validate(v)
	v.check(c.App.HandOverTo == "" || (stackNameRe.MatchString(c.App.HandOverTo) && c.App.HandOverTo != c.Stack), k("app.handOverTo"),
		"must name another stack of this project (letters, digits, -, _ and .), got %q", c.App.HandOverTo)
	c.Service.validate(v)
	c.Controller.validate(v)
	c.Ingress.validate(v)
	if known { // what the option and the features check depends on the option
		c.exposure().validate(v)
		c.validateFeatures(v)
		c.validateInert(v)
		c.validateIAM(v)
	}
	c.Health.validate(v, c.Service.LoadBalancer)
	validateTags(v, c.Tags)
	c.AWS.validate(v, c)
	return v
}

func (c *ClusterConfig) validate(v *validator) {
	v.check(eksNameRe.MatchString(c.Name), k("cluster.name"),
		"%q is not a valid EKS cluster name (1-100 letters, digits, - or _, starting with a letter or digit)", c.Name)
	v.check(c.Context == "" || c.Kubeconfig != "", k("cluster.context"), "needs retail-api-edge:cluster.kubeconfig")
	v.check(c.VpcID == "" || vpcIDRe.MatchString(c.VpcID), k("cluster.vpcId"), "%q is not a VPC ID (vpc-...)", c.VpcID)
	if !c.Create {
		v.check(c.VpcID == "" || c.Kubeconfig != "", k("cluster.vpcId"),
			"only applies with cluster.create: true or cluster.kubeconfig (a cluster found in EKS brings its own network)")
		v.check(len(c.PublicSubnetIDs) == 0, k("cluster.publicSubnetIds"),
			"only applies with cluster.create: true (an existing cluster brings its own network)")
		return
	}
	v.check(c.Kubeconfig == "", k("cluster.kubeconfig"),
		"reaches an existing cluster and cannot be combined with cluster.create: true")
	checkKubernetesVersion(v, c.KubernetesVersion)
	v.check(instanceTypeRe.MatchString(c.InstanceType), k("cluster.instanceType"),
		"must be an EC2 instance type like t3.medium, got %q", c.InstanceType)
	if c.AMIType != "" {
		checkAMIType(v, c.AMIType, c.InstanceType)
	}
	v.check(c.MinNodes >= 1 && c.MinNodes <= c.DesiredNodes && c.DesiredNodes <= c.MaxNodes && c.MaxNodes <= maxNodes,
		k("cluster.desiredNodes"), "need 1 <= minNodes <= desiredNodes <= maxNodes <= %d, got %d <= %d <= %d",
		maxNodes, c.MinNodes, c.DesiredNodes, c.MaxNodes)
	v.check(len(c.PublicSubnetIDs) == 0 || c.VpcID != "", k("cluster.publicSubnetIds"),
		"needs cluster.vpcId (the VPC those subnets belong to)")
	v.check(c.VpcID == "" || len(c.PublicSubnetIDs) >= 2, k("cluster.publicSubnetIds"),
		"with cluster.vpcId, list at least two public subnets in different availability zones")
	for i, s := range c.PublicSubnetIDs {
		v.check(subnetIDRe.MatchString(s), fmt.Sprintf("%s[%d]", k("cluster.publicSubnetIds"), i), "%q is not a subnet ID (subnet-...)", s)
	}
}

func (a *AppConfig) validate(v *validator) {
	v.kube("app.namespace", "namespace name", a.Namespace, namespaceName)
	v.kube("app.serviceName", "Service name", a.ServiceName, serviceName)
	v.check(len(a.Selector) > 0, k("app.selector"), "must have at least one label, or the Service selects no pods")
	for _, key := range slices.Sorted(maps.Keys(a.Selector)) {
		v.kube("app.selector", "label key", key, content.IsLabelKey)
		v.kube("app.selector."+key, "label value", a.Selector[key], content.IsLabelValue)
	}
	validPort(v, "app.port", a.Port)
	validPort(v, "app.targetPort", a.TargetPort)
	if why := urlPathProblem(a.HealthPath); why != "" {
		v.check(false, k("app.healthPath"), "%q is not a health-check path: %s", a.HealthPath, why)
	}
	if a.Image == "" {
		return
	}
	v.check(imageRe.MatchString(a.Image), k("app.image"), "%q is not a container image reference", a.Image)
	v.check(a.Replicas >= 2 && a.Replicas <= maxReplicas, k("app.replicas"),
		"must be between 2 (one per zone, for availability) and %d, got %d", maxReplicas, a.Replicas)
	v.kube("app.deploymentName", "Deployment name", a.DeploymentName, objectName)
}

func validPort(v *validator, key string, p int) {
	v.check(p >= 1 && p <= 65535, k(key), "must be a port between 1 and 65535, got %d", p)
}

// The API server's own name rules (k8s.io/apimachinery pkg/util/validation and
// pkg/api/validate/content, as k8s.io/kubernetes pkg/apis/core/validation applies them:
// ValidateNamespaceName is a DNS-1123 label, ValidateServiceName a DNS-1035 label, Deployments,
// Ingresses and ServiceAccounts DNS-1123 subdomains).
var (
	namespaceName = validation.IsDNS1123Label
	serviceName   = validation.IsDNS1035Label
	objectName    = validation.IsDNS1123Subdomain
)

// kube checks a name, label key or label value with one of the API server's rules, quoting its
// reasons.
func (v *validator) kube(key, what, value string, rule func(string) []string) {
	if errs := rule(value); len(errs) > 0 {
		v.check(false, k(key), "%q is not a valid Kubernetes %s: %s", value, what, strings.Join(errs, "; "))
	}
}

func (s *ServiceConfig) validate(v *validator) {
	v.check(s.LoadBalancer == "nlb" || s.LoadBalancer == "classic", k("service.loadBalancer"),
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

func (h *HealthCheckConfig) validate(v *validator, lb string) {
	maxTimeout := 120
	if lb == "classic" {
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

func validateTags(v *validator, tags map[string]string) {
	v.check(len(tags) <= maxAWSTags-controllerTags, k("tags"),
		"AWS allows %d tags per load balancer and the controllers add %d of their own, so at most %d (the defaults included), got %d",
		maxAWSTags, controllerTags, maxAWSTags-controllerTags, len(tags))
	for _, key := range slices.Sorted(maps.Keys(tags)) {
		val := tags[key]
		v.check(key != "" && len(key) <= 128 && !strings.HasPrefix(strings.ToLower(key), "aws:"), k("tags."+key),
			"tag keys must be 1-128 characters and must not start with aws:")
		v.check(len(val) <= 256, k("tags."+key), "tag values must be at most 256 characters")
		v.check(tagCharsRe.MatchString(key) && tagCharsRe.MatchString(val), k("tags."+key),
			"AWS tags allow letters, digits, spaces and _ . : / = + - @ only")
		// The controllers read tags from one annotation, "k1=v1,k2=v2", split on , and = and trimmed.
		v.check(!strings.ContainsAny(key+val, ",=") && strings.TrimSpace(key) == key && strings.TrimSpace(val) == val, k("tags."+key),
			"cannot contain , or = or start or end with a space: the load balancer controllers read tags as k1=v1,k2=v2")
	}
}

// validSuccessCodes checks an ALB health check's success codes: 200-499, as single codes, a
// comma-separated list or one ascending range.
func validSuccessCodes(codes string) bool {
	for part := range strings.SplitSeq(codes, ",") {
		if !successCodeRe.MatchString(part) {
			return false
		}
		lo, hi, isRange := strings.Cut(part, "-")
		if !inSuccessRange(lo) || (isRange && (!inSuccessRange(hi) || hi <= lo)) {
			return false
		}
	}
	return true
}

func inSuccessRange(code string) bool { return code >= "200" && code <= "499" }

func (c *ControllerConfig) validate(v *validator) {
	v.check(c.Chart != "", k("controller.chart"), "must name the chart (or a local chart directory)")
	v.check(semverRe.MatchString(c.ChartVersion), k("controller.chartVersion"),
		"must be an exact chart version like 3.5.0 (pinned, so upgrades are deliberate), got %q", c.ChartVersion)
	v.check(c.Repository == "" || strings.HasPrefix(c.Repository, "https://") || strings.HasPrefix(c.Repository, "oci://"),
		k("controller.repository"), "must be an https:// or oci:// chart repository, or empty for a local chart, got %q", c.Repository)
	v.kube("controller.namespace", "namespace name", c.Namespace, namespaceName)
	v.kube("controller.serviceAccount", "service account name", c.ServiceAccount, objectName)
	v.check(c.RoleArn == "" || roleArnRe.MatchString(c.RoleArn), k("controller.roleArn"),
		"%q is not an IAM role ARN like arn:aws:iam::123456789012:role/name", c.RoleArn)
	v.check(c.Replicas >= 2 && c.Replicas <= 10, k("controller.replicas"),
		"must be between 2 and 10: with one, a node drain takes the controller's webhook down and every Service create in the cluster fails; got %d", c.Replicas)
	v.check(slices.Contains(supportedPolicyVersions, c.PolicyVersion), k("controller.policyVersion"),
		"must be one of %v (the IAM policies this program carries), got %q", supportedPolicyVersions, c.PolicyVersion)
	checkTLSPolicy(v, "controller.defaultSSLPolicy", c.DefaultSSLPolicy)
}

func (i *IngressConfig) validate(v *validator) {
	v.kube("ingress.name", "Ingress name", i.Name, objectName)
	v.check(i.LoadBalancerName == "" || (lbNameRe.MatchString(i.LoadBalancerName) && !strings.HasPrefix(i.LoadBalancerName, "internal-")),
		k("ingress.loadBalancerName"),
		"must be at most 32 letters, digits and hyphens, not starting or ending with a hyphen, got %q", i.LoadBalancerName)
	v.check(validSuccessCodes(i.SuccessCodes), k("ingress.successCodes"),
		"must be HTTP codes from 200 to 499 like 200, 200,204 or 200-299 (what an ALB accepts), got %q", i.SuccessCodes)
	v.check(i.IdleTimeoutSeconds >= 1 && i.IdleTimeoutSeconds <= 4000, k("ingress.idleTimeoutSeconds"),
		"must be between 1 and 4000, got %d", i.IdleTimeoutSeconds)
}

// maxHealthPath is the longest health-check path the load balancers take (ELBv2 HealthCheckPath;
// a classic ELB's whole ping target is at most 1024 characters).
const maxHealthPath = 1024

// urlPathProblem says why a value is not an absolute URL path the load balancers and the
// annotations that carry it can take, or "": RFC 3986 path characters only (unreserved,
// percent-encoded, sub-delims, ":", "@" and "/"), so no spaces, control characters, query or
// fragment.
func urlPathProblem(p string) string {
	switch {
	case !strings.HasPrefix(p, "/"):
		return "it must start with /"
	case len(p) > maxHealthPath:
		return fmt.Sprintf("it is longer than %d characters", maxHealthPath)
	case !urlPathRe.MatchString(p):
		return "it may hold only letters, digits and - . _ ~ ! $ & ' ( ) * + , ; = : @ / % (no spaces, control characters, ? or #)"
	}
	if _, err := url.PathUnescape(p); err != nil {
		return "a % must start a two-digit hex escape like %20"
	}
	return ""
}
