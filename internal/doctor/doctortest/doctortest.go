// Package doctortest stands in for AWS in edgectl doctor's tests, where no AWS account can be
// reached: one HTTP server that answers the calls doctor makes in each service's own wire protocol
// (the Query protocol of ELBv2, ELB and STS, the EC2 protocol, and the JSON 1.1 protocol of ACM and
// WAFv2), so the real aws-sdk-go-v2 clients, their serializers, deserializers and retryer, run
// unchanged against it. It answers from an Account, and fails or throttles the calls it is told to.
package doctortest

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Account is what the account holds and how its API misbehaves.
type Account struct {
	LoadBalancers  []LoadBalancer
	Classic        []Classic
	TargetGroups   []TargetGroup
	Listeners      []Listener
	Interfaces     []Interface
	SecurityGroups []SecurityGroup
	Subnets        []Subnet
	RouteTables    []RouteTable
	Certificates   []Certificate
	// WebACLs maps a load balancer ARN to the name of the web ACL associated with it.
	WebACLs map[string]string
	// Errors makes an action ("DescribeTargetHealth", "DescribeCertificate", ...) answer this
	// error code, every time.
	Errors map[string]string
	// Throttle makes an action answer Throttling this many times before it succeeds.
	Throttle map[string]int

	mu    sync.Mutex
	calls []string
}

// LoadBalancer is an ALB or NLB.
type LoadBalancer struct {
	ARN, Name, DNSName, VpcID, Type, State string
	SecurityGroups                         []string
}

// Classic is a classic load balancer with its instances' health.
type Classic struct {
	Name, DNSName, VpcID, HealthCheck string
	SecurityGroups                    []string
	Instances                         []InstanceState
}

// InstanceState is a classic load balancer's view of one instance.
type InstanceState struct{ ID, State, ReasonCode, Description string }

// TargetGroup belongs to a load balancer and has targets.
type TargetGroup struct {
	ARN, Name, LoadBalancerARN, TargetType                string
	Port                                                  int
	HealthCheckProtocol, HealthCheckPath, HealthCheckPort string
	Matcher                                               string
	Targets                                               []Target
}

// Target is a registered target and its health.
type Target struct {
	ID                         string
	Port                       int
	State, Reason, Description string
}

// Listener is a load balancer's listener.
type Listener struct {
	ARN, LoadBalancerARN, Protocol string
	Port                           int
	Certificates                   []string
}

// Interface is a network interface: a pod's (ip targets) or an instance's, attached as device
// DeviceIndex (0: its primary).
type Interface struct {
	ID, PrivateIP, InstanceID string
	// VpcID is its VPC; empty means VPC.
	VpcID       string
	DeviceIndex int
	Groups      []string
}

// SecurityGroup has inbound rules and tags.
type SecurityGroup struct {
	ID    string
	Rules []Rule
	Tags  map[string]string
}

// Rule lets TCP ports in from groups or address ranges (Protocol "-1": everything).
type Rule struct {
	Protocol         string
	FromPort, ToPort int
	FromGroups       []string
	FromCIDRs        []string
}

// RouteTable is a VPC route table: whether it routes to an internet gateway, which subnets it
// is explicitly associated with, and whether it is the VPC's main one (for all other subnets).
type RouteTable struct {
	ID, VpcID string
	Main, IGW bool
	Subnets   []string
}

// Subnet is a VPC subnet with its tags.
type Subnet struct {
	ID, VpcID, Zone string
	FreeIPs         int
	Tags            map[string]string
}

// Certificate is an ACM certificate.
type Certificate struct {
	ARN, Domain, Status string
	AlternativeNames    []string
	// Pending are validation records not yet found: "name CNAME value".
	Pending [][3]string
}

// Serve starts the stand-in and returns an AWS configuration that reaches it for every service.
func (a *Account) Serve(t testing.TB) aws.Config {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(a.handle))
	t.Cleanup(srv.Close)
	return aws.Config{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 3,
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
	}
}

// Calls are the actions answered, in order (throttled attempts included).
func (a *Account) Calls() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.calls...)
}

func (a *Account) handle(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		_, action, _ := strings.Cut(target, ".")
		if a.misbehave(w, action, true) {
			return
		}
		a.json(w, action, body)
		return
	}
	form, _ := url.ParseQuery(string(body))
	action, version := form.Get("Action"), form.Get("Version")
	if a.misbehave(w, action, false, version == ec2Version) {
		return
	}
	inner, ok := a.query(action, version, form)
	if !ok {
		http.Error(w, "unexpected call "+action+" "+version, http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	if version == ec2Version {
		_, _ = fmt.Fprintf(w, "<%sResponse><requestId>r1</requestId>%s</%sResponse>", action, inner, action)
		return
	}
	_, _ = fmt.Fprintf(w, "<%sResponse><%sResult>%s</%sResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></%sResponse>",
		action, action, inner, action, action)
}

const (
	ec2Version     = "2016-11-15"
	elbv2Version   = "2015-12-01"
	classicVersion = "2012-06-01"
)

// misbehave answers a configured error or throttling, in the protocol's error shape.
func (a *Account) misbehave(w http.ResponseWriter, action string, jsonProtocol bool, ec2 ...bool) bool {
	a.mu.Lock()
	a.calls = append(a.calls, action)
	code := a.Errors[action]
	if code == "" && a.Throttle[action] > 0 {
		a.Throttle[action]--
		code = "Throttling"
		if jsonProtocol {
			code = "ThrottlingException"
		}
	}
	a.mu.Unlock()
	if code == "" {
		return false
	}
	status, fault := http.StatusBadRequest, "Sender"
	switch {
	case strings.Contains(code, "Denied") || code == "UnauthorizedOperation":
		status = http.StatusForbidden
	case strings.HasPrefix(code, "Internal") || code == "ServiceUnavailable":
		status, fault = http.StatusInternalServerError, "Receiver"
	}
	switch {
	case jsonProtocol:
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(status)
		_, _ = fmt.Fprintf(w, `{"__type":%q,"message":"from the stand-in"}`, code)
	case len(ec2) > 0 && ec2[0]:
		w.WriteHeader(status)
		_, _ = fmt.Fprintf(w, "<Response><Errors><Error><Code>%s</Code><Message>from the stand-in</Message></Error></Errors><RequestID>r1</RequestID></Response>", code)
	default:
		w.WriteHeader(status)
		_, _ = fmt.Fprintf(w, "<ErrorResponse><Error><Type>%s</Type><Code>%s</Code><Message>from the stand-in</Message></Error><RequestId>r1</RequestId></ErrorResponse>", fault, code)
	}
	return true
}

func (a *Account) json(w http.ResponseWriter, action string, body []byte) {
	var in struct{ CertificateArn, ResourceArn string }
	_ = json.Unmarshal(body, &in)
	var out any = map[string]any{}
	switch action {
	case "DescribeCertificate":
		for _, c := range a.Certificates {
			if c.ARN == in.CertificateArn {
				out = map[string]any{"Certificate": certificateJSON(c)}
			}
		}
	case "GetWebACLForResource":
		if name, ok := a.WebACLs[in.ResourceArn]; ok {
			out = map[string]any{"WebACL": map[string]any{"Name": name, "Id": "1", "ARN": "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/" + name + "/1"}}
		}
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(out)
}

func certificateJSON(c Certificate) map[string]any {
	var options []map[string]any
	for _, p := range c.Pending {
		options = append(options, map[string]any{"DomainName": c.Domain, "ValidationStatus": "PENDING_VALIDATION",
			"ResourceRecord": map[string]string{"Name": p[0], "Type": p[1], "Value": p[2]}})
	}
	return map[string]any{"CertificateArn": c.ARN, "DomainName": c.Domain, "Status": c.Status,
		"SubjectAlternativeNames": c.AlternativeNames, "DomainValidationOptions": options}
}

// query answers a Query- or EC2-protocol action with its result's XML.
func (a *Account) query(action, version string, form url.Values) (string, bool) {
	switch version + " " + action {
	case "2011-06-15 GetCallerIdentity":
		return "<Arn>arn:aws:iam::123456789012:user/doctor</Arn><UserId>AIDA</UserId><Account>123456789012</Account>", true
	case elbv2Version + " DescribeLoadBalancers":
		return marshal(a.elbv2LoadBalancers()), true
	case elbv2Version + " DescribeTargetGroups":
		return marshal(a.targetGroups(form.Get("LoadBalancerArn"))), true
	case elbv2Version + " DescribeTargetHealth":
		return marshal(a.targetHealth(form.Get("TargetGroupArn"))), true
	case elbv2Version + " DescribeListeners":
		return marshal(a.listeners(form.Get("LoadBalancerArn"))), true
	case elbv2Version + " DescribeListenerCertificates":
		return marshal(a.listenerCertificates(form.Get("ListenerArn"))), true
	case ec2Version + " DescribeRouteTables":
		return marshal(a.routeTables(filters(form))), true
	case classicVersion + " DescribeLoadBalancers":
		return marshal(a.classicLoadBalancers()), true
	case classicVersion + " DescribeInstanceHealth":
		return marshal(a.instanceHealth(form.Get("LoadBalancerName"))), true
	case ec2Version + " DescribeNetworkInterfaces":
		return marshal(a.interfaces(filters(form))), true
	case ec2Version + " DescribeSecurityGroups":
		return marshal(a.securityGroups(listed(form, "GroupId"))), true
	case ec2Version + " DescribeSubnets":
		return marshal(a.subnets(listed(form, "SubnetId"), filters(form))), true
	}
	return "", false
}

func marshal(v any) string {
	out, err := xml.Marshal(v)
	if err != nil {
		panic(err)
	}
	// Strip the wrapper element: the caller wraps the members in the response's own elements.
	s := string(out)
	return s[strings.Index(s, ">")+1 : strings.LastIndex(s, "<")]
}

// listed reads a Query list parameter (Name.1, Name.2, ...).
func listed(form url.Values, name string) []string {
	var out []string
	for i := 1; form.Has(fmt.Sprintf("%s.%d", name, i)); i++ {
		out = append(out, form.Get(fmt.Sprintf("%s.%d", name, i)))
	}
	return out
}

// filters reads EC2 filters (Filter.N.Name, Filter.N.Value.M).
func filters(form url.Values) map[string][]string {
	out := map[string][]string{}
	for i := 1; form.Has(fmt.Sprintf("Filter.%d.Name", i)); i++ {
		out[form.Get(fmt.Sprintf("Filter.%d.Name", i))] = listed(form, fmt.Sprintf("Filter.%d.Value", i))
	}
	return out
}
