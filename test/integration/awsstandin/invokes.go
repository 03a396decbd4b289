package awsstandin

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"github.com/mlops-retail/retail-api-edge/internal/typetoken"
)

// albZones are the canonical hosted zones of ALBs per region (AWS publishes them).
var albZones = map[string]string{"us-east-1": "Z35SXDOTRQ7X7K", "us-west-2": "Z1H1FL5HABSF5", "eu-west-1": "Z32O12XQLNTSW2"}

// elbAccounts are the ELB log delivery accounts of regions opened before August 2022; newer
// regions have none (the provider's lookup fails there).
var elbAccounts = map[string]string{"us-east-1": "127311923021", "us-west-2": "797873946194", "eu-west-1": "156460612806"}

// Invoke answers the lookups the program makes, from the world and the ledger.
func (p *Provider) Invoke(_ context.Context, req *pulumirpc.InvokeRequest) (*pulumirpc.InvokeResponse, error) {
	args, err := unmarshal(req.GetArgs())
	if err != nil {
		return nil, err
	}
	world, err := p.store.world()
	if err != nil {
		return nil, err
	}
	ledger, err := ReadLedger(p.store.dir)
	if err != nil {
		return nil, err
	}
	out, err := p.lookup(req.GetTok(), args.Mappable(), world, ledger)
	if err != nil {
		return nil, err
	}
	ret, err := marshal(resource.NewPropertyMapFromMap(out))
	return &pulumirpc.InvokeResponse{Return: ret}, err
}

func (p *Provider) lookup(token string, args map[string]any, w World, l Ledger) (map[string]any, error) {
	p.mu.Lock()
	region := p.region
	p.mu.Unlock()
	if r := str(args, "region"); r != "" {
		region = r
	}
	switch token {
	case typetoken.GetCluster:
		name := str(args, "name")
		c, ok := w.Clusters[name]
		if !ok {
			return nil, fmt.Errorf("ResourceNotFoundException: No cluster found for name: %s", name)
		}
		return map[string]any{
			"name": name, "id": name, "arn": fmt.Sprintf("arn:aws:eks:%s:%s:cluster/%s", region, w.Account, name),
			"endpoint": c.Endpoint, "certificateAuthorities": []any{map[string]any{"data": c.CAData}},
			"identities": []any{map[string]any{"oidcs": []any{map[string]any{"issuer": c.Issuer}}}},
			"vpcConfig":  map[string]any{"vpcId": c.VpcID, "subnetIds": toAny(c.SubnetIDs)},
			"status":     "ACTIVE", "version": "1.33",
			"computeConfigs":           []any{c.computeConfig()},
			"kubernetesNetworkConfigs": []any{c.networkConfig()},
		}, nil
	case typetoken.GetAddon:
		return getAddon(w, l, region, args)
	case typetoken.GetCallerIdentity:
		return map[string]any{"accountId": w.Account, "arn": "arn:aws:iam::" + w.Account + ":user/integration", "userId": "AIDAINTEGRATION", "id": w.Account}, nil
	case typetoken.GetOIDCProvider:
		url := str(args, "url")
		if !w.hasOIDC(url) && l.oidc(url) == nil {
			// terraform-provider-aws's data source, when no provider has the URL.
			return nil, fmt.Errorf("reading IAM OIDC Provider (%s): couldn't find resource", url)
		}
		arn := fmt.Sprintf("arn:aws:iam::%s:oidc-provider/%s", w.Account, strings.TrimPrefix(url, "https://"))
		return map[string]any{"arn": arn, "id": arn, "url": strings.TrimPrefix(url, "https://"), "clientIdLists": []any{"sts.amazonaws.com"}}, nil
	case typetoken.GetZone:
		name := strings.TrimSuffix(str(args, "name"), ".")
		id, ok := w.Zones[name]
		if !ok || args["privateZone"] == true {
			return nil, fmt.Errorf("no matching Route 53 Hosted Zone found for %q", name)
		}
		return map[string]any{"zoneId": id, "id": id, "name": name}, nil
	case typetoken.GetLBHostedZoneID:
		id, ok := albZones[region]
		if !ok {
			return nil, fmt.Errorf("unsupported AWS region: %s", region)
		}
		return map[string]any{"id": id}, nil
	case typetoken.GetLoadBalancer:
		// The only load balancers in this world are the Kubernetes stand-in's, which it names
		// k8s-<alb|nlb>-<object>-<n>; their hostnames give these names.
		name := str(args, "name")
		suffix, ok := LoadBalancerSuffix(name)
		if !ok {
			return nil, fmt.Errorf("LoadBalancerNotFound: Load balancers '[%s]' not found", name)
		}
		arn := fmt.Sprintf("arn:aws:elasticloadbalancing:%s:%s:loadbalancer/%s", region, w.Account, suffix)
		return map[string]any{"name": name, "arn": arn, "id": arn, "arnSuffix": suffix}, nil
	case typetoken.GetSubnets:
		return map[string]any{"ids": toAny(w.subnetsMatching(list(args, "filters"))), "id": region}, nil
	case typetoken.GetSubnet:
		id := str(args, "id")
		s, ok := w.Subnets[id]
		if !ok {
			return nil, fmt.Errorf("InvalidSubnetID.NotFound: The subnet ID '%s' does not exist", id)
		}
		tags := map[string]any{}
		for k, v := range s.Tags {
			tags[k] = v
		}
		return map[string]any{"id": id, "vpcId": s.VpcID, "availabilityZone": s.Zone, "availableIpAddressCount": s.Free, "tags": tags}, nil
	case typetoken.GetELBServiceAccount:
		account, ok := elbAccounts[region]
		if !ok {
			return nil, fmt.Errorf("unknown region (%q)", region)
		}
		return map[string]any{"id": account, "arn": "arn:aws:iam::" + account + ":root"}, nil
	}
	return nil, fmt.Errorf("the AWS stand-in does not implement %s", token)
}

// computeConfig is DescribeCluster's computeConfig as pulumi-aws v6's getCluster lists it
// (sdk/go/aws/eks/getCluster.go, LookupClusterResult.ComputeConfigs): Auto Mode runs the two
// built-in node pools.
func (c Cluster) computeConfig() map[string]any {
	if !c.AutoMode {
		return map[string]any{"enabled": false, "nodePools": []any{}, "nodeRoleArn": ""}
	}
	return map[string]any{"enabled": true, "nodePools": []any{"general-purpose", "system"}, "nodeRoleArn": "arn:aws:iam::123456789012:role/AmazonEKSAutoNodeRole"}
}

// networkConfig is kubernetesNetworkConfig with its elasticLoadBalancing block, on together with
// Auto Mode's compute (EKS API reference, ElasticLoadBalancing).
func (c Cluster) networkConfig() map[string]any {
	return map[string]any{
		"ipFamily": "ipv4", "serviceIpv4Cidr": "10.100.0.0/16", "serviceIpv6Cidr": "",
		"elasticLoadBalancings": []any{map[string]any{"enabled": c.AutoMode}},
	}
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// LoadBalancerSuffix is the ARN suffix (CloudWatch's LoadBalancer dimension) of a load balancer the
// Kubernetes stand-in made, by the name in its hostname; ok is false for any other name.
func LoadBalancerSuffix(name string) (suffix string, ok bool) {
	kind, ok := map[string]string{"k8s-alb-": "app", "k8s-nlb-": "net"}[name[:min(len(name), 8)]]
	if !ok {
		return "", false
	}
	return fmt.Sprintf("%s/%s/%016x", kind, name, len(name)), true
}

// subnetsMatching are the subnets DescribeSubnets returns for the filters the program uses
// (vpc-id, tag-key), in ID order.
func (w World) subnetsMatching(filters []any) []string {
	var ids []string
	for _, id := range slices.Sorted(maps.Keys(w.Subnets)) {
		s, ok := w.Subnets[id], true
		for _, f := range filters {
			fm, _ := f.(map[string]any)
			values := list(fm, "values")
			switch str(fm, "name") {
			case "vpc-id":
				ok = ok && slices.Contains(values, any(s.VpcID))
			case "tag-key":
				ok = ok && slices.ContainsFunc(values, func(v any) bool { _, has := s.Tags[v.(string)]; return has })
			}
		}
		if ok {
			ids = append(ids, id)
		}
	}
	return ids
}
