package cluster

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// The AWS Load Balancer Controller's subnet discovery (docs/deploy/subnet_discovery.md): public
// subnets tagged kubernetes.io/role/elb with "1" or "", at least eight free addresses, one per
// zone, at least two zones for an ALB; a subnet tagged kubernetes.io/cluster/<other> and not for
// this cluster is skipped. EKS Auto Mode needs the same tags (awsdocs/amazon-eks-user-guide
// latest/ug/automode/auto-configure-alb.adoc, "EKS Auto Mode requires subnet tags").
const (
	clusterTagPrefix = "kubernetes.io/cluster/"
	minFreeAddresses = 8
	minALBZones      = 2
)

// checkPublicSubnets refuses, before anything is registered, a VPC where an internet-facing ALB
// would find fewer than two usable public subnets in distinct zones: the Ingress would otherwise
// wait its whole timeout without an address ("couldn't auto-discover subnets").
func (c *Cluster) checkPublicSubnets(ctx *pulumi.Context, cluster, vpcID string) error {
	found, err := ec2.GetSubnets(ctx, &ec2.GetSubnetsArgs{Filters: []ec2.GetSubnetsFilter{
		{Name: "vpc-id", Values: []string{vpcID}},
		{Name: "tag-key", Values: []string{elbRoleTag}},
	}}, pulumi.Parent(c))
	if err != nil {
		return fmt.Errorf("listing the public subnets of VPC %s (ec2:DescribeSubnets): %w", vpcID, err)
	}
	zones, skipped := map[string][]string{}, []string{}
	for _, id := range slices.Sorted(slices.Values(found.Ids)) {
		s, err := ec2.LookupSubnet(ctx, &ec2.LookupSubnetArgs{Id: pulumi.StringRef(id)}, pulumi.Parent(c))
		if err != nil {
			return fmt.Errorf("reading subnet %s (ec2:DescribeSubnets): %w", id, err)
		}
		if why := unusable(s, cluster); why != "" {
			skipped = append(skipped, id+" "+why)
			continue
		}
		zones[s.AvailabilityZone] = append(zones[s.AvailabilityZone], id)
	}
	if len(zones) >= minALBZones {
		return nil
	}
	var have []string
	for _, z := range slices.Sorted(maps.Keys(zones)) {
		have = append(have, z+": "+strings.Join(zones[z], ", "))
	}
	msg := fmt.Sprintf("EKS cluster %q's VPC %s has usable public subnets for load balancers in %d availability zone(s) [%s]; "+
		"an internet-facing ALB needs them in %d, and the Ingress would wait without an address. Tag one public subnet in each "+
		"of two zones: `aws ec2 create-tags --resources SUBNET_ID --tags Key=%s,Value=1`",
		cluster, vpcID, len(zones), strings.Join(have, "; "), minALBZones, elbRoleTag)
	if len(skipped) > 0 {
		msg += "; skipped: " + strings.Join(skipped, "; ")
	}
	return fmt.Errorf("%s", msg)
}

// unusable says why the controller would pass a tagged subnet over, or "".
func unusable(s *ec2.LookupSubnetResult, cluster string) string {
	if v := s.Tags[elbRoleTag]; v != "1" && v != "" {
		return fmt.Sprintf("(%s=%q: the controller takes only 1 or empty)", elbRoleTag, v)
	}
	if s.AvailableIpAddressCount < minFreeAddresses {
		return fmt.Sprintf("(%d free addresses, fewer than %d)", s.AvailableIpAddressCount, minFreeAddresses)
	}
	if _, mine := s.Tags[clusterTagPrefix+cluster]; !mine {
		for k := range s.Tags {
			if strings.HasPrefix(k, clusterTagPrefix) {
				return fmt.Sprintf("(tagged for another cluster: %s)", strings.TrimPrefix(k, clusterTagPrefix))
			}
		}
	}
	return ""
}
