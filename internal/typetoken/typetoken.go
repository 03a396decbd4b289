// Package typetoken holds the type tokens of the provider resources and functions the program
// uses, for the code that recognises them by type: the secrets transform (stacks), the offline
// placeholders (internal/plan), the AWS stand-in (test/integration) and the tests. The providers'
// Go SDKs write these tokens as literals in each generated constructor and export no constants.
package typetoken

// pulumi-aws resources.
const (
	AWSProvider            = "pulumi:providers:aws"
	Role                   = "aws:iam/role:Role"
	Policy                 = "aws:iam/policy:Policy"
	RolePolicyAttachment   = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
	OIDCProvider           = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
	Certificate            = "aws:acm/certificate:Certificate"
	CertificateValidation  = "aws:acm/certificateValidation:CertificateValidation"
	Record                 = "aws:route53/record:Record"
	WebACL                 = "aws:wafv2/webAcl:WebAcl"
	Bucket                 = "aws:s3/bucketV2:BucketV2"
	PublicAccessBlock      = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
	OwnershipControls      = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
	Encryption             = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
	Lifecycle              = "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"
	BucketPolicy           = "aws:s3/bucketPolicy:BucketPolicy"
	Tag                    = "aws:ec2/tag:Tag"
	EKSAddon               = "aws:eks/addon:Addon"
	PodIdentityAssociation = "aws:eks/podIdentityAssociation:PodIdentityAssociation"
	MetricAlarm            = "aws:cloudwatch/metricAlarm:MetricAlarm"
	Topic                  = "aws:sns/topic:Topic"
)

// pulumi-aws functions (invokes).
const (
	GetCluster           = "aws:eks/getCluster:getCluster"
	GetAddon             = "aws:eks/getAddon:getAddon"
	GetCallerIdentity    = "aws:index/getCallerIdentity:getCallerIdentity"
	GetOIDCProvider      = "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider"
	GetZone              = "aws:route53/getZone:getZone"
	GetLBHostedZoneID    = "aws:lb/getHostedZoneId:getHostedZoneId"
	GetELBServiceAccount = "aws:elb/getServiceAccount:getServiceAccount"
	GetVpc               = "aws:ec2/getVpc:getVpc"
	GetSubnets           = "aws:ec2/getSubnets:getSubnets"
	GetSubnet            = "aws:ec2/getSubnet:getSubnet"
	GetLoadBalancer      = "aws:lb/getLoadBalancer:getLoadBalancer"
	GetClassicELB        = "aws:elb/getLoadBalancer:getLoadBalancer"
)

// pulumi-eks components.
const (
	EKSCluster       = "eks:index:Cluster"
	ManagedNodeGroup = "eks:index:ManagedNodeGroup"
)

// pulumi-kubernetes resources.
const (
	KubernetesProvider = "pulumi:providers:kubernetes"
	Service            = "kubernetes:core/v1:Service"
	Ingress            = "kubernetes:networking.k8s.io/v1:Ingress"
	Gateway            = "kubernetes:gateway.networking.k8s.io/v1:Gateway"
	HelmRelease        = "kubernetes:helm.sh/v3:Release"
)
