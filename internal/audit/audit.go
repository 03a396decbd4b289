// Package audit finds what the load balancer controllers left behind for a cluster and an app:
// load balancers, target groups, listeners, rules and security groups, found by the tags the
// controllers put on them, through the Resource Groups Tagging API (one small client for all).
package audit

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	rgt "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	"github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi/types"
)

// Tags the controllers set.
const (
	// LBCClusterTag marks everything the AWS Load Balancer Controller creates for a cluster.
	LBCClusterTag = "elbv2.k8s.aws/cluster"
	// LBCIngressStack and LBCServiceStack name the Ingress or Service ("ns/name") it was made for.
	LBCIngressStack = "ingress.k8s.aws/stack"
	LBCServiceStack = "service.k8s.aws/stack"
	// LBCGatewayStack names the Gateway ("ns/name") of an ALB the controller made for the Gateway
	// API (pkg/deploy/tracking/provider.go at v3.5.0: the gateway.k8s.aws.alb tag prefix).
	LBCGatewayStack = "gateway.k8s.aws.alb/stack"
	// InTreeServiceTag names the Service ("ns/name") of an in-tree cloud provider load balancer.
	InTreeServiceTag = "kubernetes.io/service-name"
)

// resourceTypes are the types a leak can be; cluster nodes carry cluster tags too and must not count.
var resourceTypes = []string{
	"elasticloadbalancing:loadbalancer", "elasticloadbalancing:targetgroup",
	"elasticloadbalancing:listener", "elasticloadbalancing:listener-rule", "ec2:security-group",
}

// Lister is the one Tagging API call the audit makes; *rgt.Client implements it.
type Lister interface {
	GetResources(ctx context.Context, in *rgt.GetResourcesInput, opts ...func(*rgt.Options)) (*rgt.GetResourcesOutput, error)
}

// Target says whose leftovers to look for.
type Target struct {
	Cluster   string
	Namespace string
	Service   string
	Ingress   string
	// Gateway is Option C's Gateway ("" for none).
	Gateway string
	// All reports everything the controller made for the cluster, not just this app's.
	All bool
}

// Leftover is one resource still there, with the command that deletes it.
type Leftover struct {
	ARN    string
	Kind   string
	Owner  string
	Delete string
}

// Find lists the target's leftovers, in the order they can be deleted.
func Find(ctx context.Context, client Lister, t Target) ([]Leftover, error) {
	lbc, err := list(ctx, client, LBCClusterTag, t.Cluster)
	if err != nil {
		return nil, err
	}
	svc := t.Namespace + "/" + t.Service
	inTree, err := list(ctx, client, InTreeServiceTag, svc)
	if err != nil {
		return nil, err
	}
	var out []Leftover
	for _, m := range append(lbc, inTree...) {
		owner := tag(m, LBCIngressStack) + tag(m, LBCServiceStack) + tag(m, LBCGatewayStack) + tag(m, InTreeServiceTag)
		gateway := tag(m, LBCGatewayStack) != "" && t.Gateway != "" && owner == t.Namespace+"/"+t.Gateway
		if !t.All && owner != t.Namespace+"/"+t.Ingress && owner != svc && !gateway {
			continue
		}
		arn := aws.ToString(m.ResourceARN)
		if slices.ContainsFunc(out, func(l Leftover) bool { return l.ARN == arn }) {
			continue
		}
		kind, del := deletion(arn)
		out = append(out, Leftover{ARN: arn, Kind: kind, Owner: owner, Delete: del})
	}
	slices.SortStableFunc(out, func(a, b Leftover) int { return order(a.Kind) - order(b.Kind) })
	return out, nil
}

func list(ctx context.Context, client Lister, key, value string) ([]types.ResourceTagMapping, error) {
	p := rgt.NewGetResourcesPaginator(client, &rgt.GetResourcesInput{
		TagFilters:          []types.TagFilter{{Key: aws.String(key), Values: []string{value}}},
		ResourceTypeFilters: resourceTypes,
	})
	var out []types.ResourceTagMapping
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing resources tagged %s=%s: %w", key, value, err)
		}
		out = append(out, page.ResourceTagMappingList...)
	}
	return out, nil
}

func tag(m types.ResourceTagMapping, key string) string {
	for _, t := range m.Tags {
		if aws.ToString(t.Key) == key {
			return aws.ToString(t.Value)
		}
	}
	return ""
}

// kinds in deletion order: what refers to something goes before it.
var kinds = []string{"listener-rule", "listener", "load balancer", "classic load balancer", "target group", "security group", "other"}

func order(kind string) int { return slices.Index(kinds, kind) }

// deletion names a resource's kind and the AWS CLI command that deletes it.
func deletion(arn string) (kind, command string) {
	resource := arnResource(arn)
	switch {
	case strings.HasPrefix(resource, "listener-rule/"):
		return "listener-rule", "aws elbv2 delete-rule --rule-arn " + arn
	case strings.HasPrefix(resource, "listener/"):
		return "listener", "aws elbv2 delete-listener --listener-arn " + arn
	case strings.HasPrefix(resource, "loadbalancer/app/"), strings.HasPrefix(resource, "loadbalancer/net/"):
		return "load balancer", "aws elbv2 delete-load-balancer --load-balancer-arn " + arn
	case strings.HasPrefix(resource, "loadbalancer/"):
		return "classic load balancer", "aws elb delete-load-balancer --load-balancer-name " + strings.TrimPrefix(resource, "loadbalancer/")
	case strings.HasPrefix(resource, "targetgroup/"):
		return "target group", "aws elbv2 delete-target-group --target-group-arn " + arn
	case strings.HasPrefix(resource, "security-group/"):
		return "security group", "aws ec2 delete-security-group --group-id " + strings.TrimPrefix(resource, "security-group/")
	}
	return "other", "(delete by hand) " + arn
}

// arnResource returns the resource part of an ARN (arn:partition:service:region:account:resource).
func arnResource(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[5]
}
