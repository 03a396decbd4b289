package doctortest

// What a healthy Option B stack leaves in the account, named as a `pulumi up` of prod names them
// (the controller's k8s-<namespace>-<ingress>-<hash> load balancer and target group names).
const (
	ALBARN  = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/k8s-mlops-retailap-0123/abcd"
	ALBName = "k8s-mlops-retailap-0123"
	ALBDNS  = "k8s-mlops-retailap-0123-456.us-east-1.elb.amazonaws.com"
	TGARN   = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/k8s-mlops-retailap-7f/89ab"
	CertARN = "arn:aws:acm:us-east-1:123456789012:certificate/11112222"
	VPC     = "vpc-0123456789abcdef0"
	LBGroup = "sg-0lb"
	PodSG   = "sg-0nodes"
	// PublicSubnetTag is the tag the controller discovers public subnets by.
	PublicSubnetTag = "kubernetes.io/role/elb"
)

// Healthy is an ALB with an HTTPS listener serving an ISSUED certificate for host, a web ACL
// named acl, and one ip target group whose targets (the pod IPs) are healthy on port, checked on
// /health; the pods' interfaces let the ALB in; public subnets (routed to the internet) are tagged
// in two zones.
func Healthy(host, acl string, port int, podIPs ...string) *Account {
	a := &Account{
		LoadBalancers: []LoadBalancer{
			{ARN: "arn:other", Name: "other", DNSName: "other.elb.amazonaws.com", VpcID: VPC, Type: "application", State: "active"},
			{ARN: ALBARN, Name: ALBName, DNSName: ALBDNS, VpcID: VPC, Type: "application", State: "active", SecurityGroups: []string{LBGroup}},
		},
		TargetGroups: []TargetGroup{{
			ARN: TGARN, Name: "k8s-mlops-retailap-7f", LoadBalancerARN: ALBARN, TargetType: "ip", Port: port,
			HealthCheckProtocol: "HTTP", HealthCheckPath: "/health", HealthCheckPort: "traffic-port", Matcher: "200",
		}},
		Listeners: []Listener{
			{ARN: "l80", LoadBalancerARN: ALBARN, Protocol: "HTTP", Port: 80},
			{ARN: "l443", LoadBalancerARN: ALBARN, Protocol: "HTTPS", Port: 443, Certificates: []string{CertARN}},
		},
		SecurityGroups: []SecurityGroup{{ID: PodSG, Rules: []Rule{
			{Protocol: "tcp", FromPort: 443, ToPort: 443, FromCIDRs: []string{"10.0.0.0/16"}},
			{Protocol: "tcp", FromPort: port, ToPort: port, FromGroups: []string{LBGroup}},
		}}},
		Subnets: []Subnet{
			PublicSubnet("subnet-a", "us-east-1a", nil), PublicSubnet("subnet-b", "us-east-1b", nil),
			{ID: "subnet-private", VpcID: VPC, Zone: "us-east-1c", FreeIPs: 200},
		},
		RouteTables: []RouteTable{
			{ID: "rtb-main", VpcID: VPC, Main: true},
			{ID: "rtb-public", VpcID: VPC, IGW: true, Subnets: []string{"subnet-a", "subnet-b"}},
		},
		Certificates: []Certificate{{ARN: CertARN, Domain: host, Status: "ISSUED"}},
		WebACLs:      map[string]string{ALBARN: acl},
	}
	for i, ip := range podIPs {
		a.TargetGroups[0].Targets = append(a.TargetGroups[0].Targets, Target{ID: ip, Port: port, State: "healthy"})
		a.Interfaces = append(a.Interfaces, Interface{ID: "eni-" + string(rune('a'+i)), PrivateIP: ip, Groups: []string{PodSG}})
	}
	return a
}

// PublicSubnet is a subnet of VPC tagged for internet-facing load balancers, with more tags.
func PublicSubnet(id, zone string, tags map[string]string) Subnet {
	s := Subnet{ID: id, VpcID: VPC, Zone: zone, FreeIPs: 250, Tags: map[string]string{PublicSubnetTag: "1"}}
	for k, v := range tags {
		s.Tags[k] = v
	}
	return s
}
