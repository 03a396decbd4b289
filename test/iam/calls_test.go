package iam

import (
	"fmt"
	"strings"

	"github.com/mlops-retail/retail-api-edge/internal/plan"
	"github.com/mlops-retail/retail-api-edge/internal/typetoken"
)

// call is one AWS API call pulumi-aws makes for a resource or a lookup, as the IAM action it is
// authorized as, and the resource it acts on.
type call struct {
	phase  string // create, read, update or delete: made by `pulumi up`, `refresh` and `destroy`
	action string
	on     func(o object) string
	// creates: the call makes the object, so it carries the stack's tags as request tags (the
	// provider sends the default tags with the create) and the object has no tags yet.
	creates bool
}

// object is what a call is made for: a planned resource or a lookup, in the plan's world.
type object struct {
	w      world
	r      plan.Resource // for a resource
	invoke plan.Invoke   // for a lookup
}

func (o object) in(path ...string) string {
	if o.invoke.Token != "" {
		v, _ := o.invoke.Args[path[0]].(string)
		return v
	}
	s, _ := o.r.Value(path...).(string)
	return s
}

// world is the plan's account, region and default tags.
type world struct {
	stack, region string
	tags          map[string]string
}

func (w world) arn(service, resource string) string {
	return fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, w.region, account, resource)
}

// Resources a call acts on, named as the plan names them (IAM names and auto-named objects get the
// placeholder suffix "example", like the plan's own outputs).
var (
	anything  = func(object) string { return "*" }
	roleARN   = func(o object) string { return "arn:aws:iam::" + account + ":role/" + physical(o) }
	policyARN = func(o object) string {
		return "arn:aws:iam::" + account + ":policy/" + physical(o)
	}
	attachedRole = func(o object) string { return "arn:aws:iam::" + account + ":role/" + o.in("role") }
	bucketARN    = func(o object) string { return "arn:aws:s3:::" + o.in("bucketPrefix") + "example" }
	configBucket = func(o object) string { return "arn:aws:s3:::" + o.in("bucket") }
	alarmARN     = func(o object) string { return o.w.arn("cloudwatch", "alarm:"+o.r.Name+"-example") }
	topicARN     = func(o object) string { return o.w.arn("sns", o.r.Name+"-example") }
	certARN      = func(o object) string { return o.w.arn("acm", "certificate/example-"+o.r.Name) }
	validatedARN = func(o object) string { return o.in("certificateArn") }
	zoneARN      = func(o object) string { return "arn:aws:route53:::hostedzone/" + o.in("zoneId") }
	changeARN    = func(object) string { return "arn:aws:route53:::change/C0EXAMPLECHANGE" }
	webACLARN    = func(o object) string { return o.w.arn("wafv2", "regional/webacl/"+o.in("name")+"/example-id") }
	ruleSetARN   = func(o object) string {
		return o.w.arn("wafv2", "regional/managedruleset/AWSManagedRulesCommonRuleSet/example-id")
	}
	clusterARN      = func(o object) string { return o.w.arn("eks", "cluster/"+o.in("name")) }
	oidcProviderARN = func(o object) string {
		return "arn:aws:iam::" + account + ":oidc-provider/" + strings.TrimPrefix(o.in("url"), "https://")
	}
	lookedUpZone = func(object) string { return "arn:aws:route53:::hostedzone/" + plan.HostedZoneID }
	// EKS ARNs (Service Authorization Reference, Amazon EKS resource types): a cluster by name, an
	// association and an add-on under their cluster, with the IDs the plan's placeholders give.
	ownCluster = func(o object) string { return o.w.arn("eks", "cluster/"+o.in("clusterName")) }
	assocARN   = func(o object) string {
		return o.w.arn("eks", "podidentityassociation/"+o.in("clusterName")+"/a-example0000000001")
	}
	addonARN = func(o object) string {
		return o.w.arn("eks", "addon/"+o.in("clusterName")+"/"+o.in("addonName")+"/example")
	}
	passedRole = func(o object) string { return o.in("roleArn") }
)

// physical is an IAM object's name: given, a prefix and the placeholder suffix, or auto-named.
func physical(o object) string {
	if n := o.in("name"); n != "" {
		return n
	}
	if p := o.in("namePrefix"); p != "" {
		return p + "example"
	}
	return o.r.Name + "-example"
}

// apiCalls are the calls of every type in the plans, checked against the resource and data source
// code of terraform-provider-aws, which pulumi-aws v6 bridges (internal/service/<service>/: e.g.
// iam/role.go resourceRoleRead: GetRole, ListRolePolicies, ListAttachedRolePolicies; DeleteRole:
// ListInstanceProfilesForRole, DeleteRole; s3/bucket.go resourceBucketRead: HeadBucket (s3:ListBucket),
// GetBucketPolicy, -Acl, -Cors, -Website, -Versioning, -Accelerate, -RequestPayment, -Logging,
// -Lifecycle, -Replication, -Encryption, GetObjectLockConfiguration, GetBucketTagging), each API
// call named by its IAM action (Service Authorization Reference). A type the plans use and this
// table lacks fails TestDeployRolesCoverThePlans: a new resource comes with its permissions.
// Kubernetes types and the Kubernetes provider make no AWS call (the cluster is reached with
// `aws eks get-token`, a presigned sts:GetCallerIdentity, which needs no permission).
var apiCalls = map[string][]call{
	typetoken.AWSProvider:                     nil, // configure: sts:GetCallerIdentity, which needs no permission
	"pulumi:providers:kubernetes":             nil,
	"kubernetes:core/v1:Service":              nil,
	"kubernetes:core/v1:ServiceAccount":       nil,
	"kubernetes:core/v1:NamespacePatch":       nil,
	"kubernetes:networking.k8s.io/v1:Ingress": nil,
	typetoken.HelmRelease:                     nil,
	typetoken.Role: {
		{"create", "iam:CreateRole", roleARN, true}, {"create", "iam:TagRole", roleARN, true},
		{"read", "iam:GetRole", roleARN, false}, {"read", "iam:ListRolePolicies", roleARN, false},
		{"read", "iam:ListAttachedRolePolicies", roleARN, false},
		{"update", "iam:UpdateAssumeRolePolicy", roleARN, false}, {"update", "iam:UpdateRoleDescription", roleARN, false},
		{"update", "iam:PutRolePermissionsBoundary", roleARN, false},
		{"update", "iam:TagRole", roleARN, false}, {"update", "iam:UntagRole", roleARN, false},
		{"delete", "iam:ListInstanceProfilesForRole", roleARN, false}, {"delete", "iam:DeleteRole", roleARN, false},
	},
	typetoken.Policy: {
		{"create", "iam:CreatePolicy", policyARN, true}, {"create", "iam:TagPolicy", policyARN, true},
		{"read", "iam:GetPolicy", policyARN, false}, {"read", "iam:GetPolicyVersion", policyARN, false},
		{"update", "iam:ListPolicyVersions", policyARN, false}, {"update", "iam:CreatePolicyVersion", policyARN, false},
		{"update", "iam:DeletePolicyVersion", policyARN, false},
		{"update", "iam:TagPolicy", policyARN, false}, {"update", "iam:UntagPolicy", policyARN, false},
		{"delete", "iam:DeletePolicy", policyARN, false},
	},
	typetoken.RolePolicyAttachment: {
		{"create", "iam:AttachRolePolicy", attachedRole, false},
		{"read", "iam:ListAttachedRolePolicies", attachedRole, false},
		{"delete", "iam:DetachRolePolicy", attachedRole, false},
	},
	typetoken.Bucket: {
		{"create", "s3:CreateBucket", bucketARN, true}, {"create", "s3:PutBucketTagging", bucketARN, true},
		{"read", "s3:ListBucket", bucketARN, false}, {"read", "s3:GetBucketPolicy", bucketARN, false},
		{"read", "s3:GetBucketAcl", bucketARN, false}, {"read", "s3:GetBucketCORS", bucketARN, false},
		{"read", "s3:GetBucketWebsite", bucketARN, false}, {"read", "s3:GetBucketVersioning", bucketARN, false},
		{"read", "s3:GetAccelerateConfiguration", bucketARN, false}, {"read", "s3:GetBucketRequestPayment", bucketARN, false},
		{"read", "s3:GetBucketLogging", bucketARN, false}, {"read", "s3:GetLifecycleConfiguration", bucketARN, false},
		{"read", "s3:GetReplicationConfiguration", bucketARN, false}, {"read", "s3:GetEncryptionConfiguration", bucketARN, false},
		{"read", "s3:GetBucketObjectLockConfiguration", bucketARN, false}, {"read", "s3:GetBucketTagging", bucketARN, false},
		{"update", "s3:PutBucketTagging", bucketARN, false},
		{"delete", "s3:DeleteBucket", bucketARN, false},
	},
	typetoken.BucketPolicy: {
		{"create", "s3:PutBucketPolicy", configBucket, false}, {"read", "s3:GetBucketPolicy", configBucket, false},
		{"delete", "s3:DeleteBucketPolicy", configBucket, false},
	},
	// The S3 configuration deletes (DeletePublicAccessBlock, DeleteBucketOwnershipControls,
	// DeleteBucketEncryption, DeleteBucketLifecycle) are authorized as the matching Put actions.
	typetoken.PublicAccessBlock: {
		{"create", "s3:PutBucketPublicAccessBlock", configBucket, false}, {"read", "s3:GetBucketPublicAccessBlock", configBucket, false},
	},
	typetoken.OwnershipControls: {
		{"create", "s3:PutBucketOwnershipControls", configBucket, false}, {"read", "s3:GetBucketOwnershipControls", configBucket, false},
	},
	typetoken.Encryption: {
		{"create", "s3:PutEncryptionConfiguration", configBucket, false}, {"read", "s3:GetEncryptionConfiguration", configBucket, false},
	},
	typetoken.Lifecycle: {
		{"create", "s3:PutLifecycleConfiguration", configBucket, false}, {"read", "s3:GetLifecycleConfiguration", configBucket, false},
	},
	typetoken.MetricAlarm: {
		{"create", "cloudwatch:PutMetricAlarm", alarmARN, true}, {"create", "cloudwatch:TagResource", alarmARN, true},
		{"read", "cloudwatch:DescribeAlarms", alarmARN, false}, {"read", "cloudwatch:ListTagsForResource", alarmARN, false},
		{"update", "cloudwatch:PutMetricAlarm", alarmARN, false},
		{"update", "cloudwatch:TagResource", alarmARN, false}, {"update", "cloudwatch:UntagResource", alarmARN, false},
		{"delete", "cloudwatch:DeleteAlarms", alarmARN, false},
	},
	typetoken.Topic: {
		{"create", "sns:CreateTopic", topicARN, true}, {"create", "sns:TagResource", topicARN, true},
		{"read", "sns:GetTopicAttributes", topicARN, false}, {"read", "sns:ListTagsForResource", topicARN, false},
		{"update", "sns:SetTopicAttributes", topicARN, false},
		{"update", "sns:TagResource", topicARN, false}, {"update", "sns:UntagResource", topicARN, false},
		{"delete", "sns:DeleteTopic", topicARN, false},
	},
	typetoken.Certificate: {
		{"create", "acm:RequestCertificate", anything, true}, {"create", "acm:AddTagsToCertificate", certARN, true},
		{"read", "acm:DescribeCertificate", certARN, false}, {"read", "acm:ListTagsForCertificate", certARN, false},
		{"update", "acm:AddTagsToCertificate", certARN, false}, {"update", "acm:RemoveTagsFromCertificate", certARN, false},
		{"delete", "acm:DeleteCertificate", certARN, false},
	},
	typetoken.CertificateValidation: {{"create", "acm:DescribeCertificate", validatedARN, false}},
	// eks/pod_identity_association.go (a framework resource): Create with the tags, Describe,
	// Update (the role), Delete; tags through TagResource/UntagResource. CreatePodIdentityAssociation
	// and UpdatePodIdentityAssociation need iam:PassRole on the role (EKS user guide,
	// pod-id-association.adoc, prerequisites), passed to pods.eks.amazonaws.com (the service the
	// role trusts; callRequest sets iam:PassedToService).
	typetoken.PodIdentityAssociation: {
		{"create", "eks:CreatePodIdentityAssociation", ownCluster, true}, {"create", "eks:TagResource", assocARN, true},
		{"create", "iam:PassRole", passedRole, false},
		{"read", "eks:DescribePodIdentityAssociation", assocARN, false},
		{"update", "eks:UpdatePodIdentityAssociation", assocARN, false}, {"update", "iam:PassRole", passedRole, false},
		{"update", "eks:TagResource", assocARN, false}, {"update", "eks:UntagResource", assocARN, false},
		{"delete", "eks:DeletePodIdentityAssociation", assocARN, false},
	},
	// eks/addon.go: CreateAddon, DescribeAddon (also while waiting), UpdateAddon, DeleteAddon, tags.
	typetoken.EKSAddon: {
		{"create", "eks:CreateAddon", ownCluster, true}, {"create", "eks:TagResource", addonARN, true},
		{"read", "eks:DescribeAddon", addonARN, false},
		{"update", "eks:UpdateAddon", addonARN, false},
		{"update", "eks:TagResource", addonARN, false}, {"update", "eks:UntagResource", addonARN, false},
		{"delete", "eks:DeleteAddon", addonARN, false},
	},
	typetoken.Record: {
		{"create", "route53:GetHostedZone", zoneARN, false}, {"create", "route53:ChangeResourceRecordSets", zoneARN, false},
		{"create", "route53:GetChange", changeARN, false},
		{"read", "route53:ListResourceRecordSets", zoneARN, false},
		{"delete", "route53:ChangeResourceRecordSets", zoneARN, false},
	},
	typetoken.WebACL: {
		{"create", "wafv2:CreateWebACL", webACLARN, true}, {"create", "wafv2:CreateWebACL", ruleSetARN, false},
		{"create", "wafv2:TagResource", webACLARN, true},
		{"read", "wafv2:GetWebACL", webACLARN, false}, {"read", "wafv2:ListTagsForResource", webACLARN, false},
		{"update", "wafv2:UpdateWebACL", webACLARN, false}, {"update", "wafv2:UpdateWebACL", ruleSetARN, false},
		{"update", "wafv2:TagResource", webACLARN, false}, {"update", "wafv2:UntagResource", webACLARN, false},
		{"delete", "wafv2:DeleteWebACL", webACLARN, false},
	},
}

// lookupCalls are the calls of the provider functions the plans invoke (terraform-provider-aws data
// sources: eks/cluster_data_source.go DescribeCluster; iam/openid_connect_provider_data_source.go
// by URL: ListOpenIDConnectProviders, then GetOpenIDConnectProvider on each until one matches;
// route53/zone_data_source.go by name: ListHostedZones, GetHostedZone, ListTagsForResource;
// elbv2/load_balancer_data_source.go: DescribeLoadBalancers, DescribeLoadBalancerAttributes,
// DescribeTags). getCallerIdentity needs no permission; getHostedZoneId and getServiceAccount are
// tables inside the provider.
var lookupCalls = map[string][]call{
	typetoken.GetCluster: {{"read", "eks:DescribeCluster", clusterARN, false}},
	// eks/addon_data_source.go: DescribeAddon.
	typetoken.GetAddon: {{"read", "eks:DescribeAddon", addonARN, false}},
	typetoken.GetOIDCProvider: {
		{"read", "iam:ListOpenIDConnectProviders", anything, false}, {"read", "iam:GetOpenIDConnectProvider", oidcProviderARN, false},
	},
	typetoken.GetZone: {
		{"read", "route53:ListHostedZones", anything, false}, {"read", "route53:GetHostedZone", lookedUpZone, false},
		{"read", "route53:ListTagsForResource", lookedUpZone, false},
	},
	typetoken.GetLoadBalancer: {
		{"read", "elasticloadbalancing:DescribeLoadBalancers", anything, false},
		{"read", "elasticloadbalancing:DescribeLoadBalancerAttributes", anything, false},
		{"read", "elasticloadbalancing:DescribeTags", anything, false},
	},
	typetoken.GetCallerIdentity:    nil,
	typetoken.GetLBHostedZoneID:    nil,
	typetoken.GetELBServiceAccount: nil,
}
