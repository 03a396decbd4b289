package cloudprovider

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	awsv1 "k8s.io/cloud-provider-aws/pkg/providers/v1"
	"k8s.io/cloud-provider-aws/pkg/providers/v1/config"

	"github.com/mlops-retail/retail-api-edge/internal/plan"
	"github.com/mlops-retail/retail-api-edge/internal/stackconfig"
	"github.com/mlops-retail/retail-api-edge/internal/stackplan"
	"github.com/mlops-retail/retail-api-edge/stacks"
)

// clusterID is how the cloud provider knows the cluster (EKS: its name) and tags what it makes.
var clusterID = stacks.Defaults().Cluster.Name

const (
	vpcID = "vpc-0example000000001"
	// nodePort is what the API server assigns the Service's port; the load balancer's instance
	// targets receive traffic there and kube-proxy forwards it to a pod's targetPort.
	nodePort = 31234
)

// TestOptionAWithTheCloudProvider runs the demo stack's Service (Option A) through the in-tree AWS
// cloud provider, for an NLB and a classic ELB, and checks what the provider asks AWS for.
func TestOptionAWithTheCloudProvider(t *testing.T) {
	for _, flavour := range []string{"nlb", "classic"} {
		t.Run(flavour, func(t *testing.T) {
			svc, tags := demoService(t, flavour)
			aws := newServices(clusterID, instances(), subnets(), routeTables())
			aws.ec2.addGroup(nodeGroup())
			var cfg config.CloudConfig // a control plane outside the VPC, like EKS's
			cfg.Global.VPC, cfg.Global.SubnetID, cfg.Global.KubernetesClusterID = vpcID, "subnet-a", clusterID
			cloud, err := awsv1.NewAWSCloud(cfg, aws)
			if err != nil {
				t.Fatal(err)
			}
			status, err := cloud.EnsureLoadBalancer(context.Background(), clusterID, svc, nodes())
			if err != nil {
				t.Fatalf("EnsureLoadBalancer: %v", err)
			}
			if len(status.Ingress) != 1 || status.Ingress[0].Hostname == "" {
				t.Errorf("status = %+v, want the load balancer's hostname", status)
			}
			if flavour == "nlb" {
				checkNLB(t, aws.calls(), tags)
			} else {
				checkClassic(t, aws.calls(), tags)
			}
		})
	}
}

// TestKindChangeIsRefusedInPlace: the real provider refuses to turn a Service's NLB into a classic
// ELB (or back) on update, and keeps the load balancer it has; which is why the program replaces
// the Service when service.loadBalancer changes (components/servicelb, replaceOnKindChange).
func TestKindChangeIsRefusedInPlace(t *testing.T) {
	for _, change := range [][2]string{{"nlb", "classic"}, {"classic", "nlb"}} {
		t.Run(change[0]+" to "+change[1], func(t *testing.T) {
			aws := newServices(clusterID, instances(), subnets(), routeTables())
			aws.ec2.addGroup(nodeGroup())
			var cfg config.CloudConfig
			cfg.Global.VPC, cfg.Global.SubnetID, cfg.Global.KubernetesClusterID = vpcID, "subnet-a", clusterID
			cloud, err := awsv1.NewAWSCloud(cfg, aws)
			if err != nil {
				t.Fatal(err)
			}
			svc, _ := demoService(t, change[0])
			status, err := cloud.EnsureLoadBalancer(context.Background(), clusterID, svc, nodes())
			if err != nil {
				t.Fatalf("EnsureLoadBalancer (%s): %v", change[0], err)
			}
			changed, _ := demoService(t, change[1])
			changed.UID, changed.Status.LoadBalancer = svc.UID, *status
			_, err = cloud.EnsureLoadBalancer(context.Background(), clusterID, changed, nodes())
			if err == nil || !strings.Contains(err.Error(), "cannot update Load Balancer Type annotation") {
				t.Fatalf("changing %s to %s in place: %v, want the provider's refusal", change[0], change[1], err)
			}
		})
	}
}

// demoService is the Service the program registers for Pulumi.demo.yaml (with flavour as
// service.loadBalancer), as the API server would hold it: a NodePort assigned. It also returns the
// tags the stack puts on AWS resources.
func demoService(t *testing.T, flavour string) (*corev1.Service, map[string]string) {
	t.Helper()
	st, err := stackconfig.Load("../../..", "demo", "")
	if err != nil {
		t.Fatal(err)
	}
	st.Config[stacks.Project+":service"] = fmt.Sprintf(`{"loadBalancer": %q}`, flavour)
	p, err := stackplan.Plan(st)
	if err != nil {
		t.Fatal(err)
	}
	registered := p.Find("kubernetes:core/v1:Service")
	if len(registered) != 1 {
		t.Fatalf("want one Service in the demo plan, got %d", len(registered))
	}
	doc, err := json.Marshal(plan.PlainMap(registered[0].Inputs))
	if err != nil {
		t.Fatal(err)
	}
	var svc corev1.Service
	if err := json.Unmarshal(doc, &svc); err != nil {
		t.Fatal(err)
	}
	svc.UID = "0f2a7c1e-demo"
	svc.Spec.SessionAffinity = corev1.ServiceAffinityNone
	svc.Spec.ExternalTrafficPolicy = corev1.ServiceExternalTrafficPolicyCluster
	for i := range svc.Spec.Ports {
		svc.Spec.Ports[i].NodePort = nodePort
	}
	cfg, err := stacks.Decode("demo", st.Config)
	if err != nil {
		t.Fatal(err)
	}
	return &svc, cfg.Tags
}

func checkNLB(t *testing.T, calls *recorder, tags map[string]string) {
	lbs := inputs[*elbv2.CreateLoadBalancerInput](calls, "elbv2:CreateLoadBalancer")
	groups := inputs[*elbv2.CreateTargetGroupInput](calls, "elbv2:CreateTargetGroup")
	listeners := inputs[*elbv2.CreateListenerInput](calls, "elbv2:CreateListener")
	targets := inputs[*elbv2.RegisterTargetsInput](calls, "elbv2:RegisterTargets")
	if len(lbs) != 1 || len(groups) != 1 || len(listeners) != 1 || len(targets) == 0 {
		t.Fatalf("want one NLB, target group and listener, and registered targets; got %d, %d, %d, %d",
			len(lbs), len(groups), len(listeners), len(targets))
	}
	lb, tg := lbs[0], groups[0]
	var registered []int32
	for _, r := range targets {
		for _, d := range r.Targets {
			registered = append(registered, aws.ToInt32(d.Port))
		}
	}
	crossZone := false
	for _, m := range inputs[*elbv2.ModifyLoadBalancerAttributesInput](calls, "elbv2:ModifyLoadBalancerAttributes") {
		for _, a := range m.Attributes {
			crossZone = crossZone || (aws.ToString(a.Key) == "load_balancing.cross_zone.enabled" && aws.ToString(a.Value) == "true")
		}
	}
	got := map[string]string{}
	for _, tag := range lb.Tags {
		got[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		// AWS makes a load balancer internet-facing unless the scheme says internal.
		{"internet-facing", lb.Scheme == "" || lb.Scheme == "internet-facing", true},
		{"network load balancer", string(lb.Type), "network"},
		{"HTTP health check", string(tg.HealthCheckProtocol), "HTTP"},
		{"health check on the health path", aws.ToString(tg.HealthCheckPath), "/health"},
		{"instance targets on the NodePort", fmt.Sprint(tg.TargetType, aws.ToInt32(tg.Port)), fmt.Sprint("instance", nodePort)},
		// The port the check reaches must be one the targets serve: the traffic port (NodePort).
		{"health check reaches the registered targets", healthPort(aws.ToString(tg.HealthCheckPort), aws.ToInt32(tg.Port)), nodePort},
		{"every target registered on the NodePort", allEqual(registered, nodePort), true},
		{"listener on port 80", aws.ToInt32(listeners[0].Port), int32(80)},
		{"cross-zone on", crossZone, true},
	}
	for _, c := range checks {
		if fmt.Sprint(c.got) != fmt.Sprint(c.want) {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
	checkTags(t, got, tags)
}

func checkClassic(t *testing.T, calls *recorder, tags map[string]string) {
	lbs := inputs[*elb.CreateLoadBalancerInput](calls, "elb:CreateLoadBalancer")
	hcs := inputs[*elb.ConfigureHealthCheckInput](calls, "elb:ConfigureHealthCheck")
	regs := inputs[*elb.RegisterInstancesWithLoadBalancerInput](calls, "elb:RegisterInstancesWithLoadBalancer")
	if len(lbs) != 1 || len(hcs) == 0 || len(regs) == 0 {
		t.Fatalf("want one classic ELB, a health check and registered instances; got %d, %d, %d", len(lbs), len(hcs), len(regs))
	}
	lb, hc := lbs[0], hcs[len(hcs)-1].HealthCheck
	crossZone := false
	for _, m := range inputs[*elb.ModifyLoadBalancerAttributesInput](calls, "elb:ModifyLoadBalancerAttributes") {
		if a := m.LoadBalancerAttributes; a != nil && a.CrossZoneLoadBalancing != nil {
			crossZone = a.CrossZoneLoadBalancing.Enabled
		}
	}
	listener80 := slices.ContainsFunc(lb.Listeners, func(l elbtypes.Listener) bool {
		return l.LoadBalancerPort == 80 && aws.ToInt32(l.InstancePort) == nodePort
	})
	// HTTP, not TCP: only an HTTP listener reports HTTPCode_ELB_5XX and HTTPCode_Backend_5XX,
	// which the 5xx alarm divides by RequestCount.
	httpListener := slices.ContainsFunc(lb.Listeners, func(l elbtypes.Listener) bool {
		return strings.EqualFold(aws.ToString(l.Protocol), "HTTP") && strings.EqualFold(aws.ToString(l.InstanceProtocol), "HTTP")
	})
	got := map[string]string{}
	for _, tag := range lb.Tags {
		got[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	for _, a := range inputs[*elb.AddTagsInput](calls, "elb:AddTags") {
		for _, tag := range a.Tags {
			got[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
		}
	}
	checks := []struct {
		name      string
		got, want any
	}{
		// A classic ELB is internet-facing unless its scheme says internal.
		{"internet-facing", aws.ToString(lb.Scheme) == "" || aws.ToString(lb.Scheme) == "internet-facing", true},
		// Target is PROTOCOL:PORT/PATH, the protocol as the annotation spells it: the provider
		// writes the annotation's value unchanged (ensureLoadBalancerHealthCheck), and a lowercase
		// one corrupts the check (kubernetes/cloud-provider-aws#1181). The instances serve traffic
		// on the NodePort only.
		{"HTTP health check on the health path at the NodePort", aws.ToString(hc.Target), fmt.Sprintf("HTTP:%d/health", nodePort)},
		{"listener 80 to the NodePort", listener80, true},
		{"HTTP listener (5xx metrics)", httpListener, true},
		{"cross-zone on", crossZone, true},
	}
	for _, c := range checks {
		if fmt.Sprint(c.got) != fmt.Sprint(c.want) {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
	checkTags(t, got, tags)
}

func checkTags(t *testing.T, got, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("tag %s = %q, want %q (the stack's tags go onto the load balancer)", k, got[k], v)
		}
	}
}

// healthPort is the port a target-group health check reaches: "traffic-port" is the target's.
func healthPort(port string, trafficPort int32) string {
	if port == "traffic-port" {
		return fmt.Sprint(trafficPort)
	}
	return port
}

func allEqual(ports []int32, want int32) bool {
	return len(ports) > 0 && !slices.ContainsFunc(ports, func(p int32) bool { return p != want })
}

// The cluster: two nodes in two zones, each in a public subnet tagged for load balancers, behind
// the cluster's node security group.

func nodes() []*corev1.Node {
	var out []*corev1.Node
	for _, z := range []string{"a", "b"} {
		out = append(out, &corev1.Node{
			ObjectMeta: metav1.ObjectMeta{Name: "ip-10-0-0-" + z + ".ec2.internal"},
			Spec:       corev1.NodeSpec{ProviderID: "aws:///us-west-2" + z + "/i-node" + z},
		})
	}
	return out
}

func instances() []ec2types.Instance {
	var out []ec2types.Instance
	for i, z := range []string{"a", "b"} {
		out = append(out, ec2types.Instance{
			InstanceId:       aws.String("i-node" + z),
			PrivateDnsName:   aws.String("ip-10-0-0-" + z + ".ec2.internal"),
			PrivateIpAddress: aws.String(fmt.Sprintf("10.0.%d.10", i)),
			Placement:        &ec2types.Placement{AvailabilityZone: aws.String("us-west-2" + z)},
			State:            &ec2types.InstanceState{Name: ec2types.InstanceStateNameRunning},
			SubnetId:         aws.String("subnet-" + z),
			VpcId:            aws.String(vpcID),
			SecurityGroups:   []ec2types.GroupIdentifier{{GroupId: aws.String("sg-nodes"), GroupName: aws.String("nodes")}},
			Tags:             []ec2types.Tag{clusterTag()},
		})
	}
	return out
}

func nodeGroup() ec2types.SecurityGroup {
	return ec2types.SecurityGroup{GroupId: aws.String("sg-nodes"), GroupName: aws.String("nodes"), VpcId: aws.String(vpcID),
		Tags: []ec2types.Tag{clusterTag()}}
}

func subnets() []ec2types.Subnet {
	var out []ec2types.Subnet
	for i, z := range []string{"a", "b"} {
		out = append(out, ec2types.Subnet{
			SubnetId: aws.String("subnet-" + z), AvailabilityZone: aws.String("us-west-2" + z), VpcId: aws.String(vpcID),
			CidrBlock: aws.String(fmt.Sprintf("10.0.%d.0/24", i)),
			Tags:      []ec2types.Tag{clusterTag(), {Key: aws.String("kubernetes.io/role/elb"), Value: aws.String("1")}},
		})
	}
	return out
}

func routeTables() []ec2types.RouteTable {
	return []ec2types.RouteTable{{
		RouteTableId: aws.String("rtb-main"), VpcId: aws.String(vpcID),
		Associations: []ec2types.RouteTableAssociation{{Main: aws.Bool(true)}},
		Routes:       []ec2types.Route{{DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: aws.String("igw-0example")}},
	}}
}

func clusterTag() ec2types.Tag {
	return ec2types.Tag{Key: aws.String("kubernetes.io/cluster/" + clusterID), Value: aws.String("owned")}
}
