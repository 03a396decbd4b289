package cloudprovider

import (
	"context"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/smithy-go"
	awsv1 "k8s.io/cloud-provider-aws/pkg/providers/v1"
	"k8s.io/cloud-provider-aws/pkg/providers/v1/iface"
)

// The stand-in for AWS. The cloud provider's own fakes (NewFakeAWSServices) cover metadata, KMS,
// subnets and route tables; their ELBv2 panics on the NLB calls and their EC2 has no security
// groups or extra instances, so those are recorded here: every call with its input, and just
// enough state (load balancers, target groups, security groups) for the provider to reconcile.

// recorder keeps every AWS call in order.
type recorder struct {
	mu    sync.Mutex
	calls []call
}

type call struct {
	op    string
	input any
}

func (r *recorder) record(op string, input any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, call{op, input})
}

// inputs returns the inputs of every call of op.
func inputs[T any](r *recorder, op string) []T {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []T
	for _, c := range r.calls {
		if in, ok := c.input.(T); ok && c.op == op {
			out = append(out, in)
		}
	}
	return out
}

// services hands the provider our EC2, ELB and ELBv2.
type services struct {
	*awsv1.FakeAWSServices
	ec2   *fakeEC2
	elb   *fakeELB
	elbv2 *fakeELBV2
}

func newServices(clusterID string, nodes []ec2types.Instance, subnets []ec2types.Subnet, routes []ec2types.RouteTable) *services {
	rec := &recorder{}
	fake := awsv1.NewFakeAWSServices(clusterID)
	base, _ := fake.Compute(context.Background(), "", nil)
	impl := base.(*awsv1.FakeEC2Impl)
	impl.Subnets, impl.RouteTables = subnets, routes
	return &services{
		FakeAWSServices: fake,
		ec2:             &fakeEC2{EC2: base, rec: rec, instances: nodes, groups: map[string]*ec2types.SecurityGroup{}},
		elb:             &fakeELB{rec: rec},
		elbv2:           &fakeELBV2{rec: rec},
	}
}

func (s *services) calls() *recorder { return s.ec2.rec }

func (s *services) Compute(context.Context, string, *stscreds.AssumeRoleProvider) (iface.EC2, error) {
	return s.ec2, nil
}

func (s *services) LoadBalancing(context.Context, string, *stscreds.AssumeRoleProvider) (awsv1.ELB, error) {
	return s.elb, nil
}

func (s *services) LoadBalancingV2(context.Context, string, *stscreds.AssumeRoleProvider) (awsv1.ELBV2, error) {
	return s.elbv2, nil
}

// fakeEC2 adds instances and security groups to the cloud provider's EC2 fake.
type fakeEC2 struct {
	iface.EC2
	rec       *recorder
	mu        sync.Mutex
	instances []ec2types.Instance
	groups    map[string]*ec2types.SecurityGroup
}

func (e *fakeEC2) DescribeInstances(_ context.Context, in *ec2.DescribeInstancesInput, _ ...func(*ec2.Options)) ([]ec2types.Instance, error) {
	e.rec.record("ec2:DescribeInstances", in)
	return e.instances, nil
}

func (e *fakeEC2) DescribeSecurityGroups(_ context.Context, in *ec2.DescribeSecurityGroupsInput, _ ...func(*ec2.Options)) ([]ec2types.SecurityGroup, error) {
	e.rec.record("ec2:DescribeSecurityGroups", in)
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []ec2types.SecurityGroup
	for _, g := range e.groups {
		if matchesGroup(g, in) {
			out = append(out, *g)
		}
	}
	return out, nil
}

func matchesGroup(g *ec2types.SecurityGroup, in *ec2.DescribeSecurityGroupsInput) bool {
	if len(in.GroupIds) > 0 {
		for _, id := range in.GroupIds {
			if id == aws.ToString(g.GroupId) {
				return true
			}
		}
		return false
	}
	for _, f := range in.Filters {
		if aws.ToString(f.Name) == "group-name" && (len(f.Values) != 1 || f.Values[0] != aws.ToString(g.GroupName)) {
			return false
		}
	}
	return true
}

func (e *fakeEC2) CreateSecurityGroup(_ context.Context, in *ec2.CreateSecurityGroupInput, _ ...func(*ec2.Options)) (*ec2.CreateSecurityGroupOutput, error) {
	e.rec.record("ec2:CreateSecurityGroup", in)
	e.mu.Lock()
	defer e.mu.Unlock()
	id := fmt.Sprintf("sg-%08d", len(e.groups)+1)
	e.groups[id] = &ec2types.SecurityGroup{GroupId: aws.String(id), GroupName: in.GroupName, VpcId: in.VpcId}
	return &ec2.CreateSecurityGroupOutput{GroupId: aws.String(id)}, nil
}

// addGroup registers a group that exists before the test (the nodes' group).
func (e *fakeEC2) addGroup(g ec2types.SecurityGroup) { e.groups[aws.ToString(g.GroupId)] = &g }

func (e *fakeEC2) AuthorizeSecurityGroupIngress(_ context.Context, in *ec2.AuthorizeSecurityGroupIngressInput, _ ...func(*ec2.Options)) (*ec2.AuthorizeSecurityGroupIngressOutput, error) {
	e.rec.record("ec2:AuthorizeSecurityGroupIngress", in)
	e.mu.Lock()
	defer e.mu.Unlock()
	g, ok := e.groups[aws.ToString(in.GroupId)]
	if !ok {
		return nil, fmt.Errorf("no security group %s", aws.ToString(in.GroupId))
	}
	g.IpPermissions = append(g.IpPermissions, in.IpPermissions...)
	return &ec2.AuthorizeSecurityGroupIngressOutput{}, nil
}

func (e *fakeEC2) RevokeSecurityGroupIngress(_ context.Context, in *ec2.RevokeSecurityGroupIngressInput, _ ...func(*ec2.Options)) (*ec2.RevokeSecurityGroupIngressOutput, error) {
	e.rec.record("ec2:RevokeSecurityGroupIngress", in)
	return &ec2.RevokeSecurityGroupIngressOutput{}, nil
}

func (e *fakeEC2) CreateTags(_ context.Context, in *ec2.CreateTagsInput, _ ...func(*ec2.Options)) (*ec2.CreateTagsOutput, error) {
	e.rec.record("ec2:CreateTags", in)
	return &ec2.CreateTagsOutput{}, nil
}

// fakeELB is the classic ELB API.
type fakeELB struct {
	awsv1.ELB // calls the provider is not expected to make panic (nil)
	rec       *recorder
	mu        sync.Mutex
	lbs       map[string]*elbtypes.LoadBalancerDescription
}

func (f *fakeELB) DescribeLoadBalancers(_ context.Context, in *elb.DescribeLoadBalancersInput, _ ...func(*elb.Options)) (*elb.DescribeLoadBalancersOutput, error) {
	f.rec.record("elb:DescribeLoadBalancers", in)
	f.mu.Lock()
	defer f.mu.Unlock()
	out := &elb.DescribeLoadBalancersOutput{}
	for _, name := range in.LoadBalancerNames {
		lb, ok := f.lbs[name]
		if !ok {
			return nil, &smithy.GenericAPIError{Code: "LoadBalancerNotFound", Message: name}
		}
		out.LoadBalancerDescriptions = append(out.LoadBalancerDescriptions, *lb)
	}
	return out, nil
}

func (f *fakeELB) CreateLoadBalancer(_ context.Context, in *elb.CreateLoadBalancerInput, _ ...func(*elb.Options)) (*elb.CreateLoadBalancerOutput, error) {
	f.rec.record("elb:CreateLoadBalancer", in)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.lbs == nil {
		f.lbs = map[string]*elbtypes.LoadBalancerDescription{}
	}
	dns := aws.ToString(in.LoadBalancerName) + ".us-west-2.elb.amazonaws.com"
	var listeners []elbtypes.ListenerDescription
	for _, l := range in.Listeners {
		listeners = append(listeners, elbtypes.ListenerDescription{Listener: &l})
	}
	f.lbs[aws.ToString(in.LoadBalancerName)] = &elbtypes.LoadBalancerDescription{
		LoadBalancerName: in.LoadBalancerName, DNSName: aws.String(dns), Scheme: in.Scheme,
		Subnets: in.Subnets, SecurityGroups: in.SecurityGroups, ListenerDescriptions: listeners,
		HealthCheck: &elbtypes.HealthCheck{},
	}
	return &elb.CreateLoadBalancerOutput{DNSName: aws.String(dns)}, nil
}

func (f *fakeELB) ConfigureHealthCheck(_ context.Context, in *elb.ConfigureHealthCheckInput, _ ...func(*elb.Options)) (*elb.ConfigureHealthCheckOutput, error) {
	f.rec.record("elb:ConfigureHealthCheck", in)
	return &elb.ConfigureHealthCheckOutput{HealthCheck: in.HealthCheck}, nil
}

func (f *fakeELB) RegisterInstancesWithLoadBalancer(_ context.Context, in *elb.RegisterInstancesWithLoadBalancerInput, _ ...func(*elb.Options)) (*elb.RegisterInstancesWithLoadBalancerOutput, error) {
	f.rec.record("elb:RegisterInstancesWithLoadBalancer", in)
	return &elb.RegisterInstancesWithLoadBalancerOutput{Instances: in.Instances}, nil
}

func (f *fakeELB) DescribeLoadBalancerAttributes(_ context.Context, in *elb.DescribeLoadBalancerAttributesInput, _ ...func(*elb.Options)) (*elb.DescribeLoadBalancerAttributesOutput, error) {
	f.rec.record("elb:DescribeLoadBalancerAttributes", in)
	return &elb.DescribeLoadBalancerAttributesOutput{LoadBalancerAttributes: &elbtypes.LoadBalancerAttributes{}}, nil
}

func (f *fakeELB) ModifyLoadBalancerAttributes(_ context.Context, in *elb.ModifyLoadBalancerAttributesInput, _ ...func(*elb.Options)) (*elb.ModifyLoadBalancerAttributesOutput, error) {
	f.rec.record("elb:ModifyLoadBalancerAttributes", in)
	return &elb.ModifyLoadBalancerAttributesOutput{}, nil
}

func (f *fakeELB) AddTags(_ context.Context, in *elb.AddTagsInput, _ ...func(*elb.Options)) (*elb.AddTagsOutput, error) {
	f.rec.record("elb:AddTags", in)
	return &elb.AddTagsOutput{}, nil
}

func (f *fakeELB) DescribeLoadBalancerPolicies(_ context.Context, in *elb.DescribeLoadBalancerPoliciesInput, _ ...func(*elb.Options)) (*elb.DescribeLoadBalancerPoliciesOutput, error) {
	f.rec.record("elb:DescribeLoadBalancerPolicies", in)
	return &elb.DescribeLoadBalancerPoliciesOutput{}, nil
}

// fakeELBV2 is the ELBv2 (NLB) API.
type fakeELBV2 struct {
	awsv1.ELBV2 // calls the provider is not expected to make panic (nil)
	rec         *recorder
	mu          sync.Mutex
	lbs         []elbv2types.LoadBalancer
	groups      []elbv2types.TargetGroup
	listeners   []elbv2types.Listener
}

func (f *fakeELBV2) DescribeLoadBalancers(_ context.Context, in *elbv2.DescribeLoadBalancersInput, _ ...func(*elbv2.Options)) (*elbv2.DescribeLoadBalancersOutput, error) {
	f.rec.record("elbv2:DescribeLoadBalancers", in)
	f.mu.Lock()
	defer f.mu.Unlock()
	out := &elbv2.DescribeLoadBalancersOutput{}
	for _, lb := range f.lbs {
		for _, name := range in.Names {
			if name == aws.ToString(lb.LoadBalancerName) {
				out.LoadBalancers = append(out.LoadBalancers, lb)
			}
		}
	}
	if len(out.LoadBalancers) == 0 {
		return nil, &elbv2types.LoadBalancerNotFoundException{Message: aws.String("not found")}
	}
	return out, nil
}

func (f *fakeELBV2) CreateLoadBalancer(_ context.Context, in *elbv2.CreateLoadBalancerInput, _ ...func(*elbv2.Options)) (*elbv2.CreateLoadBalancerOutput, error) {
	f.rec.record("elbv2:CreateLoadBalancer", in)
	f.mu.Lock()
	defer f.mu.Unlock()
	lb := elbv2types.LoadBalancer{
		LoadBalancerName: in.Name, Type: in.Type, Scheme: in.Scheme, SecurityGroups: in.SecurityGroups,
		LoadBalancerArn: aws.String("arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/net/" + aws.ToString(in.Name)),
		DNSName:         aws.String(aws.ToString(in.Name) + ".elb.us-west-2.amazonaws.com"),
		VpcId:           aws.String(vpcID),
		State:           &elbv2types.LoadBalancerState{Code: elbv2types.LoadBalancerStateEnumProvisioning},
	}
	for _, s := range in.Subnets {
		lb.AvailabilityZones = append(lb.AvailabilityZones, elbv2types.AvailabilityZone{SubnetId: aws.String(s)})
	}
	for _, m := range in.SubnetMappings {
		lb.AvailabilityZones = append(lb.AvailabilityZones, elbv2types.AvailabilityZone{SubnetId: m.SubnetId})
	}
	f.lbs = append(f.lbs, lb)
	return &elbv2.CreateLoadBalancerOutput{LoadBalancers: []elbv2types.LoadBalancer{lb}}, nil
}

func (f *fakeELBV2) CreateTargetGroup(_ context.Context, in *elbv2.CreateTargetGroupInput, _ ...func(*elbv2.Options)) (*elbv2.CreateTargetGroupOutput, error) {
	f.rec.record("elbv2:CreateTargetGroup", in)
	f.mu.Lock()
	defer f.mu.Unlock()
	tg := elbv2types.TargetGroup{
		TargetGroupName: in.Name, Port: in.Port, Protocol: in.Protocol, TargetType: in.TargetType, VpcId: in.VpcId,
		TargetGroupArn:      aws.String("arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/" + aws.ToString(in.Name)),
		HealthCheckProtocol: in.HealthCheckProtocol, HealthCheckPath: in.HealthCheckPath, HealthCheckPort: in.HealthCheckPort,
		HealthCheckIntervalSeconds: in.HealthCheckIntervalSeconds, HealthCheckTimeoutSeconds: in.HealthCheckTimeoutSeconds,
		HealthyThresholdCount: in.HealthyThresholdCount, UnhealthyThresholdCount: in.UnhealthyThresholdCount,
	}
	f.groups = append(f.groups, tg)
	return &elbv2.CreateTargetGroupOutput{TargetGroups: []elbv2types.TargetGroup{tg}}, nil
}

func (f *fakeELBV2) DescribeTargetGroups(_ context.Context, in *elbv2.DescribeTargetGroupsInput, _ ...func(*elbv2.Options)) (*elbv2.DescribeTargetGroupsOutput, error) {
	f.rec.record("elbv2:DescribeTargetGroups", in)
	f.mu.Lock()
	defer f.mu.Unlock()
	return &elbv2.DescribeTargetGroupsOutput{TargetGroups: f.groups}, nil
}

func (f *fakeELBV2) CreateListener(_ context.Context, in *elbv2.CreateListenerInput, _ ...func(*elbv2.Options)) (*elbv2.CreateListenerOutput, error) {
	f.rec.record("elbv2:CreateListener", in)
	f.mu.Lock()
	defer f.mu.Unlock()
	l := elbv2types.Listener{
		ListenerArn: aws.String(fmt.Sprintf("arn:listener/%d", len(f.listeners)+1)), LoadBalancerArn: in.LoadBalancerArn,
		Port: in.Port, Protocol: in.Protocol, DefaultActions: in.DefaultActions,
	}
	f.listeners = append(f.listeners, l)
	return &elbv2.CreateListenerOutput{Listeners: []elbv2types.Listener{l}}, nil
}

func (f *fakeELBV2) DescribeListeners(_ context.Context, in *elbv2.DescribeListenersInput, _ ...func(*elbv2.Options)) (*elbv2.DescribeListenersOutput, error) {
	f.rec.record("elbv2:DescribeListeners", in)
	f.mu.Lock()
	defer f.mu.Unlock()
	return &elbv2.DescribeListenersOutput{Listeners: f.listeners}, nil
}

func (f *fakeELBV2) RegisterTargets(_ context.Context, in *elbv2.RegisterTargetsInput, _ ...func(*elbv2.Options)) (*elbv2.RegisterTargetsOutput, error) {
	f.rec.record("elbv2:RegisterTargets", in)
	return &elbv2.RegisterTargetsOutput{}, nil
}

func (f *fakeELBV2) DescribeTargetHealth(_ context.Context, in *elbv2.DescribeTargetHealthInput, _ ...func(*elbv2.Options)) (*elbv2.DescribeTargetHealthOutput, error) {
	f.rec.record("elbv2:DescribeTargetHealth", in)
	return &elbv2.DescribeTargetHealthOutput{}, nil
}

func (f *fakeELBV2) DescribeLoadBalancerAttributes(_ context.Context, in *elbv2.DescribeLoadBalancerAttributesInput, _ ...func(*elbv2.Options)) (*elbv2.DescribeLoadBalancerAttributesOutput, error) {
	f.rec.record("elbv2:DescribeLoadBalancerAttributes", in)
	return &elbv2.DescribeLoadBalancerAttributesOutput{}, nil
}

func (f *fakeELBV2) ModifyLoadBalancerAttributes(_ context.Context, in *elbv2.ModifyLoadBalancerAttributesInput, _ ...func(*elbv2.Options)) (*elbv2.ModifyLoadBalancerAttributesOutput, error) {
	f.rec.record("elbv2:ModifyLoadBalancerAttributes", in)
	return &elbv2.ModifyLoadBalancerAttributesOutput{Attributes: in.Attributes}, nil
}

func (f *fakeELBV2) DescribeTargetGroupAttributes(_ context.Context, in *elbv2.DescribeTargetGroupAttributesInput, _ ...func(*elbv2.Options)) (*elbv2.DescribeTargetGroupAttributesOutput, error) {
	f.rec.record("elbv2:DescribeTargetGroupAttributes", in)
	return &elbv2.DescribeTargetGroupAttributesOutput{}, nil
}

func (f *fakeELBV2) ModifyTargetGroupAttributes(_ context.Context, in *elbv2.ModifyTargetGroupAttributesInput, _ ...func(*elbv2.Options)) (*elbv2.ModifyTargetGroupAttributesOutput, error) {
	f.rec.record("elbv2:ModifyTargetGroupAttributes", in)
	return &elbv2.ModifyTargetGroupAttributesOutput{Attributes: in.Attributes}, nil
}

func (f *fakeELBV2) AddTags(_ context.Context, in *elbv2.AddTagsInput, _ ...func(*elbv2.Options)) (*elbv2.AddTagsOutput, error) {
	f.rec.record("elbv2:AddTags", in)
	return &elbv2.AddTagsOutput{}, nil
}
