package plan

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/mlops-retail/retail-api-edge/internal/lbkind"
	"github.com/mlops-retail/retail-api-edge/internal/typetoken"
)

// Placeholder values stand in for what only AWS can answer. They are realistic in shape, so that
// every input computed from them prints in full, and say "example" so nobody mistakes them for
// real ones. README ("First two commands") lists them.
const (
	AccountID = "123456789012"
	VpcID     = "vpc-0example000000001"
	oidcID    = "EXAMPLED539D4633E53DE1B71EXAMPLE"
	caData    = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCkVYQU1QTEUKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo="
)

// Placeholder IDs of hosted zones and of the ELB log delivery account (AWS's documentation account).
const (
	HostedZoneID  = "Z0EXAMPLEZONE00000001"
	ALBZoneID     = "Z0EXAMPLEALBZONE00001"
	ELBAccountArn = "arn:aws:iam::111122223333:root"
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
	case typetoken.GetCluster:
		name := args["name"].StringValue()
		return resource.NewPropertyMapFromMap(map[string]any{
			"name":                   name,
			"arn":                    fmt.Sprintf("arn:aws:eks:%s:%s:cluster/%s", r, AccountID, name),
			"endpoint":               fmt.Sprintf("https://%s.gr7.%s.eks.amazonaws.com", oidcID, r),
			"certificateAuthorities": []any{map[string]any{"data": caData}},
			"identities":             []any{map[string]any{"oidcs": []any{map[string]any{"issuer": OIDCIssuer(r)}}}},
			"vpcConfig":              map[string]any{"vpcId": VpcID, "subnetIds": toAny(SubnetIDs)},
		}), nil
	case typetoken.GetAddon:
		// Offline every add-on asked about is there (as the OIDC provider lookup finds the
		// provider): the plan shows the program for a cluster that can serve it.
		cluster, addon := args["clusterName"].StringValue(), args["addonName"].StringValue()
		return resource.NewPropertyMapFromMap(map[string]any{
			"clusterName": cluster, "addonName": addon, "addonVersion": "v1.3.0-eksbuild.example",
			"arn": fmt.Sprintf("arn:aws:eks:%s:%s:addon/%s/%s/example", r, AccountID, cluster, addon),
		}), nil
	case typetoken.GetCallerIdentity:
		return resource.NewPropertyMapFromMap(map[string]any{
			"accountId": AccountID, "arn": fmt.Sprintf("arn:aws:iam::%s:user/example", AccountID), "userId": "AIDAEXAMPLE",
		}), nil
	case typetoken.GetOIDCProvider:
		url := strings.TrimPrefix(args["url"].StringValue(), "https://")
		return resource.NewPropertyMapFromMap(map[string]any{
			"arn": fmt.Sprintf("arn:aws:iam::%s:oidc-provider/%s", AccountID, url), "url": url,
		}), nil
	case typetoken.GetZone:
		return resource.NewPropertyMapFromMap(map[string]any{"zoneId": HostedZoneID, "name": args["name"].StringValue()}), nil
	case typetoken.GetLBHostedZoneID:
		return resource.NewPropertyMapFromMap(map[string]any{"id": ALBZoneID}), nil
	case typetoken.GetELBServiceAccount:
		return resource.NewPropertyMapFromMap(map[string]any{"arn": ELBAccountArn, "id": "111122223333"}), nil
	case typetoken.GetVpc:
		return resource.NewPropertyMapFromMap(map[string]any{"id": VpcID}), nil
	case typetoken.GetSubnets:
		return resource.NewPropertyMapFromMap(map[string]any{"ids": toAny(SubnetIDs)}), nil
	case typetoken.GetSubnet:
		// One public subnet per zone, tagged for load balancers (the controller's subnet discovery).
		id := args["id"].StringValue()
		zone := r + "a"
		if i := slices.Index(SubnetIDs, id); i >= 0 {
			zone = r + string(rune('a'+i))
		}
		return resource.NewPropertyMapFromMap(map[string]any{
			"id": id, "vpcId": VpcID, "availabilityZone": zone, "availableIpAddressCount": 251,
			"tags": map[string]any{"kubernetes.io/role/elb": "1"},
		}), nil
	case typetoken.GetLoadBalancer:
		// Offline the type is unknown: controller-named (k8s-...) ones are taken for ALBs.
		name, kind := args["name"].StringValue(), "net"
		if strings.HasPrefix(name, "k8s-") {
			kind = "app"
		}
		suffix := fmt.Sprintf("%s/%s/0123456789abcdef", kind, name)
		return resource.NewPropertyMapFromMap(map[string]any{
			"name": name, "arnSuffix": suffix, "arn": fmt.Sprintf("arn:aws:elasticloadbalancing:%s:%s:loadbalancer/%s", r, AccountID, suffix),
		}), nil
	case typetoken.GetClassicELB:
		name := args["name"].StringValue()
		return resource.NewPropertyMapFromMap(map[string]any{
			"name": name, "arn": fmt.Sprintf("arn:aws:elasticloadbalancing:%s:%s:loadbalancer/%s", r, AccountID, name),
		}), nil
	}
	return nil, fmt.Errorf("plan: no placeholder answer for %s; add one in internal/plan/placeholders.go", token)
}

// resourceOutputs returns the ID and the outputs a real provider would add to the inputs.
func (m *mocks) resourceOutputs(urn, token, name string, in resource.PropertyMap) (string, map[string]any) {
	switch {
	case strings.HasPrefix(token, "kubernetes:"):
		return kubernetesID(in, name), m.kubernetesStatus(token, in)
	case token == typetoken.EKSCluster:
		return "", m.eksClusterOutputs(urn)
	case strings.HasPrefix(token, "aws:iam/"):
		return physicalIAMName(name, in), m.iamOutputs(token, name, in)
	}
	return name + "-example-id", m.awsOutputs(token, name, in)
}

// eksClusterOutputs are the pulumi-eks cluster's: an exec kubeconfig, and in `core` the IAM OIDC
// provider it made. pulumi-eks creates that provider inside its plugin, so offline there is no such
// resource to refer to; the reference names the cluster component itself as an OIDC provider, and
// the component's placeholder state carries the provider's fields (arn, url), which is what the
// SDK reads when it rehydrates the reference.
func (m *mocks) eksClusterOutputs(urn string) map[string]any {
	url := strings.TrimPrefix(OIDCIssuer(m.region), "https://")
	return map[string]any{
		"kubeconfigJson": `{"apiVersion":"v1","kind":"Config","clusters":"example"}`,
		"core": map[string]any{"oidcProvider": resource.NewProperty(resource.ResourceReference{
			URN: resource.URN(urn), Type: typetoken.OIDCProvider, ID: resource.NewProperty("oidc-example"),
		})},
		"arn": fmt.Sprintf("arn:aws:iam::%s:oidc-provider/%s", AccountID, url),
		"url": url,
	}
}

// awsOutputs are what ACM, Route53, WAF and S3 would assign.
func (m *mocks) awsOutputs(token, name string, in resource.PropertyMap) map[string]any {
	switch token {
	case typetoken.Certificate:
		var dvos []any
		names := append([]string{lookupString(in, "domainName")}, stringList(in, "subjectAlternativeNames")...)
		for _, n := range names {
			base := strings.TrimPrefix(n, "*.")
			dvos = append(dvos, map[string]any{
				"domainName": n, "resourceRecordName": "_example." + base + ".", "resourceRecordType": "CNAME",
				"resourceRecordValue": "_example.acm-validations.aws.",
			})
		}
		return map[string]any{
			"arn": fmt.Sprintf("arn:aws:acm:%s:%s:certificate/example-%s", m.region, AccountID, name), "domainValidationOptions": dvos,
		}
	case typetoken.CertificateValidation:
		return map[string]any{"certificateArn": lookupString(in, "certificateArn")}
	case typetoken.Record:
		return map[string]any{"fqdn": strings.TrimSuffix(lookupString(in, "name"), ".")}
	case typetoken.WebACL:
		return map[string]any{"arn": fmt.Sprintf("arn:aws:wafv2:%s:%s:regional/webacl/%s/example-id", m.region, AccountID, lookupString(in, "name"))}
	case typetoken.Bucket:
		bucket := lookupString(in, "bucketPrefix") + "example"
		return map[string]any{"bucket": bucket, "arn": "arn:aws:s3:::" + bucket}
	case typetoken.MetricAlarm:
		return map[string]any{"arn": fmt.Sprintf("arn:aws:cloudwatch:%s:%s:alarm:%s-example", m.region, AccountID, name)}
	case typetoken.PodIdentityAssociation:
		return map[string]any{
			"associationId":  "a-example0000000001",
			"associationArn": fmt.Sprintf("arn:aws:eks:%s:%s:podidentityassociation/%s/a-example0000000001", m.region, AccountID, lookupString(in, "clusterName")),
		}
	case typetoken.Topic:
		return map[string]any{"arn": fmt.Sprintf("arn:aws:sns:%s:%s:%s-example", m.region, AccountID, name)}
	}
	return nil
}

func stringList(in resource.PropertyMap, key string) []string {
	v := in[resource.PropertyKey(key)]
	if !v.IsArray() {
		return nil
	}
	var out []string
	for _, e := range v.ArrayValue() {
		if e.IsSecret() {
			e = e.SecretValue().Element
		}
		if e.IsString() {
			out = append(out, e.StringValue())
		}
	}
	return out
}

// physicalIAMName is the name IAM would hold: the given one, the given prefix and a placeholder
// suffix, or (autonamed) the logical name and one.
func physicalIAMName(name string, in resource.PropertyMap) string {
	if n := lookupString(in, "name"); n != "" {
		return n
	}
	if p := lookupString(in, "namePrefix"); p != "" {
		return p + "example"
	}
	return name + "-example"
}

// iamOutputs are the ARNs and names IAM would assign.
func (m *mocks) iamOutputs(token, name string, in resource.PropertyMap) map[string]any {
	physical := physicalIAMName(name, in)
	switch token {
	case typetoken.Role:
		return map[string]any{"name": physical, "arn": fmt.Sprintf("arn:aws:iam::%s:role/%s", AccountID, physical)}
	case typetoken.Policy:
		return map[string]any{"name": physical, "arn": fmt.Sprintf("arn:aws:iam::%s:policy/%s", AccountID, physical)}
	case typetoken.OIDCProvider:
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

// kubernetesStatus gives LoadBalancer Services, ALB Ingresses and Gateways the hostname AWS would
// (a Gateway's as the controller reports it: one status address of type Hostname).
func (m *mocks) kubernetesStatus(token string, in resource.PropertyMap) map[string]any {
	name := lookupString(in, "metadata", "name")
	if token == typetoken.Gateway {
		host := fmt.Sprintf("k8s-%s-%s-example.%s.elb.amazonaws.com", lookupString(in, "metadata", "namespace"), name, m.region)
		return map[string]any{"status": map[string]any{"addresses": []any{map[string]any{"type": "Hostname", "value": host}}}}
	}
	if token == typetoken.Ingress {
		host := fmt.Sprintf("k8s-%s-%s-example.%s.elb.amazonaws.com", lookupString(in, "metadata", "namespace"), name, m.region)
		return loadBalancerStatus(host)
	}
	if token != typetoken.Service || lookupString(in, "spec", "type") != "LoadBalancer" {
		return nil
	}
	host := fmt.Sprintf("%s-example.%s.elb.amazonaws.com", name, m.region) // classic ELB shape
	if lookupString(in, "metadata", "annotations", "service.beta.kubernetes.io/aws-load-balancer-type") == string(lbkind.NLB) {
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
	if v.IsSecret() { // a provider reads secrets like any other input
		v = v.SecretValue().Element
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
