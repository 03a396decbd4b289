package stacks

import (
	"fmt"
	"regexp"
	"strings"
)

// IAMConfig is the `iam` object: what every IAM role this stack creates carries. The roles are the
// AWS Load Balancer Controller's (Option B with controller.install and no controller.roleArn) and,
// with cluster.create, the EKS nodes'.
type IAMConfig struct {
	// The ARN of the managed policy set as the permissions boundary of every IAM role the stack
	// creates (the controller's IRSA or Pod Identity role; with `cluster.create`, the nodes' role): a role can then
	// do at most what the boundary allows, whatever is attached to it. Only with such a role; in
	// the partition of `aws:region`. The deploy roles of [github-actions.md](github-actions.md)
	// create roles only with their environment's boundary, `retail-api-edge-boundary`.
	PermissionsBoundary string `json:"permissionsBoundary"`
	// Refuse, in preview, a stack that would create a role without `iam.permissionsBoundary`
	// (`Pulumi.prod.yaml` sets it); refused with `cluster.create` (pulumi-eks makes the cluster's
	// service role without a boundary).
	RequirePermissionsBoundary bool `json:"requirePermissionsBoundary"`
}

func (*IAMConfig) setDefaults() {}

func (*IAMConfig) inert() []inertRule {
	return []inertRule{{
		keys: []string{"iam.permissionsBoundary"},
		// With requirePermissionsBoundary the boundary is the stack's standing rule, kept while no
		// role is made (Option B on Auto Mode) so one that comes back carries it.
		active: func(c *Config) bool { return len(c.createsRoles()) > 0 || c.IAM.RequirePermissionsBoundary },
		needs:  iamInertNeeds,
	}}
}

// Every name the program gives an AWS object it creates is <project>-<stack>-<what> (the WAF web
// ACL is <project>-<stack>): the deploy role of one environment is scoped to its stack's names
// (docs/github-actions/deploy-policy-*.json), so it can change nothing of another stack's.
// Changing one of these names replaces the object (docs/github-actions.md, "Names").
const (
	controllerRoleWhat = "lb-controller" // the controller's role (IRSA or Pod Identity), and its policy's name prefix
	nodeRoleWhat       = "eks-node"      // the managed node group's role (cluster.create)
	logBucketWhat      = "logs"          // the access-log bucket's name prefix
)

// awsName is the name the program gives the stack's AWS object what: <project>-<stack>-<what>.
func awsName(stack, what string) string { return Project + "-" + stack + "-" + what }

// IAM's and S3's limits on the names above (IAM API reference, CreateRole RoleName: 1-64 of
// [\w+=,.@-]; pulumi-aws/terraform-provider-aws aws_s3_bucket bucket_prefix: at most 37, bucket
// names lowercase letters, digits, dots and hyphens).
const (
	maxRoleName     = 64
	maxBucketPrefix = 37
)

var (
	iamNameRe      = regexp.MustCompile(`^[\w+=,.@-]+$`)
	bucketPrefixRe = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*$`)
	// policyArnRe is a customer or AWS managed policy ARN (IAM user guide, "IAM identifiers").
	policyArnRe = regexp.MustCompile(`^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}|aws):policy/[\w+=,.@/-]{1,512}$`)
)

// createsRoles lists what makes the stack create IAM roles, by the key that turns each on.
func (c *Config) createsRoles() []string {
	var by []string
	if c.exposure().createsRole() { // Option B's controller role (IRSA or Pod Identity)
		by = append(by, k("controller.install"))
	}
	if c.Cluster.Create {
		by = append(by, k("cluster.create"))
	}
	return by
}

func (i *IAMConfig) validate(c *Config, v *validator) {
	if !c.knownExposure() {
		return // which roles the stack creates depends on the exposure
	}
	b, roles := i.PermissionsBoundary, c.createsRoles()
	if b != "" {
		arnPartition, _, _ := strings.Cut(strings.TrimPrefix(b, "arn:"), ":")
		v.check(policyArnRe.MatchString(b), k("iam.permissionsBoundary"),
			"%q is not a managed policy ARN like arn:aws:iam::123456789012:policy/retail-api-edge-boundary", b)
		v.check(!policyArnRe.MatchString(b) || arnPartition == partition(c.Region), k("iam.permissionsBoundary"),
			"%q is in partition %s, but %s %s is in %s", b, arnPartition, RegionKey, c.Region, partition(c.Region))
	}
	v.check(!i.RequirePermissionsBoundary || b != "" || len(roles) == 0, k("iam.permissionsBoundary"),
		"is required: %s is true and %s makes this stack create an IAM role", k("iam.requirePermissionsBoundary"), strings.Join(roles, " and "))
	// pulumi-eks v2.8.1 creates the cluster's service role itself (nodejs/eks/cluster.ts: a
	// ServiceRole unless `serviceRole` is given), without a boundary; giving it one of ours would
	// replace an existing cluster (the EKS cluster's roleArn cannot change).
	v.check(!i.RequirePermissionsBoundary || !c.Cluster.Create, k("cluster.create"),
		"cannot be combined with %s: pulumi-eks creates the cluster's service role without a permissions boundary; "+
			"create the cluster outside this stack, or set %s to false for the stack that creates it",
		k("iam.requirePermissionsBoundary"), k("iam.requirePermissionsBoundary"))
	if c.exposure().createsRole() {
		c.checkRoleName(v, k("controller.install"), awsName(c.Stack, controllerRoleWhat))
	}
	if c.Cluster.Create {
		c.checkRoleName(v, k("cluster.create"), awsName(c.Stack, nodeRoleWhat))
	}
	if c.AccessLogs.Enabled && c.AccessLogs.Bucket == "" {
		p := c.logBucketPrefix()
		v.check(len(p) <= maxBucketPrefix && bucketPrefixRe.MatchString(p), k("accessLogs.enabled"),
			"the log bucket is named after the stack, %q, which S3 rejects (a bucket name prefix is at most %d lowercase letters, "+
				"digits, dots and hyphens): use a shorter, lowercase stack name, or an existing bucket (%s)",
			p, maxBucketPrefix, k("accessLogs.bucket"))
	}
	// Both deploy policies scope what they may change by this tag (aws:ResourceTag/stack,
	// aws:RequestTag/stack): a stack that set another value could not change its own resources.
	v.check(c.Tags["stack"] == c.Stack, k("tags.stack"),
		"is the stack's name (%q), which the deploy roles' policies are scoped by; remove it", c.Stack)
}

func (c *Config) checkRoleName(v *validator, key, name string) {
	v.check(len(name) <= maxRoleName && iamNameRe.MatchString(name), key,
		"makes the IAM role %q, named after the stack, which IAM rejects (at most %d letters, digits and +=,.@_-): use a shorter stack name",
		name, maxRoleName)
}

// logBucketPrefix is the start of the access-log bucket's name; S3 appends a unique suffix.
func (c *Config) logBucketPrefix() string { return awsName(c.Stack, logBucketWhat) + "-" }

// controllerNames are the controller's role name (IRSA or Pod Identity: the same, so a switch
// updates the role in place) and its policy's name prefix.
func (c *Config) controllerNames() (role, policyPrefix string) {
	role = awsName(c.Stack, controllerRoleWhat)
	return role, role + "-"
}

// nodeRoleName is the name of the node role of a cluster the stack creates.
func (c *Config) nodeRoleName() string { return awsName(c.Stack, nodeRoleWhat) }

// iamInertNeeds says what gives iam.permissionsBoundary an effect (the inert-settings check).
func iamInertNeeds(*Config) string {
	return fmt.Sprintf("a role this stack creates (%s %s or %s with %s true and no %s, or %s true)",
		k("exposure"), ExposeIngress, ExposeGateway, k("controller.install"), k("controller.roleArn"), k("cluster.create"))
}
