package awsres

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

// Invoke tokens of the lookups this program makes.
const (
	GetClusterToken        = "aws:eks/getCluster:getCluster"
	GetCallerIdentityToken = "aws:index/getCallerIdentity:getCallerIdentity"
)

// EKSCluster is the part of `aws:eks/getCluster` this program reads.
type EKSCluster struct {
	Name                   string `pulumi:"name"`
	Arn                    string `pulumi:"arn"`
	Endpoint               string `pulumi:"endpoint"`
	CertificateAuthorities []struct {
		Data string `pulumi:"data"`
	} `pulumi:"certificateAuthorities"`
	Identities []struct {
		Oidcs []struct {
			Issuer string `pulumi:"issuer"`
		} `pulumi:"oidcs"`
	} `pulumi:"identities"`
	VpcConfig struct {
		VpcID     string   `pulumi:"vpcId"`
		SubnetIDs []string `pulumi:"subnetIds"`
	} `pulumi:"vpcConfig"`
}

// CertificateAuthority returns the base64 CA bundle, or "" if EKS returned none.
func (c *EKSCluster) CertificateAuthority() string {
	if len(c.CertificateAuthorities) == 0 {
		return ""
	}
	return c.CertificateAuthorities[0].Data
}

// OIDCIssuer returns the cluster's OIDC issuer URL, or "" if it has none.
func (c *EKSCluster) OIDCIssuer() string {
	for _, id := range c.Identities {
		for _, o := range id.Oidcs {
			if o.Issuer != "" {
				return o.Issuer
			}
		}
	}
	return ""
}

// LookupEKSCluster reads an existing EKS cluster by name.
func LookupEKSCluster(ctx *pulumi.Context, name string, opts ...pulumi.InvokeOption) (*EKSCluster, error) {
	var out EKSCluster
	err := ctx.Invoke(GetClusterToken, map[string]any{"name": name}, &out, withInvokeVersion(opts)...)
	return &out, err
}

// CallerIdentity is the account the program runs as.
type CallerIdentity struct {
	AccountID string `pulumi:"accountId"`
	Arn       string `pulumi:"arn"`
}

// LookupCallerIdentity asks STS who we are (account ID for ARNs).
func LookupCallerIdentity(ctx *pulumi.Context, opts ...pulumi.InvokeOption) (*CallerIdentity, error) {
	var out CallerIdentity
	err := ctx.Invoke(GetCallerIdentityToken, map[string]any{}, &out, withInvokeVersion(opts)...)
	return &out, err
}
