package plan

// Type tokens of the pulumi-aws resources and functions the program uses: what the engine receives
// from the typed SDK constructors, and what placeholders and tests look resources up by.
const (
	AWSProviderToken           = "pulumi:providers:aws"
	RoleToken                  = "aws:iam/role:Role"
	PolicyToken                = "aws:iam/policy:Policy"
	RolePolicyAttachmentToken  = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
	OIDCProviderToken          = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
	CertificateToken           = "aws:acm/certificate:Certificate"
	CertificateValidationToken = "aws:acm/certificateValidation:CertificateValidation"
	RecordToken                = "aws:route53/record:Record"
	WebACLToken                = "aws:wafv2/webAcl:WebAcl"
	BucketToken                = "aws:s3/bucketV2:BucketV2"
	PublicAccessBlockToken     = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
	OwnershipControlsToken     = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
	EncryptionToken            = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
	LifecycleToken             = "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"
	BucketPolicyToken          = "aws:s3/bucketPolicy:BucketPolicy"
	TagToken                   = "aws:ec2/tag:Tag"
	EKSClusterToken            = "eks:index:Cluster"
	HelmReleaseToken           = "kubernetes:helm.sh/v3:Release"
	MetricAlarmToken           = "aws:cloudwatch/metricAlarm:MetricAlarm"
	TopicToken                 = "aws:sns/topic:Topic"

	GetClusterToken           = "aws:eks/getCluster:getCluster"
	GetCallerIdentityToken    = "aws:index/getCallerIdentity:getCallerIdentity"
	GetOIDCProviderToken      = "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider"
	GetZoneToken              = "aws:route53/getZone:getZone"
	GetLBHostedZoneIDToken    = "aws:lb/getHostedZoneId:getHostedZoneId"
	GetELBServiceAccountToken = "aws:elb/getServiceAccount:getServiceAccount"
	GetVpcToken               = "aws:ec2/getVpc:getVpc"
	GetSubnetsToken           = "aws:ec2/getSubnets:getSubnets"
	GetLoadBalancerToken      = "aws:lb/getLoadBalancer:getLoadBalancer"
	GetClassicELBToken        = "aws:elb/getLoadBalancer:getLoadBalancer"
)
