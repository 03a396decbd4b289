package doctor

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mlops-retail/retail-api-edge/internal/doctor/doctortest"
	"github.com/mlops-retail/retail-api-edge/internal/lbkind"
)

const (
	albDNS = doctortest.ALBDNS
	albARN = doctortest.ALBARN
	vpc    = doctortest.VPC
	lbSG   = doctortest.LBGroup
	podSG  = doctortest.PodSG
	host   = "api.example.com"
)

// healthyAccount is what `pulumi up` of prod leaves behind, with two healthy pod targets.
func healthyAccount() *doctortest.Account {
	return doctortest.Healthy(host, "retail-api-prod", 8000, "10.0.1.5", "10.0.2.6")
}

func publicSubnet(id, zone string, tags map[string]string) doctortest.Subnet {
	return doctortest.PublicSubnet(id, zone, tags)
}

func prodTarget() Target {
	return Target{Cluster: "mlops-retail-cluster", Region: "us-east-1", Ingress: true, LoadBalancer: lbkind.ALB,
		Namespace: "mlops", Service: "retail-api-svc", IngressName: "retail-api", HealthPath: "/health", SuccessCodes: "200",
		Host: host, TLS: true, Alias: true, WAF: true}
}

// resolver stands in for DNS (no resolver answers for these names here).
type resolver map[string][]string

func (r resolver) LookupHost(_ context.Context, h string) ([]string, error) {
	if a, ok := r[h]; ok {
		return a, nil
	}
	return nil, errors.New("no such host")
}

var dns = resolver{albDNS: {"198.51.100.7", "198.51.100.8"}, host: {"198.51.100.8", "198.51.100.7"}}

// runAWS runs the AWS checks as doctor does after the cluster reported the load balancer hostname.
func runAWS(t *testing.T, acct *doctortest.Account, tgt Target, r Resolver) map[string]Result {
	t.Helper()
	d := &diagnosis{Target: tgt, env: Env{AWS: NewAWS(acct.Serve(t)), Resolver: r, Timeout: 20 * time.Second}, status: map[string]Status{}}
	d.found.hostname = albDNS
	out := map[string]Result{}
	for _, r := range d.run(context.Background(), awsChecks()) {
		out[r.Check] = r
	}
	return out
}

// want is a check's expected status and words its evidence (or fix) must contain.
type want struct {
	status Status
	says   []string
}

func TestAWSChecks(t *testing.T) {
	tests := []struct {
		name   string
		breaks func(a *doctortest.Account, t *Target)
		dns    resolver
		want   map[string]want
	}{
		{name: "healthy prod", want: map[string]want{
			"credentials":     {OK, []string{"123456789012"}},
			"load-balancer":   {OK, []string{"k8s-mlops-retailap-0123 is active", vpc}},
			"targets":         {OK, []string{"2 of 2 healthy"}},
			"health-check":    {OK, []string{"HTTP /health on traffic-port, codes 200"}},
			"security-groups": {OK, []string{"10.0.1.5:8000 allowed by sg-0nodes from sg-0lb"}},
			"subnets":         {OK, []string{"usable in 2 zones (us-east-1a, us-east-1b)"}},
			"certificate":     {OK, []string{host + " ISSUED"}},
			"dns":             {OK, []string{host + " resolves to the load balancer"}},
			"waf":             {OK, []string{"retail-api-prod"}},
		}},
		{name: "health endpoint answers 500", breaks: func(a *doctortest.Account, _ *Target) {
			for i := range a.TargetGroups[0].Targets {
				a.TargetGroups[0].Targets[i] = doctortest.Target{ID: a.TargetGroups[0].Targets[i].ID, Port: 8000, State: "unhealthy",
					Reason: "Target.ResponseCodeMismatch", Description: "Health checks failed with these codes: [500]"}
			}
		}, want: map[string]want{
			"targets":         {Fail, []string{"0 of 2 healthy, 2 Target.ResponseCodeMismatch", "ingress.successCodes"}},
			"security-groups": {OK, nil},
		}},
		{name: "one pod times out, one is new", breaks: func(a *doctortest.Account, _ *Target) {
			tg := &a.TargetGroups[0]
			tg.Targets[0] = doctortest.Target{ID: tg.Targets[0].ID, Port: 8000, State: "unhealthy", Reason: "Target.Timeout"}
			tg.Targets = append(tg.Targets, doctortest.Target{ID: "10.0.2.9", Port: 8000, State: "initial", Reason: "Elb.InitialHealthChecking"})
		}, want: map[string]want{
			"targets": {Warn, []string{"1 of 3 healthy", "Target.Timeout", "Elb.InitialHealthChecking", "security-groups"}},
			// The new target has no interface in the account yet.
			"security-groups": {Warn, []string{"10.0.2.9: no network interface found"}},
		}},
		{name: "no ready pod: empty target group", breaks: func(a *doctortest.Account, _ *Target) {
			a.TargetGroups[0].Targets = nil
		}, want: map[string]want{
			"targets":         {Fail, []string{"no target registered", "endpoints check"}},
			"security-groups": {Skip, []string{"no registered target"}},
		}},
		{name: "health check on the wrong path and codes", breaks: func(a *doctortest.Account, _ *Target) {
			a.TargetGroups[0].HealthCheckPath, a.TargetGroups[0].Matcher = "/", "200-399"
		}, want: map[string]want{
			"health-check": {Fail, []string{"checks /, not /health", "app.healthPath"}},
		}},
		{name: "Option A: the in-tree provider's subnets are the public ones, tagged or not", breaks: func(a *doctortest.Account, t *Target) {
			t.Ingress, t.LoadBalancer, t.TLS, t.Alias, t.WAF = false, lbkind.NLB, false, false, false
			delete(a.Subnets[1].Tags, doctortest.PublicSubnetTag)
			a.Subnets[2].Tags = map[string]string{doctortest.PublicSubnetTag: "1"} // tagged, but private
		}, want: map[string]want{"subnets": {OK, []string{"2 public subnets of " + vpc, "usable in 2 zones (us-east-1a, us-east-1b)"}}}},
		{name: "an interface with the same address in another VPC is not the target's", breaks: func(a *doctortest.Account, _ *Target) {
			a.SecurityGroups = append(a.SecurityGroups, doctortest.SecurityGroup{ID: "sg-0wide", Rules: []doctortest.Rule{{Protocol: "-1", FromCIDRs: []string{"0.0.0.0/0"}}}})
			a.SecurityGroups[0].Rules = a.SecurityGroups[0].Rules[:1]
			a.Interfaces = append(a.Interfaces, doctortest.Interface{ID: "eni-peer", PrivateIP: "10.0.1.5", VpcID: "vpc-peer", Groups: []string{"sg-0wide"}})
		}, want: map[string]want{"security-groups": {Fail, []string{"10.0.1.5:8000: no rule of sg-0nodes"}}}},
		{name: "WAF answers no association with an error", breaks: func(a *doctortest.Account, _ *Target) {
			a.Errors = map[string]string{"GetWebACLForResource": "WAFNonexistentItemException"}
		}, want: map[string]want{"waf": {Fail, []string{"no web ACL is associated"}}}},
		{name: "WAF does not know a new ALB yet", breaks: func(a *doctortest.Account, _ *Target) {
			a.Errors = map[string]string{"GetWebACLForResource": "WAFUnavailableEntityException"}
		}, want: map[string]want{"waf": {Warn, []string{"does not know"}}}},
		{name: "STS refused: the path to it, not the identity", breaks: func(a *doctortest.Account, _ *Target) {
			a.Errors = map[string]string{"GetCallerIdentity": "AccessDenied"}
		}, want: map[string]want{"credentials": {Fail, []string{"access denied", "VPC endpoint policy"}}, "load-balancer": {Skip, nil}}},
		{name: "certificate just requested: no record yet", breaks: func(a *doctortest.Account, _ *Target) {
			a.Certificates[0].Status = "PENDING_VALIDATION"
		}, want: map[string]want{"certificate": {Fail, []string{"has not issued the validation record yet"}}}},
		{name: "nodes in unused zones are not faults (instance targets)", breaks: func(a *doctortest.Account, _ *Target) {
			tg := &a.TargetGroups[0]
			tg.TargetType = "instance"
			tg.Targets = []doctortest.Target{{ID: "i-1", Port: 31080, State: "healthy"}, {ID: "i-2", Port: 31080, State: "unused", Reason: "Target.NotInUse"}}
			a.Interfaces = []doctortest.Interface{{ID: "eni-1", InstanceID: "i-1", Groups: []string{podSG}}}
			a.SecurityGroups[0].Rules = []doctortest.Rule{{Protocol: "tcp", FromPort: 30000, ToPort: 32767, FromGroups: []string{lbSG}}}
		}, want: map[string]want{
			"targets":         {OK, []string{"1 of 1 healthy (1 more nodes in zones the load balancer does not use)"}},
			"security-groups": {OK, []string{"i-1:31080 allowed"}},
		}},
		{name: "health check on another port", breaks: func(a *doctortest.Account, _ *Target) {
			a.TargetGroups[0].HealthCheckPort = "8080"
		}, want: map[string]want{
			"health-check": {Fail, []string{"checks port 8080, not the traffic port 8000"}},
		}},
		{name: "node security group lost the rule", breaks: func(a *doctortest.Account, _ *Target) {
			a.SecurityGroups[0].Rules = a.SecurityGroups[0].Rules[:1]
		}, want: map[string]want{
			"security-groups": {Fail, []string{"no rule of sg-0nodes", "authorize-security-group-ingress --group-id sg-0nodes --protocol tcp --port 8000 --source-group sg-0lb"}},
		}},
		{name: "public subnets in one zone only", breaks: func(a *doctortest.Account, _ *Target) {
			a.Subnets[1] = publicSubnet("subnet-b", "us-east-1b", map[string]string{clusterTagKey + "other": "shared"})
			a.Subnets = append(a.Subnets, doctortest.Subnet{ID: "subnet-full", VpcID: vpc, Zone: "us-east-1c", FreeIPs: 3,
				Tags: map[string]string{publicSubnetTag: "1"}})
		}, want: map[string]want{
			"subnets": {Fail, []string{"usable in 1 zones", "subnet-b (tagged for another cluster)", "subnet-full (3 free addresses)", "Key=kubernetes.io/role/elb,Value=1"}},
		}},
		{name: "certificate waits for validation", breaks: func(a *doctortest.Account, _ *Target) {
			a.Certificates[0].Status = "PENDING_VALIDATION"
			a.Certificates[0].Pending = [][3]string{{"_x1." + host + ".", "CNAME", "_y1.acm-validations.aws."}}
		}, want: map[string]want{
			"certificate": {Fail, []string{"PENDING_VALIDATION", "_x1.api.example.com. CNAME _y1.acm-validations.aws.", "domain.zoneName"}},
		}},
		{name: "certificate for another name", breaks: func(a *doctortest.Account, _ *Target) {
			a.Certificates[0].Domain, a.Certificates[0].AlternativeNames = "www.example.com", []string{"*.shop.example.com"}
		}, want: map[string]want{
			"certificate": {Fail, []string{"none covers api.example.com", "domain.alternativeNames"}},
		}},
		{name: "an SNI certificate covers the host, the default does not", breaks: func(a *doctortest.Account, _ *Target) {
			a.Certificates[0].Domain = "www.example.com"
			a.Certificates = append(a.Certificates, doctortest.Certificate{ARN: "arn:sni", Domain: host, Status: "ISSUED"})
			a.Listeners[1].Certificates = append(a.Listeners[1].Certificates, "arn:sni")
		}, want: map[string]want{"certificate": {OK, []string{"www.example.com ISSUED; api.example.com ISSUED"}}}},
		{name: "certificate failed", breaks: func(a *doctortest.Account, _ *Target) {
			a.Certificates[0].Status = "FAILED"
		}, want: map[string]want{"certificate": {Fail, []string{"FAILED", "pulumi up --replace", "CAA"}}}},
		{name: "no subnet tagged, but public ones routed to the internet", breaks: func(a *doctortest.Account, _ *Target) {
			for i := range a.Subnets {
				delete(a.Subnets[i].Tags, doctortest.PublicSubnetTag)
			}
			a.RouteTables = []doctortest.RouteTable{
				{ID: "rtb-main", VpcID: vpc, Main: true},
				{ID: "rtb-public", VpcID: vpc, IGW: true, Subnets: []string{"subnet-a", "subnet-b"}},
			}
		}, want: map[string]want{
			"subnets": {Warn, []string{"2 subnets of " + vpc + " with a route to an internet gateway", "usable in 2 zones", "the controller falls back"}},
		}},
		{name: "no subnet tagged, none routed to the internet", breaks: func(a *doctortest.Account, _ *Target) {
			for i := range a.Subnets {
				delete(a.Subnets[i].Tags, doctortest.PublicSubnetTag)
			}
			a.RouteTables = []doctortest.RouteTable{{ID: "rtb-main", VpcID: vpc, Main: true}}
		}, want: map[string]want{"subnets": {Fail, []string{"usable in 0 zones", "Key=kubernetes.io/role/elb,Value=1"}}}},
		{name: "named subnets are taken as they are", breaks: func(a *doctortest.Account, t *Target) {
			t.Subnets = []string{"subnet-full", "subnet-shared"}
			a.Subnets = append(a.Subnets, doctortest.Subnet{ID: "subnet-full", VpcID: vpc, Zone: "us-east-1c", FreeIPs: 3},
				doctortest.Subnet{ID: "subnet-shared", VpcID: vpc, Zone: "us-east-1d", FreeIPs: 100, Tags: map[string]string{clusterTagKey + "other": "shared"}})
		}, want: map[string]want{"subnets": {OK, []string{"2 cluster.publicSubnetIds, usable in 2 zones (us-east-1c, us-east-1d)"}}}},
		{name: "named subnets in one zone", breaks: func(_ *doctortest.Account, t *Target) {
			t.Subnets = []string{"subnet-a"}
		}, want: map[string]want{"subnets": {Fail, []string{"1 cluster.publicSubnetIds, usable in 1 zones (us-east-1a)", "set cluster.publicSubnetIds"}}}},
		{name: "several groups on the pods' interface: the fix names the cluster-tagged one and the backend group", breaks: func(a *doctortest.Account, _ *Target) {
			a.SecurityGroups = []doctortest.SecurityGroup{
				{ID: "sg-0extra"}, {ID: podSG, Tags: map[string]string{clusterTagKey + "mlops-retail-cluster": "owned"}},
				{ID: "sg-0front"}, {ID: "sg-0back", Tags: map[string]string{"elbv2.k8s.aws/type": "backend", "elbv2.k8s.aws/cluster": "mlops-retail-cluster"}},
			}
			for i := range a.Interfaces {
				a.Interfaces[i].Groups = []string{"sg-0extra", podSG}
			}
			a.LoadBalancers[1].SecurityGroups = []string{"sg-0front", "sg-0back"}
		}, want: map[string]want{
			"security-groups": {Fail, []string{"no rule of sg-0extra, sg-0nodes", "--group-id sg-0nodes --protocol tcp --port 8000 --source-group sg-0back"}},
		}},
		{name: "a wildcard certificate covers the host", breaks: func(a *doctortest.Account, _ *Target) {
			a.Certificates[0].Domain = "*.example.com"
		}, want: map[string]want{"certificate": {OK, nil}}},
		{name: "web ACL not associated", breaks: func(a *doctortest.Account, _ *Target) {
			a.WebACLs = nil
		}, want: map[string]want{
			"waf": {Fail, []string{"no web ACL is associated", "enableWafv2"}},
		}},
		{name: "alias points elsewhere", dns: resolver{albDNS: {"198.51.100.7"}, host: {"203.0.113.1"}}, want: map[string]want{
			"dns": {Fail, []string{"resolves to 203.0.113.1, not to the load balancer (198.51.100.7)", "domain.alias"}},
		}},
		{name: "name does not resolve", dns: resolver{albDNS: {"198.51.100.7"}}, want: map[string]want{
			"dns": {Fail, []string{"does not resolve", "dig NS"}},
		}},
		{name: "load balancer deleted by hand", breaks: func(a *doctortest.Account, _ *Target) {
			a.LoadBalancers = a.LoadBalancers[:1]
		}, want: map[string]want{
			"load-balancer": {Fail, []string{"no load balancer in us-east-1 has DNS name " + albDNS, "pulumi refresh"}},
			"targets":       {Skip, []string{"needs load-balancer"}},
			"waf":           {Skip, nil},
			// Independent of the load balancer: still runs, from cluster.vpcId.
			"subnets":     {OK, []string{"usable in 2 zones"}},
			"certificate": {Skip, nil}, // no listener and no Ingress read in this test
		}},
		{name: "access denied on load balancers", breaks: func(a *doctortest.Account, _ *Target) {
			a.Errors = map[string]string{"DescribeLoadBalancers": "AccessDenied"}
		}, want: map[string]want{
			"load-balancer": {Fail, []string{"access denied", "ReadOnlyAccess"}},
			"targets":       {Skip, nil},
			"subnets":       {OK, nil},
		}},
		{name: "access denied on ACM and WAF (JSON protocol)", breaks: func(a *doctortest.Account, _ *Target) {
			a.Errors = map[string]string{"DescribeCertificate": "AccessDeniedException", "GetWebACLForResource": "AccessDeniedException"}
		}, want: map[string]want{
			"certificate": {Fail, []string{"access denied"}},
			"waf":         {Fail, []string{"access denied"}},
			"targets":     {OK, nil},
		}},
		{name: "EC2 refuses (UnauthorizedOperation)", breaks: func(a *doctortest.Account, _ *Target) {
			a.Errors = map[string]string{"DescribeSubnets": "UnauthorizedOperation"}
		}, want: map[string]want{"subnets": {Fail, []string{"access denied"}}}},
		{name: "throttled, then answered", breaks: func(a *doctortest.Account, _ *Target) {
			a.Throttle = map[string]int{"DescribeTargetHealth": 1, "DescribeSubnets": 1, "GetWebACLForResource": 1}
		}, want: map[string]want{"targets": {OK, nil}, "subnets": {OK, nil}, "waf": {OK, nil}}},
		{name: "throttled past every attempt", breaks: func(a *doctortest.Account, _ *Target) {
			a.Throttle = map[string]int{"DescribeTargetGroups": 10}
		}, want: map[string]want{"targets": {Fail, []string{"still throttled", "--max-attempts"}}, "health-check": {Fail, []string{"still throttled"}}}},
		{name: "a refusal doctor has no words for still says what to do", breaks: func(a *doctortest.Account, _ *Target) {
			a.Errors = map[string]string{"DescribeLoadBalancers": "ValidationError"}
		}, want: map[string]want{"load-balancer": {Fail, []string{"ValidationError", "API reference"}}}},
		{name: "AWS failing on its side (EC2 protocol, no fault in the body)", breaks: func(a *doctortest.Account, _ *Target) {
			a.Errors = map[string]string{"DescribeSubnets": "InternalError"}
		}, want: map[string]want{"subnets": {Fail, []string{"InternalError", "run doctor again"}}}},
		{name: "AWS failing on its side (query protocol)", breaks: func(a *doctortest.Account, _ *Target) {
			a.Errors = map[string]string{"DescribeTargetHealth": "InternalFailure"}
		}, want: map[string]want{"targets": {Fail, []string{"InternalFailure", "run doctor again"}}}},
		{name: "features off: their checks are not run", breaks: func(_ *doctortest.Account, t *Target) {
			t.TLS, t.Alias, t.WAF = false, false, false
		}, want: map[string]want{"certificate": {}, "dns": {}, "waf": {}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			acct, tgt := healthyAccount(), prodTarget()
			tgt.VpcID = vpc
			if tc.breaks != nil {
				tc.breaks(acct, &tgt)
			}
			r := dns
			if tc.dns != nil {
				r = tc.dns
			}
			got := runAWS(t, acct, tgt, r)
			for check, w := range tc.want {
				assertResult(t, got, check, w)
			}
		})
	}
}

func assertResult(t *testing.T, got map[string]Result, check string, w want) {
	t.Helper()
	r, ran := got[check]
	if w.status == "" {
		if ran {
			t.Errorf("%s ran (%s %s); it does not apply", check, r.Status, r.Evidence)
		}
		return
	}
	if r.Status != w.status {
		t.Errorf("%s: got %s (%s; fix: %s), want %s", check, r.Status, r.Evidence, r.Fix, w.status)
	}
	for _, s := range w.says {
		if !strings.Contains(r.Evidence+" fix: "+r.Fix, s) {
			t.Errorf("%s: %q (fix %q) does not say %q", check, r.Evidence, r.Fix, s)
		}
	}
	if r.Status != OK && r.Status != Skip && r.Fix == "" {
		t.Errorf("%s is %s without a fix", check, r.Status)
	}
}

// A throttled call is retried by the SDK's retryer: the stand-in answers it twice.
func TestThrottlingIsRetried(t *testing.T) {
	acct := healthyAccount()
	acct.Throttle = map[string]int{"DescribeTargetHealth": 1}
	runAWS(t, acct, prodTarget(), dns)
	n := 0
	for _, c := range acct.Calls() {
		if c == "DescribeTargetHealth" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("DescribeTargetHealth answered %d times, want 2 (one throttled, one retried); calls %v", n, acct.Calls())
	}
}

func TestClassicLoadBalancer(t *testing.T) {
	acct := &doctortest.Account{
		Classic: []doctortest.Classic{{Name: "a0123", DNSName: albDNS, VpcID: vpc, HealthCheck: "HTTP:31234/health",
			SecurityGroups: []string{lbSG}, Instances: []doctortest.InstanceState{
				{ID: "i-1", State: "InService"},
				{ID: "i-2", State: "OutOfService", ReasonCode: "Instance", Description: "Instance has failed at least the UnhealthyThreshold number of health checks consecutively."},
			}}},
		Interfaces: []doctortest.Interface{
			{ID: "eni-1", InstanceID: "i-1", Groups: []string{podSG}}, {ID: "eni-2", InstanceID: "i-2", Groups: []string{"sg-0locked"}},
			// A secondary interface's groups are not what the load balancer reaches.
			{ID: "eni-3", InstanceID: "i-2", DeviceIndex: 1, Groups: []string{"sg-0wide"}},
		},
		SecurityGroups: []doctortest.SecurityGroup{
			{ID: podSG, Rules: []doctortest.Rule{{Protocol: "tcp", FromPort: 30000, ToPort: 32767, FromGroups: []string{lbSG}}}},
			{ID: "sg-0wide", Rules: []doctortest.Rule{{Protocol: "-1", FromCIDRs: []string{"0.0.0.0/0"}}}},
			{ID: "sg-0locked"},
		},
		Subnets:     []doctortest.Subnet{publicSubnet("subnet-a", "us-east-1a", nil)},
		RouteTables: []doctortest.RouteTable{{ID: "rtb-main", VpcID: vpc, Main: true, IGW: true}},
	}
	tgt := Target{Cluster: "mlops-retail-cluster", Region: "us-east-1", LoadBalancer: lbkind.Classic, Namespace: "mlops",
		Service: "retail-api-svc", HealthPath: "/health"}
	got := runAWS(t, acct, tgt, dns)
	for check, w := range map[string]want{
		"load-balancer": {OK, []string{"classic load balancer a0123"}},
		"targets":       {Warn, []string{"1 of 2 instances in service", "UnhealthyThreshold"}},
		"health-check":  {OK, []string{"HTTP:31234/health"}},
		"security-groups": {Fail, []string{"i-1:31234 allowed by sg-0nodes from sg-0lb", "i-2:31234: no rule of sg-0locked",
			"--group-id sg-0locked --protocol tcp --port 31234 --source-group sg-0lb"}},
		"subnets": {OK, []string{"usable in 1 zones"}}, // one zone is enough for Option A
	} {
		assertResult(t, got, check, w)
	}
	if slices.Contains(acct.Calls(), "DescribeTargetGroups") {
		t.Error("a classic load balancer has no target groups to ask for")
	}
}

func TestNoAWS(t *testing.T) {
	d := &diagnosis{Target: prodTarget(), env: Env{AWSErr: errors.New("loading AWS credentials: no profile x"), Timeout: time.Second}, status: map[string]Status{}}
	res := d.run(context.Background(), awsChecks())
	if res[0].Status != Fail || !strings.Contains(res[0].Evidence, "no profile x") || res[0].Fix == "" {
		t.Errorf("credentials: %+v", res[0])
	}
	for _, r := range res[1:] {
		if r.Status != Skip {
			t.Errorf("%s ran without AWS: %+v", r.Check, r)
		}
	}
}
