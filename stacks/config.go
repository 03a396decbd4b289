// Package stacks turns a stack's configuration into the program: Decode reads and validates the
// typed Config (defaults in defaults.go), Deploy wires the components for Option A or B, and Run
// is what `pulumi up` executes.
package stacks

// Project is the Pulumi project name and the namespace of this program's config keys.
const Project = "retail-api-edge"

// Exposure selects how the API is published.
type Exposure string

// Exposures.
const (
	// ExposeService is Option A: the app Service becomes type LoadBalancer.
	ExposeService Exposure = "service"
	// ExposeIngress is Option B: AWS Load Balancer Controller and an ALB Ingress.
	ExposeIngress Exposure = "ingress"
)

// Config is everything a stack can set, already defaulted and validated.
type Config struct {
	Stack      string            `json:"-"`
	Region     string            `json:"-"` // aws:region
	AWS        AWSSettings       `json:"-"` // the other aws: settings the AWS provider honours
	Exposure   Exposure          `json:"exposure"`
	Cluster    ClusterConfig     `json:"cluster"`
	App        AppConfig         `json:"app"`
	Service    ServiceConfig     `json:"service"`
	Controller ControllerConfig  `json:"controller"`
	Ingress    IngressConfig     `json:"ingress"`
	Domain     DomainConfig      `json:"domain"`
	TLS        TLSConfig         `json:"tls"`
	WAF        WAFConfig         `json:"waf"`
	AccessLogs AccessLogsConfig  `json:"accessLogs"`
	Alarms     AlarmsConfig      `json:"alarms"`
	Health     HealthCheckConfig `json:"healthCheck"`
	IAM        IAMConfig         `json:"iam"` // stacks/iam.go
	Tags       map[string]string `json:"tags"`

	// Warnings are what validation allowed but the user should know (a cost, a risk); the program
	// logs them.
	Warnings []string `json:"-"`
	// set are the keys the stack sets ("waf.rateLimit"), for the check that none is inert.
	set map[string]bool
}

// ClusterConfig is the `cluster` object: an existing cluster by name, or Create a new one.
type ClusterConfig struct {
	Name   string `json:"name"`
	Create bool   `json:"create"`
	// Kubeconfig reaches an existing cluster through this kubeconfig (a file path, or the file's
	// contents as a secret) instead of looking it up in EKS: no AWS call is made for the cluster.
	// Option B then needs VpcID and controller.roleArn, which the lookup would have found or made.
	Kubeconfig string `json:"kubeconfig"`
	// Context is the kubeconfig context to use; empty means its current context.
	Context           string `json:"context"`
	KubernetesVersion string `json:"kubernetesVersion"`
	InstanceType      string `json:"instanceType"`
	// AMIType is the nodes' AMI: Amazon Linux 2023 for the instance type's architecture unless set
	// (AL2023_x86_64_STANDARD, AL2023_ARM_64_STANDARD, BOTTLEROCKET_x86_64, BOTTLEROCKET_ARM_64).
	AMIType      string `json:"amiType"`
	DesiredNodes int    `json:"desiredNodes"`
	MinNodes     int    `json:"minNodes"`
	MaxNodes     int    `json:"maxNodes"`
	// VpcID is the new cluster's VPC, or with Kubeconfig the VPC the cluster runs in.
	VpcID           string   `json:"vpcId"`
	PublicSubnetIDs []string `json:"publicSubnetIds"`
	// CreateOIDCProvider lets the stack create the IAM OIDC provider of an existing cluster that
	// has none (Option B's controller role needs it).
	CreateOIDCProvider bool `json:"createOidcProvider"`
}

// AppConfig is the `app` object: where the API runs and, optionally, how to deploy it.
type AppConfig struct {
	Namespace   string            `json:"namespace"`
	ServiceName string            `json:"serviceName"`
	Selector    map[string]string `json:"selector"`
	Port        int               `json:"port"`
	TargetPort  int               `json:"targetPort"`
	HealthPath  string            `json:"healthPath"`
	// Image, when set, makes the program deploy the API as well (Deployment + PDB).
	Image          string `json:"image"`
	Replicas       int    `json:"replicas"`
	DeploymentName string `json:"deploymentName"`
	// HandOverTo names the stack of this project that takes over the app's Service (and
	// Deployment): this stack stops exposing them, marks them for that stack, and leaves them in
	// the cluster on destroy.
	HandOverTo string `json:"handOverTo"`
}

// ServiceConfig is the `service` object: Option A's load balancer.
type ServiceConfig struct {
	LoadBalancer string   `json:"loadBalancer"`
	SourceRanges []string `json:"sourceRanges"`
}

// ControllerConfig is the `controller` object: the AWS Load Balancer Controller of Option B.
type ControllerConfig struct {
	// Install makes this stack own the cluster's controller (release, role, service account). With
	// false it relies on the one another stack installed, from ChartVersion on, running as RoleArn
	// when that is set, and checks so in preview.
	Install bool `json:"install"`
	// Chart is the chart name in Repository, or a local chart directory when Repository is "".
	Chart          string `json:"chart"`
	ChartVersion   string `json:"chartVersion"`
	Repository     string `json:"repository"`
	Namespace      string `json:"namespace"`
	ServiceAccount string `json:"serviceAccount"`
	Replicas       int    `json:"replicas"`
	// RoleArn is an existing IAM role for the controller's service account (one a platform team
	// made); the stack then creates no policy, role or OIDC provider for it.
	RoleArn string `json:"roleArn"`
	// PolicyVersion names the controller release whose official IAM policy is granted.
	PolicyVersion string `json:"policyVersion"`
	// DefaultSSLPolicy replaces the controller's own default (ELBSecurityPolicy-2016-08).
	DefaultSSLPolicy string `json:"defaultSSLPolicy"`
}

// IngressConfig is the `ingress` object: Option B's ALB.
type IngressConfig struct {
	Name               string `json:"name"`
	LoadBalancerName   string `json:"loadBalancerName"`
	SuccessCodes       string `json:"successCodes"`
	IdleTimeoutSeconds int    `json:"idleTimeoutSeconds"`
	DeletionProtection bool   `json:"deletionProtection"`
}

// DomainConfig is the `domain` object: the API's public name in a Route53 hosted zone (Option B).
type DomainConfig struct {
	Name             string   `json:"name"`
	ZoneName         string   `json:"zoneName"`
	AlternativeNames []string `json:"alternativeNames"`
	// Alias points Name at the ALB with Route53 alias records.
	Alias bool `json:"alias"`
	// IPv6 adds an AAAA alias and makes the ALB dual-stack (the subnets need IPv6 CIDRs).
	IPv6 bool `json:"ipv6"`
}

// TLSConfig is the `tls` object: HTTPS with a validated ACM certificate for the domain.
type TLSConfig struct {
	Enabled   bool   `json:"enabled"`
	SSLPolicy string `json:"sslPolicy"`
}

// WAFConfig is the `waf` object: a WAFv2 web ACL in front of the ALB.
type WAFConfig struct {
	Enabled bool `json:"enabled"`
	// RateLimit is the most requests one client IP may make in 5 minutes.
	RateLimit         int      `json:"rateLimit"`
	ManagedRuleGroups []string `json:"managedRuleGroups"`
	// LargeBodies is what the Common rule set does with request bodies over 8 KB: "count" (let
	// them through, counted in CloudWatch) or "block" (AWS's default).
	LargeBodies string `json:"largeBodies"`
}

// AccessLogsConfig is the `accessLogs` object: ALB access logs in S3.
type AccessLogsConfig struct {
	Enabled bool `json:"enabled"`
	// Bucket uses an existing bucket instead of creating one.
	Bucket         string `json:"bucket"`
	Prefix         string `json:"prefix"`
	RetentionDays  int    `json:"retentionDays"`
	EmptyOnDestroy bool   `json:"emptyOnDestroy"`
}

// AlarmsConfig is the `alarms` object: CloudWatch alarms on the load balancer, either option.
type AlarmsConfig struct {
	Enabled bool `json:"enabled"`
	// UnhealthyMinutes is how many consecutive minutes a target must be unhealthy, or fewer than
	// MinHealthyTargets healthy, to alarm.
	UnhealthyMinutes int `json:"unhealthyMinutes"`
	// MinHealthyTargets is the fewest healthy targets the load balancer may have before the outage
	// alarm fires (an empty target group reports no data, which counts as breaching).
	MinHealthyTargets int `json:"minHealthyTargets"`
	// ErrorRatePercent is the share of 5xx responses over 5 minutes that alarms (ALB, classic).
	ErrorRatePercent int `json:"errorRatePercent"`
	// Notify creates an SNS topic the alarms publish to (output alarmTopicArn; subscribe to it).
	Notify bool `json:"notify"`
}

// HealthCheckConfig is the `healthCheck` object: how load balancers probe the app's health path.
type HealthCheckConfig struct {
	IntervalSeconds    int `json:"intervalSeconds"`
	TimeoutSeconds     int `json:"timeoutSeconds"`
	HealthyThreshold   int `json:"healthyThreshold"`
	UnhealthyThreshold int `json:"unhealthyThreshold"`
}
