package doctor

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/mlops-retail/retail-api-edge/internal/lbkind"
)

// loadBalancer is what the checks need of an ELBv2 or a classic load balancer.
type loadBalancer struct {
	arn, name, dns, vpc, kind string
	securityGroups            []string
	classic                   bool
	// targetGroups of an ELBv2 load balancer; a classic one has its instances instead.
	targetGroups []elbv2types.TargetGroup
	// targets are the registered targets: IP addresses or instance IDs, with the port traffic
	// goes to, for the security group check.
	targets   []target
	stateCode string
	// healthCheck is a classic load balancer's health-check target (HTTP:<node port><path>), and
	// healthPort its port, which the instances must accept.
	healthCheck string
	healthPort  int32
}

type target struct {
	id   string
	port int32
	ip   bool
}

func checkLoadBalancer(ctx context.Context, d *diagnosis) Result {
	host := strings.ToLower(d.found.hostname)
	lb, err := d.findLoadBalancer(ctx, host)
	if err != nil {
		return awsFailure(err, "listing load balancers in "+d.Region)
	}
	if lb == nil {
		return fail("the load balancer is gone or in another region (aws:region, --region): pulumi refresh, then pulumi up",
			"no load balancer in %s has DNS name %s", d.Region, host)
	}
	d.found.lb = lb
	evidence := fmt.Sprintf("%s load balancer %s is %s, in %s", lb.kind, lb.name, lb.stateCode, lb.vpc)
	switch lb.stateCode {
	case "active":
		return ok("%s", evidence)
	case "provisioning", "active_impaired":
		return warn("wait a few minutes and run doctor again", "%s", evidence)
	}
	return fail("see the events check; the controller recreates a failed load balancer on its next reconcile", "%s", evidence)
}

func (d *diagnosis) findLoadBalancer(ctx context.Context, host string) (*loadBalancer, error) {
	if d.LoadBalancer == lbkind.Classic && !d.Ingress {
		return d.findClassic(ctx, host)
	}
	p := elbv2.NewDescribeLoadBalancersPaginator(d.env.AWS.ELBv2, &elbv2.DescribeLoadBalancersInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, l := range page.LoadBalancers {
			if strings.EqualFold(aws.ToString(l.DNSName), host) {
				lb := &loadBalancer{arn: aws.ToString(l.LoadBalancerArn), name: aws.ToString(l.LoadBalancerName),
					dns: host, vpc: aws.ToString(l.VpcId), kind: string(l.Type), securityGroups: l.SecurityGroups}
				if l.State != nil {
					lb.stateCode = string(l.State.Code)
				}
				return lb, nil
			}
		}
	}
	return nil, nil
}

func (d *diagnosis) findClassic(ctx context.Context, host string) (*loadBalancer, error) {
	p := elb.NewDescribeLoadBalancersPaginator(d.env.AWS.ELB, &elb.DescribeLoadBalancersInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, l := range page.LoadBalancerDescriptions {
			if !strings.EqualFold(aws.ToString(l.DNSName), host) {
				continue
			}
			lb := &loadBalancer{name: aws.ToString(l.LoadBalancerName), dns: host, vpc: aws.ToString(l.VPCId),
				kind: string(lbkind.Classic), securityGroups: l.SecurityGroups, classic: true, stateCode: "active"}
			if l.HealthCheck != nil {
				lb.healthCheck = aws.ToString(l.HealthCheck.Target)
				lb.healthPort = classicPort(lb.healthCheck)
			}
			return lb, nil
		}
	}
	return nil, nil
}

func checkTargets(ctx context.Context, d *diagnosis) Result {
	lb := d.found.lb
	if lb.classic {
		return d.classicTargets(ctx)
	}
	groups, err := lb.groups(ctx, d.env.AWS)
	if err != nil {
		return awsFailure(err, "listing the target groups of "+lb.name)
	}
	var lines, fixes []string
	status := OK
	for _, tg := range groups {
		h, err := d.env.AWS.ELBv2.DescribeTargetHealth(ctx, &elbv2.DescribeTargetHealthInput{TargetGroupArn: tg.TargetGroupArn})
		if err != nil {
			return awsFailure(err, "reading the target health of "+aws.ToString(tg.TargetGroupName))
		}
		line, s, fix := d.groupHealth(tg, h.TargetHealthDescriptions)
		lines = append(lines, line)
		status = worse(status, s)
		if fix != "" && !slices.Contains(fixes, fix) {
			fixes = append(fixes, fix)
		}
	}
	if len(groups) == 0 {
		return fail("see the events check: the controller reports why it made no target group", "%s has no target group", lb.name)
	}
	return Result{Status: status, Evidence: strings.Join(lines, "; "), Fix: strings.Join(fixes, "; ")}
}

// groups are the load balancer's target groups, asked for once.
func (lb *loadBalancer) groups(ctx context.Context, a *AWS) ([]elbv2types.TargetGroup, error) {
	if lb.targetGroups != nil {
		return lb.targetGroups, nil
	}
	out, err := a.ELBv2.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{LoadBalancerArn: aws.String(lb.arn)})
	if err != nil {
		return nil, err
	}
	lb.targetGroups = append([]elbv2types.TargetGroup{}, out.TargetGroups...)
	return lb.targetGroups, nil
}

// groupHealth summarises one target group: healthy count, and each unhealthy reason with what it
// means here.
func (d *diagnosis) groupHealth(tg elbv2types.TargetGroup, hs []elbv2types.TargetHealthDescription) (string, Status, string) {
	name := aws.ToString(tg.TargetGroupName)
	if len(hs) == 0 {
		// Only ready pods are registered (controller pkg/backend/endpoint_resolver.go).
		return name + ": no target registered", Fail, fmt.Sprintf("no pod is ready: see the endpoints check (kubectl -n %s get pods)", d.Namespace)
	}
	healthy, idle, byReason := 0, 0, map[string]int{}
	var order []string
	instances := tg.TargetType == elbv2types.TargetTypeEnumInstance
	for _, h := range hs {
		if h.TargetHealth == nil || h.TargetHealth.State == elbv2types.TargetHealthStateEnumHealthy {
			d.found.lb.targets = append(d.found.lb.targets, target{id: aws.ToString(h.Target.Id), port: aws.ToInt32(h.Target.Port), ip: !instances})
			healthy++
			continue
		}
		// The in-tree provider registers every node; one in a zone without a load balancer subnet
		// is not used, which with externalTrafficPolicy Cluster costs nothing: not a fault.
		if instances && h.TargetHealth.Reason == elbv2types.TargetHealthReasonEnumNotInUse {
			idle++
			continue
		}
		d.found.lb.targets = append(d.found.lb.targets, target{id: aws.ToString(h.Target.Id), port: aws.ToInt32(h.Target.Port), ip: !instances})
		key := string(h.TargetHealth.State)
		if h.TargetHealth.Reason != "" {
			key = string(h.TargetHealth.Reason)
		}
		if byReason[key] == 0 {
			order = append(order, key)
		}
		byReason[key]++
	}
	line := fmt.Sprintf("%s: %d of %d healthy", name, healthy, len(hs)-idle)
	if idle > 0 {
		line += fmt.Sprintf(" (%d more nodes in zones the load balancer does not use)", idle)
	}
	status, fix := OK, ""
	for _, r := range order {
		m := meaning(r, d)
		line += fmt.Sprintf(", %d %s (%s)", byReason[r], r, m.what)
		status = worse(status, m.status)
		if fix == "" {
			fix = m.fix
		}
	}
	if healthy == 0 && status == Warn {
		return line, Warn, fix
	}
	if healthy == 0 {
		status = Fail
	} else if status == Fail {
		status = Warn
	}
	return line, status, fix
}

func (d *diagnosis) classicTargets(ctx context.Context) Result {
	lb := d.found.lb
	out, err := d.env.AWS.ELB.DescribeInstanceHealth(ctx, &elb.DescribeInstanceHealthInput{LoadBalancerName: aws.String(lb.name)})
	if err != nil {
		return awsFailure(err, "reading the instance health of "+lb.name)
	}
	healthy := 0
	var why []string
	idle := 0
	for _, s := range out.InstanceStates {
		w := aws.ToString(s.Description)
		// A node in a zone the ELB is not configured for (ELB API reference, InstanceState) is
		// not used: not a fault.
		if strings.Contains(w, "Availability Zone for which LoadBalancer is not configured") {
			idle++
			continue
		}
		lb.targets = append(lb.targets, target{id: aws.ToString(s.InstanceId), port: lb.healthPort})
		if aws.ToString(s.State) == "InService" {
			healthy++
		} else if !slices.Contains(why, w) {
			why = append(why, w)
		}
	}
	total := len(out.InstanceStates) - idle
	evidence := fmt.Sprintf("%s: %d of %d instances in service", lb.name, healthy, total)
	if idle > 0 {
		evidence += fmt.Sprintf(" (%d more in zones the load balancer does not use)", idle)
	}
	if len(why) > 0 {
		evidence += " (" + strings.Join(why, "; ") + ")"
	}
	fix := fmt.Sprintf("the health check reaches the node port on every node: see the health-check and security-groups checks, and kubectl -n %s get pods", d.Namespace)
	switch {
	case total == 0:
		return fail("the cluster's nodes are not registered in a zone it uses: kubectl get nodes; see subnets", "%s has no instance to send to", lb.name)
	case healthy == 0:
		return fail(fix, "%s", evidence)
	case healthy < total:
		return warn(fix, "%s", evidence)
	}
	return ok("%s", evidence)
}

func worse(a, b Status) Status {
	rank := map[Status]int{OK: 0, Skip: 1, Warn: 2, Fail: 3}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

// classicPort is the port of a classic health-check target "PROTOCOL:PORT[/PATH]".
func classicPort(target string) int32 {
	_, rest, _ := strings.Cut(target, ":")
	port, _, _ := strings.Cut(rest, "/")
	p, _ := strconv.ParseInt(port, 10, 32)
	return int32(p)
}
