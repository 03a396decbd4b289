package doctor

import (
	"context"
	"errors"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/acm"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/wafv2"
	"github.com/aws/smithy-go"
)

// AWS are the clients of the services the checks read; each retries throttling with the
// configuration's retryer, as audit's does.
type AWS struct {
	STS   *sts.Client
	ELBv2 *elbv2.Client
	ELB   *elb.Client
	EC2   *ec2.Client
	ACM   *acm.Client
	WAF   *wafv2.Client
}

// NewAWS makes the clients from one configuration (region, credentials, retries; BaseEndpoint
// for tests or private endpoints).
func NewAWS(cfg aws.Config) *AWS {
	return &AWS{
		STS: sts.NewFromConfig(cfg), ELBv2: elbv2.NewFromConfig(cfg), ELB: elb.NewFromConfig(cfg),
		EC2: ec2.NewFromConfig(cfg), ACM: acm.NewFromConfig(cfg), WAF: wafv2.NewFromConfig(cfg),
	}
}

// awsFailure turns an AWS error into the failure a user can act on.
func awsFailure(err error, doing string) Result {
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError":
			return fail("give your AWS identity read access (the ReadOnlyAccess managed policy covers every check)",
				"%s: access denied (%s)", doing, api.ErrorMessage())
		case "ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId", "UnrecognizedClientException", "RequestExpired",
			"SignatureDoesNotMatch": // a wrong secret key, or this machine's clock far off
			return fail("renew the AWS credentials (aws sso login, or a fresh session)", "%s: the credentials are not valid: %s", doing, api.ErrorCode())
		case "Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException":
			return fail("AWS is throttling this account: run again later or raise --max-attempts", "%s: still throttled after retries", doing)
		}
		// Any other code still needs a next step; whether a retry can help depends on whose fault
		// it is (a 5xx answer, or the protocol's Receiver fault).
		fix := "AWS refused the request: look up " + api.ErrorCode() + " in the service's API reference (Errors) and the message above"
		if serverFault(err, api) {
			fix = "AWS failed on its side: run doctor again in a few minutes; if it persists, check the AWS Health Dashboard for the region"
		}
		return fail(fix, "%s: %s: %s", doing, api.ErrorCode(), api.ErrorMessage())
	}
	if strings.Contains(err.Error(), "credentials") {
		return fail("set AWS_PROFILE, run aws sso login, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
			"%s: no AWS credentials found", doing)
	}
	return fail("check the network path to AWS (proxy, VPC endpoints) and the region", "%s: %v", doing, err)
}

// serverFault tells an AWS-side failure from a refused request. The EC2 protocol carries no
// fault in its error body (aws-sdk-go-v2 aws/protocol/ec2query GetErrorResponseComponents reads
// only Code, Message and RequestID, and the generated EC2 deserializer builds a GenericAPIError
// from those), so the HTTP status decides there.
func serverFault(err error, api smithy.APIError) bool {
	var resp *awshttp.ResponseError
	if errors.As(err, &resp) && resp.HTTPStatusCode() >= 500 {
		return true
	}
	return api.ErrorFault() == smithy.FaultServer
}

func awsChecks() []check {
	lbNeeds := []string{"credentials", "service-address", "ingress-address", "gateway-address"}
	return []check{
		{id: "credentials", run: checkCredentials},
		{id: "load-balancer", needs: lbNeeds, run: checkLoadBalancer},
		{id: "targets", needs: []string{"load-balancer"}, run: checkTargets},
		{id: "health-check", needs: []string{"load-balancer"}, run: checkHealthCheck},
		{id: "security-groups", needs: []string{"load-balancer"}, run: checkSecurityGroups},
		{id: "subnets", needs: []string{"credentials"}, run: checkSubnets},
		{id: "certificate", needs: []string{"credentials"}, applies: func(t Target) bool { return t.TLS }, run: checkCertificate},
		{id: "dns", needs: []string{"load-balancer"}, applies: func(t Target) bool { return t.Alias && t.Host != "" }, run: checkDNS},
		{id: "waf", needs: []string{"load-balancer"}, applies: func(t Target) bool { return t.WAF }, run: checkWAF},
	}
}

func checkCredentials(ctx context.Context, d *diagnosis) Result {
	if d.env.AWS == nil {
		return fail("set AWS_PROFILE, run aws sso login, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
			"cannot use AWS: %v", d.env.AWSErr)
	}
	id, err := d.env.AWS.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		r := awsFailure(err, "asking AWS who this is")
		// GetCallerIdentity needs no permission, even under an explicit deny (STS API reference):
		// a refusal comes from the path to STS, not from the identity's policies.
		if strings.Contains(r.Evidence, "access denied") {
			r.Fix = "a VPC endpoint policy or proxy in front of STS refuses the call: check the sts endpoint this machine uses"
		}
		return r
	}
	return ok("account %s as %s, region %s", aws.ToString(id.Account), aws.ToString(id.Arn), d.Region)
}

// quoted lists names for evidence.
func quoted(list []string) string { return strings.Join(list, ", ") }
