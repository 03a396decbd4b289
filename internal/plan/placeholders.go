package plan

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Placeholder values stand in for what only AWS can answer. They are realistic in shape, so that
// every input computed from them prints in full, and say "example" so nobody mistakes them for
// real ones. README lists them.
const (
	AccountID = "123456789012"
	VpcID     = "vpc-0example000000001"
	oidcID    = "EXAMPLED539D4633E53DE1B71EXAMPLE"
	caData    = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCkVYQU1QTEUKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo="
)

// SubnetIDs are the placeholder public subnets, one per availability zone.
var SubnetIDs = []string{"subnet-0example00000000a", "subnet-0example00000000b", "subnet-0example00000000c"}

// OIDCIssuer is the placeholder OIDC issuer of a cluster in region.
func OIDCIssuer(region string) string {
	return fmt.Sprintf("https://oidc.eks.%s.amazonaws.com/id/%s", region, oidcID)
}

// invokeResult answers a provider function call with placeholders.
func (m *mocks) invokeResult(token string, args resource.PropertyMap) (resource.PropertyMap, error) {
	r := m.region
	switch token {
	case "aws:eks/getCluster:getCluster":
		name := args["name"].StringValue()
		return resource.NewPropertyMapFromMap(map[string]any{
			"name":                   name,
			"arn":                    fmt.Sprintf("arn:aws:eks:%s:%s:cluster/%s", r, AccountID, name),
			"endpoint":               fmt.Sprintf("https://%s.gr7.%s.eks.amazonaws.com", oidcID, r),
			"certificateAuthorities": []any{map[string]any{"data": caData}},
			"identities":             []any{map[string]any{"oidcs": []any{map[string]any{"issuer": OIDCIssuer(r)}}}},
			"vpcConfig":              map[string]any{"vpcId": VpcID, "subnetIds": toAny(SubnetIDs)},
		}), nil
	case "aws:index/getCallerIdentity:getCallerIdentity":
		return resource.NewPropertyMapFromMap(map[string]any{
			"accountId": AccountID, "arn": fmt.Sprintf("arn:aws:iam::%s:user/example", AccountID), "userId": "AIDAEXAMPLE",
		}), nil
	case "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider":
		url := strings.TrimPrefix(args["url"].StringValue(), "https://")
		return resource.NewPropertyMapFromMap(map[string]any{
			"arn": fmt.Sprintf("arn:aws:iam::%s:oidc-provider/%s", AccountID, url), "url": url,
		}), nil
	case "aws:ec2/getVpc:getVpc":
		return resource.NewPropertyMapFromMap(map[string]any{"id": VpcID}), nil
	case "aws:ec2/getSubnets:getSubnets":
		return resource.NewPropertyMapFromMap(map[string]any{"ids": toAny(SubnetIDs)}), nil
	}
	return nil, fmt.Errorf("plan: no placeholder answer for %s; add one in internal/plan/placeholders.go", token)
}

// resourceOutputs returns the ID and the outputs a real provider would add to the inputs.
func (m *mocks) resourceOutputs(token, name string, in resource.PropertyMap) (string, map[string]any) {
	switch {
	case strings.HasPrefix(token, "kubernetes:"):
		return kubernetesID(in, name), m.kubernetesStatus(token, in)
	case token == "eks:index:Cluster":
		return "", map[string]any{"kubeconfigJson": `{"apiVersion":"v1","kind":"Config","clusters":"example"}`}
	case strings.HasPrefix(token, "aws:iam/"):
		return name + "-example", m.iamOutputs(token, name, in)
	}
	return name + "-example-id", nil
}

// iamOutputs are the ARNs and names IAM would assign.
func (m *mocks) iamOutputs(token, name string, in resource.PropertyMap) map[string]any {
	physical := name + "-example"
	switch token {
	case "aws:iam/role:Role":
		return map[string]any{"name": physical, "arn": fmt.Sprintf("arn:aws:iam::%s:role/%s", AccountID, physical)}
	case "aws:iam/policy:Policy":
		return map[string]any{"name": physical, "arn": fmt.Sprintf("arn:aws:iam::%s:policy/%s", AccountID, physical)}
	case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
		url := strings.TrimPrefix(lookupString(in, "url"), "https://")
		return map[string]any{"arn": fmt.Sprintf("arn:aws:iam::%s:oidc-provider/%s", AccountID, url)}
	}
	return nil
}

func kubernetesID(in resource.PropertyMap, name string) string {
	meta, ok := in["metadata"]
	if !ok || !meta.IsObject() {
		return name
	}
	n, ns := meta.ObjectValue()["name"], meta.ObjectValue()["namespace"]
	if n.IsString() && ns.IsString() {
		return ns.StringValue() + "/" + n.StringValue()
	}
	if n.IsString() {
		return n.StringValue()
	}
	return name
}

// kubernetesStatus gives LoadBalancer Services and ALB Ingresses the hostname AWS would.
func (m *mocks) kubernetesStatus(token string, in resource.PropertyMap) map[string]any {
	name := lookupString(in, "metadata", "name")
	if token == "kubernetes:networking.k8s.io/v1:Ingress" {
		host := fmt.Sprintf("k8s-%s-%s-example.%s.elb.amazonaws.com", lookupString(in, "metadata", "namespace"), name, m.region)
		return loadBalancerStatus(host)
	}
	if token != "kubernetes:core/v1:Service" || lookupString(in, "spec", "type") != "LoadBalancer" {
		return nil
	}
	host := fmt.Sprintf("%s-example.%s.elb.amazonaws.com", name, m.region) // classic ELB shape
	if lookupString(in, "metadata", "annotations", "service.beta.kubernetes.io/aws-load-balancer-type") == "nlb" {
		host = fmt.Sprintf("%s-example.elb.%s.amazonaws.com", name, m.region) // NLB shape
	}
	return loadBalancerStatus(host)
}

func loadBalancerStatus(host string) map[string]any {
	return map[string]any{"status": map[string]any{"loadBalancer": map[string]any{
		"ingress": []any{map[string]any{"hostname": host}},
	}}}
}

func lookupString(in resource.PropertyMap, path ...string) string {
	v := resource.NewObjectProperty(in)
	for _, p := range path {
		if v.IsSecret() {
			v = v.SecretValue().Element
		}
		if !v.IsObject() {
			return ""
		}
		v = v.ObjectValue()[resource.PropertyKey(p)]
	}
	if v.IsString() {
		return v.StringValue()
	}
	return ""
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
