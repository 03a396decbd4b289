package doctor

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acm"
	acmtypes "github.com/aws/aws-sdk-go-v2/service/acm/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/wafv2"
	waftypes "github.com/aws/aws-sdk-go-v2/service/wafv2/types"
)

// Tags the controller discovers subnets by, and its minimum of free addresses per subnet
// (docs/deploy/subnet_discovery.md; pkg/networking/subnet_resolver.go).
const (
	publicSubnetTag = "kubernetes.io/role/elb"
	clusterTagKey   = "kubernetes.io/cluster/"
	minFreeIPs      = 8
)

// certificateAnnotation is the Ingress's certificate list (docs/guide/ingress/annotations.md).
const certificateAnnotation = "alb.ingress.kubernetes.io/certificate-arn"

func checkHealthCheck(ctx context.Context, d *diagnosis) Result {
	lb := d.found.lb
	if lb.classic {
		// The in-tree provider writes the annotation's protocol as it is, and a lowercase one
		// corrupts the check (kubernetes/cloud-provider-aws#1181): only HTTP: is right.
		if !strings.HasPrefix(lb.healthCheck, "HTTP:") || !strings.HasSuffix(lb.healthCheck, d.HealthPath) {
			fix := "pulumi up restores the Service's health-check annotations (HTTP on app.healthPath)"
			if strings.HasPrefix(strings.ToUpper(lb.healthCheck), "HTTP:") {
				fix = "the protocol must be upper case: pulumi up of this version sets healthcheck-protocol HTTP"
			}
			return fail(fix, "health check %s, not HTTP on %s", lb.healthCheck, d.HealthPath)
		}
		// A classic ELB's HTTP check passes only on 200 (ELB API reference, HealthCheck.Target).
		return ok("health check %s (passes only on 200)", lb.healthCheck)
	}
	groups, err := lb.groups(ctx, d.env.AWS)
	if err != nil {
		return awsFailure(err, "listing the target groups of "+lb.name)
	}
	if len(groups) == 0 {
		return skip("no target group")
	}
	var lines, wrong []string
	for _, tg := range groups {
		name := aws.ToString(tg.TargetGroupName)
		path, port, proto := aws.ToString(tg.HealthCheckPath), aws.ToString(tg.HealthCheckPort), tg.HealthCheckProtocol
		matcher := ""
		if tg.Matcher != nil {
			matcher = aws.ToString(tg.Matcher.HttpCode)
		}
		line := fmt.Sprintf("%s: %s %s on %s", name, proto, path, port)
		if matcher != "" {
			line += ", codes " + matcher
		}
		lines = append(lines, line)
		switch {
		case proto != elbv2types.ProtocolEnumHttp && proto != elbv2types.ProtocolEnumHttps:
			wrong = append(wrong, name+" checks "+string(proto)+", not HTTP "+d.HealthPath)
		case path != d.HealthPath:
			wrong = append(wrong, fmt.Sprintf("%s checks %s, not %s", name, path, d.HealthPath))
		// Both exposures check the port traffic goes to: servicelb sets traffic-port, and it is the
		// controller's default for the Ingress (docs/guide/ingress/annotations.md, healthcheck-port).
		case port != "traffic-port" && port != fmt.Sprint(aws.ToInt32(tg.Port)):
			wrong = append(wrong, fmt.Sprintf("%s checks port %s, not the traffic port %d", name, port, aws.ToInt32(tg.Port)))
		case d.Ingress && d.SuccessCodes != "" && matcher != d.SuccessCodes:
			wrong = append(wrong, fmt.Sprintf("%s accepts %s, not %s", name, matcher, d.SuccessCodes))
		}
	}
	if len(wrong) > 0 {
		// A routed Service's own alb.ingress.kubernetes.io/healthcheck-* annotations win over the Ingress's.
		return fail("pulumi up restores the health check (app.healthPath, ingress.successCodes); a Service's own healthcheck annotations override the Ingress's",
			"%s", strings.Join(wrong, "; "))
	}
	return ok("%s", strings.Join(lines, "; "))
}

func checkSecurityGroups(ctx context.Context, d *diagnosis) Result {
	lb := d.found.lb
	if len(lb.targets) == 0 {
		return skip("no registered target")
	}
	var lines []string
	status, fix := OK, ""
	for _, t := range distinctTargets(lb.targets) {
		groups, err := d.targetGroups(ctx, t)
		if err != nil {
			return awsFailure(err, "reading the security groups of target "+t.id)
		}
		if len(groups) == 0 {
			lines = append(lines, t.id+": no network interface found")
			status = worse(status, Warn)
			if fix == "" {
				// Under prefix delegation a pod's address is inside an ENI prefix, not one of its
				// addresses (the controller's pod_eni_info_resolver.go matches prefixes).
				fix = "a target that just left, or a pod address from an ENI prefix (prefix delegation): check its interface by hand"
			}
			continue
		}
		if by := allows(groups, t.port, lb.securityGroups); by != "" {
			lines = append(lines, fmt.Sprintf("%s:%d allowed by %s", t.id, t.port, by))
			continue
		}
		status = Fail
		lines = append(lines, fmt.Sprintf("%s:%d: no rule of %s lets the load balancer in", t.id, t.port, quoted(groupIDs(groups))))
		// The fix's source is read only when a rule is missing: one more call, only then.
		source, err := d.ruleSource(ctx)
		if err != nil {
			return awsFailure(err, "reading the load balancer's security groups")
		}
		fix = fmt.Sprintf("the controller adds this rule to the interface's only security group, or to the one with the tag key %s%s "+
			"when it has several: aws ec2 authorize-security-group-ingress --group-id %s --protocol tcp --port %d %s",
			clusterTagKey, d.Cluster, managedGroup(groups, d.Cluster), t.port, source)
	}
	return Result{Status: status, Evidence: strings.Join(lines, "; "), Fix: fix}
}

// managedGroup is the security group of a target's interface whose rules the controller manages:
// the only one, or the one carrying the cluster tag key (resolveEndpointSGForENI in the
// controller's pkg/networking/networking_manager.go).
func managedGroup(groups []securityGroup, cluster string) string {
	if len(groups) == 1 {
		return groups[0].groupID()
	}
	for _, g := range groups {
		for _, t := range g.Tags {
			if aws.ToString(t.Key) == clusterTagKey+cluster {
				return g.groupID()
			}
		}
	}
	return "<the interface's group tagged " + clusterTagKey + cluster + ">"
}

// backendGroupTag (value backend) marks the shared backend security group the controller makes,
// the source of the rules it writes on targets (docs/deploy/security_groups.md, "Backend Security
// Groups": tags elbv2.k8s.aws/cluster and elbv2.k8s.aws/type: backend).
const backendGroupTag = "elbv2.k8s.aws/type"

// ruleSource is where a missing rule's traffic comes from, as an authorize-security-group-ingress
// argument: the load balancer's backend security group (else its only or first one), or for a
// load balancer without groups (an NLB) the VPC's range.
func (d *diagnosis) ruleSource(ctx context.Context) (string, error) {
	ids := d.found.lb.securityGroups
	if len(ids) == 0 {
		return "--cidr <VPC CIDR>", nil
	}
	if len(ids) == 1 {
		return "--source-group " + ids[0], nil
	}
	out, err := d.env.AWS.EC2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: ids})
	if err != nil {
		return "", err
	}
	for _, g := range out.SecurityGroups {
		for _, t := range g.Tags {
			if aws.ToString(t.Key) == backendGroupTag && aws.ToString(t.Value) == "backend" {
				return "--source-group " + aws.ToString(g.GroupId), nil
			}
		}
	}
	return "--source-group " + ids[0], nil
}

func distinctTargets(ts []target) []target {
	var out []target
	for _, t := range ts {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

type securityGroup struct{ ec2types.SecurityGroup }

func (g securityGroup) groupID() string { return aws.ToString(g.GroupId) }

func groupIDs(gs []securityGroup) []string {
	var out []string
	for _, g := range gs {
		out = append(out, g.groupID())
	}
	return out
}

// targetGroups are the security groups of the network interface that holds a target: an ip
// target's address, or an instance's primary interface (device 0: the one the controller uses,
// pkg/networking/node_eni_info_resolver.go).
func (d *diagnosis) targetGroups(ctx context.Context, t target) ([]securityGroup, error) {
	// vpc-id keeps an address reused in another VPC out, and is one of the filters that let the
	// call scale in a busy account (EC2 API reference, DescribeNetworkInterfaces).
	filters := []ec2types.Filter{
		{Name: aws.String("vpc-id"), Values: []string{d.found.lb.vpc}},
		{Name: aws.String("attachment.instance-id"), Values: []string{t.id}},
		{Name: aws.String("attachment.device-index"), Values: []string{"0"}},
	}
	if t.ip {
		filters = []ec2types.Filter{filters[0], {Name: aws.String("addresses.private-ip-address"), Values: []string{t.id}}}
	}
	var ids []string
	p := ec2.NewDescribeNetworkInterfacesPaginator(d.env.AWS.EC2, &ec2.DescribeNetworkInterfacesInput{Filters: filters})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, e := range page.NetworkInterfaces {
			for _, g := range e.Groups {
				if id := aws.ToString(g.GroupId); !slices.Contains(ids, id) {
					ids = append(ids, id)
				}
			}
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	out, err := d.env.AWS.EC2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: ids})
	if err != nil {
		return nil, err
	}
	var gs []securityGroup
	for _, g := range out.SecurityGroups {
		gs = append(gs, securityGroup{g})
	}
	return gs, nil
}

// allows names the group and source that let TCP port in from the load balancer: one of its
// security groups (how the controller writes the rule) or else an address range (an NLB without
// security groups, or a rule written by hand for the VPC).
func allows(groups []securityGroup, port int32, lbGroups []string) string {
	byRange := ""
	for _, g := range groups {
		for _, p := range g.IpPermissions {
			if !coversPort(p, port) {
				continue
			}
			for _, pair := range p.UserIdGroupPairs {
				if slices.Contains(lbGroups, aws.ToString(pair.GroupId)) {
					return g.groupID() + " from " + aws.ToString(pair.GroupId)
				}
			}
			if byRange == "" && len(p.IpRanges) > 0 {
				byRange = g.groupID() + " from " + aws.ToString(p.IpRanges[0].CidrIp)
			}
		}
	}
	return byRange
}

func coversPort(p ec2types.IpPermission, port int32) bool {
	if aws.ToString(p.IpProtocol) == "-1" {
		return true
	}
	return aws.ToString(p.IpProtocol) == "tcp" && aws.ToInt32(p.FromPort) <= port && port <= aws.ToInt32(p.ToPort)
}

func checkSubnets(ctx context.Context, d *diagnosis) Result {
	need := 1
	if d.Ingress {
		need = 2 // an ALB needs subnets in two zones (without the ALBSingleSubnet feature gate)
	}
	fix := fmt.Sprintf("tag a public subnet in %d zones: aws ec2 create-tags --resources <subnet-id> --tags Key=%s,Value=1 (or set cluster.publicSubnetIds)",
		need, publicSubnetTag)
	if len(d.Subnets) > 0 {
		// Named subnets are used as they are: the controller filters only subnets it discovers.
		out, err := d.env.AWS.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: d.Subnets})
		if err != nil {
			return awsFailure(err, "reading cluster.publicSubnetIds")
		}
		return zonesResult(usable(out.Subnets, "", 0), "cluster.publicSubnetIds", need, "set cluster.publicSubnetIds to subnets in "+fmt.Sprint(need)+" zones")
	}
	vpc := d.VpcID
	if d.found.lb != nil {
		vpc = d.found.lb.vpc
	} else if vpc == "" {
		vpc = d.found.controllerVpc
	}
	if vpc == "" {
		return skip("no VPC known (no load balancer, no cluster.vpcId, no controller --aws-vpc-id): give --vpc-id")
	}
	if !d.Ingress && (d.AutoMode == nil || !*d.AutoMode) {
		return d.inTreeSubnets(ctx, vpc)
	}
	out, err := d.env.AWS.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: []ec2types.Filter{
		{Name: aws.String("vpc-id"), Values: []string{vpc}},
		{Name: aws.String("tag:" + publicSubnetTag), Values: []string{"1", ""}},
	}})
	if err != nil {
		return awsFailure(err, "listing the subnets of "+vpc)
	}
	what := "subnets of " + vpc + " tagged " + publicSubnetTag + "=1"
	if len(out.Subnets) > 0 {
		return zonesResult(usable(out.Subnets, d.Cluster, minFreeIPs), what, need, fix)
	}
	// With no subnet tagged, the controller (v2.12.1+, feature gate SubnetDiscoveryByReachability,
	// on by default) takes the subnets routed to an internet gateway (docs/deploy/subnet_discovery.md).
	reachable, err := d.routedToInternet(ctx, vpc)
	if err != nil {
		return awsFailure(err, "reading the route tables of "+vpc)
	}
	r := zonesResult(usable(reachable, d.Cluster, minFreeIPs), "subnets of "+vpc+" with a route to an internet gateway (none is tagged "+publicSubnetTag+")", need, fix)
	if r.Status == OK {
		return warn("tag the ones to use "+publicSubnetTag+"=1, so the choice does not depend on routes", "%s: the controller falls back to them", r.Evidence)
	}
	return r
}

// inTreeSubnets is Option A's check: the in-tree provider (cloud-provider-aws findELBSubnets,
// isSubnetPublic in pkg/providers/v1/aws.go) takes the VPC's subnets tagged for this cluster or for
// none that route to an internet gateway, one per zone (the role tag only breaks ties), and does
// not count free addresses.
func (d *diagnosis) inTreeSubnets(ctx context.Context, vpc string) Result {
	reachable, err := d.routedToInternet(ctx, vpc)
	if err != nil {
		return awsFailure(err, "reading the subnets and route tables of "+vpc)
	}
	return zonesResult(usable(reachable, d.Cluster, 0), "public subnets of "+vpc+" (routed to an internet gateway)", 1,
		"the Service's load balancer needs a public subnet (a route to an internet gateway) tagged for this cluster or for none")
}

// subnetUse is what the controller makes of discovered subnets: the zones it can use, and the
// subnets it leaves out with why.
type subnetUse struct {
	count   int
	zones   []string
	skipped []string
}

// usable applies the discovery filters: with cluster, none tagged for other clusters only; with
// minFree, none with fewer free addresses (the controller's pkg/networking/subnet_resolver.go uses
// both, the in-tree provider only the first; named subnets get neither).
func usable(subnets []ec2types.Subnet, cluster string, minFree int32) subnetUse {
	u := subnetUse{count: len(subnets)}
	for _, s := range subnets {
		id := aws.ToString(s.SubnetId)
		switch {
		case cluster != "" && taggedForOther(s.Tags, cluster):
			u.skipped = append(u.skipped, id+" (tagged for another cluster)")
		case aws.ToInt32(s.AvailableIpAddressCount) < minFree:
			u.skipped = append(u.skipped, fmt.Sprintf("%s (%d free addresses)", id, aws.ToInt32(s.AvailableIpAddressCount)))
		case !slices.Contains(u.zones, aws.ToString(s.AvailabilityZone)):
			u.zones = append(u.zones, aws.ToString(s.AvailabilityZone))
		}
	}
	slices.Sort(u.zones)
	return u
}

func zonesResult(u subnetUse, what string, need int, fix string) Result {
	evidence := fmt.Sprintf("%d %s, usable in %d zones (%s)", u.count, what, len(u.zones), quoted(u.zones))
	if len(u.skipped) > 0 {
		evidence += "; not usable: " + quoted(u.skipped)
	}
	if len(u.zones) < need {
		return fail(fix, "%s; a load balancer needs %d", evidence, need)
	}
	return ok("%s", evidence)
}

// routedToInternet are the VPC's subnets whose route table (their own, else the main one) has a
// route to an internet gateway.
func (d *diagnosis) routedToInternet(ctx context.Context, vpc string) ([]ec2types.Subnet, error) {
	vpcFilter := []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{vpc}}}
	tables, err := d.env.AWS.EC2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: vpcFilter})
	if err != nil {
		return nil, err
	}
	public, mainPublic := map[string]bool{}, false
	for _, t := range tables.RouteTables {
		igw := slices.ContainsFunc(t.Routes, func(r ec2types.Route) bool { return strings.HasPrefix(aws.ToString(r.GatewayId), "igw-") })
		for _, a := range t.Associations {
			if aws.ToBool(a.Main) {
				mainPublic = igw
			} else if a.SubnetId != nil {
				public[aws.ToString(a.SubnetId)] = igw
			}
		}
	}
	all, err := d.env.AWS.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: vpcFilter})
	if err != nil {
		return nil, err
	}
	var out []ec2types.Subnet
	for _, s := range all.Subnets {
		igw, explicit := public[aws.ToString(s.SubnetId)]
		if igw || (!explicit && mainPublic) {
			out = append(out, s)
		}
	}
	return out, nil
}

// taggedForOther says whether a subnet carries cluster tags, none of them this cluster's: the
// controller then leaves it to those clusters.
func taggedForOther(tags []ec2types.Tag, cluster string) bool {
	other := false
	for _, t := range tags {
		if k := aws.ToString(t.Key); strings.HasPrefix(k, clusterTagKey) {
			if k == clusterTagKey+cluster {
				return false
			}
			other = true
		}
	}
	return other
}

func checkCertificate(ctx context.Context, d *diagnosis) Result {
	arns, from, err := d.certificates(ctx)
	if err != nil {
		return awsFailure(err, "listing the load balancer's listeners")
	}
	if from == "" {
		return skip("no load balancer or Ingress to read the certificate from")
	}
	if len(arns) == 0 && from == "the Ingress" {
		// Without the annotation the controller may still find one (certificate discovery by the
		// rules' hosts, or IngressClassParams certificateArn: docs/guide/ingress/cert_discovery.md).
		return warn("pulumi up (tls.enabled with domain.name requests the certificate and names it on the Ingress)",
			"tls is on, but the Ingress names no certificate and there is no load balancer to ask")
	}
	if len(arns) == 0 {
		return fail("pulumi up (tls.enabled with domain.name requests and attaches the certificate)", "tls is on, but %s serves no certificate", from)
	}
	var lines []string
	status, fix, covered := OK, "", d.Host == ""
	for _, arn := range arns {
		c, err := d.env.AWS.ACM.DescribeCertificate(ctx, &acm.DescribeCertificateInput{CertificateArn: aws.String(arn)})
		if err != nil {
			return awsFailure(err, "reading certificate "+arn)
		}
		line, s, f := certificateState(c.Certificate)
		lines = append(lines, line)
		status = worse(status, s)
		if fix == "" {
			fix = f
		}
		// The listener picks a certificate by SNI: one that names the host is enough (whether it
		// is issued is its own line).
		if covers(append([]string{aws.ToString(c.Certificate.DomainName)}, c.Certificate.SubjectAlternativeNames...), d.Host) {
			covered = true
		}
	}
	if !covered {
		lines = append(lines, "none covers "+d.Host)
		status = Fail
		if fix == "" {
			fix = "domain.name and domain.alternativeNames must name " + d.Host
		}
	}
	return Result{Status: status, Evidence: from + ": " + strings.Join(lines, "; "), Fix: fix}
}

// certificates are the certificate ARNs the HTTPS listeners serve (the default and the SNI
// ones: DescribeListeners names only the default) or, without a load balancer yet, the ones the
// Ingress asks for.
func (d *diagnosis) certificates(ctx context.Context) ([]string, string, error) {
	if lb := d.found.lb; lb != nil && !lb.classic {
		out, err := d.env.AWS.ELBv2.DescribeListeners(ctx, &elbv2.DescribeListenersInput{LoadBalancerArn: aws.String(lb.arn)})
		if err != nil {
			return nil, "", err
		}
		var arns []string
		for _, l := range out.Listeners {
			if l.Protocol != elbv2types.ProtocolEnumHttps {
				continue
			}
			certs, err := d.env.AWS.ELBv2.DescribeListenerCertificates(ctx, &elbv2.DescribeListenerCertificatesInput{ListenerArn: l.ListenerArn})
			if err != nil {
				return nil, "", err
			}
			for _, c := range certs.Certificates {
				if a := aws.ToString(c.CertificateArn); !slices.Contains(arns, a) {
					arns = append(arns, a)
				}
			}
		}
		return arns, "the HTTPS listener", nil
	}
	if d.found.ingress != nil {
		var arns []string
		for _, a := range strings.Split(d.found.ingress.Annotations[certificateAnnotation], ",") {
			if a = strings.TrimSpace(a); a != "" {
				arns = append(arns, a)
			}
		}
		return arns, "the Ingress", nil
	}
	return nil, "", nil
}

func certificateState(c *acmtypes.CertificateDetail) (string, Status, string) {
	line := fmt.Sprintf("%s %s", aws.ToString(c.DomainName), c.Status)
	switch c.Status {
	case acmtypes.CertificateStatusIssued:
	case acmtypes.CertificateStatusPendingValidation:
		var records []string
		for _, v := range c.DomainValidationOptions {
			// An apex and its wildcard share one record: list it once.
			r := v.ResourceRecord
			if r == nil || v.ValidationStatus == acmtypes.DomainStatusSuccess {
				continue
			}
			if rec := fmt.Sprintf("%s %s %s", aws.ToString(r.Name), r.Type, aws.ToString(r.Value)); !slices.Contains(records, rec) {
				records = append(records, rec)
			}
		}
		if len(records) == 0 {
			return line, Fail, "ACM has not issued the validation record yet (seconds after the request): run doctor again"
		}
		return line, Fail, "ACM waits for the validation record in the zone (domain.zoneName), which must be the domain's delegated zone: " + quoted(records)
	default: // FAILED (often a CAA record that excludes amazon.com), VALIDATION_TIMED_OUT, EXPIRED, REVOKED, INACTIVE
		return line, Fail, "request a new one: pulumi up --replace <the certificate's URN> (pulumi stack --show-urns); " +
			"for FAILED, check the domain's CAA records allow amazon.com"
	}
	return line, OK, ""
}

// covers says whether a certificate's names cover host; a wildcard covers one label.
func covers(names []string, host string) bool {
	host = strings.ToLower(host)
	for _, n := range names {
		n = strings.ToLower(n)
		if n == host {
			return true
		}
		if rest, ok := strings.CutPrefix(n, "*."); ok {
			if _, parent, found := strings.Cut(host, "."); found && parent == rest {
				return true
			}
		}
	}
	return false
}

func checkDNS(ctx context.Context, d *diagnosis) Result {
	r := d.env.Resolver
	if r == nil {
		r = net.DefaultResolver
	}
	got, err := r.LookupHost(ctx, d.Host)
	if err != nil {
		return fail("the alias record lives in domain.zoneName: check the zone is the domain's delegated one (dig NS); new records take a minute",
			"%s does not resolve: %v", d.Host, err)
	}
	want, err := r.LookupHost(ctx, d.found.lb.dns)
	if err != nil {
		return warn("run again in a minute", "%s does not resolve: %v", d.found.lb.dns, err)
	}
	for _, a := range got {
		if slices.Contains(want, a) {
			return ok("%s resolves to the load balancer (%s)", d.Host, a)
		}
	}
	return fail("pulumi up restores the alias (domain.alias); another record of the same name wins otherwise",
		"%s resolves to %s, not to the load balancer (%s)", d.Host, quoted(got), quoted(want))
}

func checkWAF(ctx context.Context, d *diagnosis) Result {
	lb := d.found.lb
	out, err := d.env.AWS.WAF.GetWebACLForResource(ctx, &wafv2.GetWebACLForResourceInput{ResourceArn: aws.String(lb.arn)})
	var unavailable *waftypes.WAFUnavailableEntityException
	switch {
	case errors.As(err, &unavailable):
		// Just after the ALB is made, WAF may not know it yet.
		return warn("run doctor again in a minute", "WAF does not know %s yet", lb.name)
	case isNonexistent(err):
		// Some accounts answer "no association" with this error rather than an empty WebACL
		// (Terraform's FindWebACLByResourceARN treats it as not found).
		out = &wafv2.GetWebACLForResourceOutput{}
	case err != nil:
		return awsFailure(err, "asking WAF for the web ACL of "+lb.name)
	}
	if out.WebACL == nil {
		// The controller attaches the ACL of the Ingress's wafv2-acl-arn annotation
		// (pkg/ingress/model_build_load_balancer_addons.go); its chart value enableWafv2 must be on.
		return fail("pulumi up (waf.enabled sets the Ingress's wafv2-acl-arn); the controller needs enableWafv2 and wafv2:AssociateWebACL",
			"no web ACL is associated with %s", lb.name)
	}
	return ok("web ACL %s is associated with %s", aws.ToString(out.WebACL.Name), lb.name)
}

func isNonexistent(err error) bool {
	var e *waftypes.WAFNonexistentItemException
	return errors.As(err, &e)
}
