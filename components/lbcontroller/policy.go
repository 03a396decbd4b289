package lbcontroller

import (
	"encoding/json"
	"fmt"
)

// PolicyVersion is the controller release whose IAM policy controllerPolicy reproduces
// (docs/install/iam_policy.json at that tag of kubernetes-sigs/aws-load-balancer-controller).
// A test pins the document's digest, so an edit that drifts from it fails.
const PolicyVersion = "v3.5.0"

// Tag keys the controller puts on what it creates; the policy only lets it change or delete
// resources carrying them.
const (
	clusterTagKey = "elbv2.k8s.aws/cluster"
	requestTag    = "aws:RequestTag/" + clusterTagKey
	resourceTag   = "aws:ResourceTag/" + clusterTagKey
)

// Statement is one IAM policy statement.
type Statement struct {
	Effect    string                    `json:"Effect"`
	Action    []string                  `json:"Action"`
	Resource  any                       `json:"Resource"`
	Condition map[string]map[string]any `json:"Condition,omitempty"`
}

// policyDocument is an IAM policy.
type policyDocument struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// JSON renders the document for `aws:iam/policy:Policy`.
func (d policyDocument) JSON() string {
	b, err := json.Marshal(d)
	if err != nil {
		panic(err) // strings, slices and maps only
	}
	return string(b)
}

// Actions lists every action the document allows, in order, without repeats.
func (d policyDocument) Actions() []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range d.Statement {
		for _, a := range s.Action {
			if !seen[a] {
				seen[a] = true
				out = append(out, a)
			}
		}
	}
	return out
}

func allow(resource any, cond map[string]map[string]any, actions ...string) Statement {
	return Statement{Effect: "Allow", Action: actions, Resource: resource, Condition: cond}
}

// untaggedRequest/taggedResource are the conditions that scope the controller to its own resources.
var (
	clusterTagOnRequest = map[string]any{requestTag: "false"}
	ownResourceOnly     = map[string]map[string]any{"Null": {resourceTag: "false"}}
	tagChangeOnOwnOnly  = map[string]map[string]any{"Null": {requestTag: "true", resourceTag: "false"}}
)

// controllerPolicy is the controller's IAM policy for PolicyVersion, in the given partition
// ("aws" in commercial regions).
func controllerPolicy(partition string) policyDocument {
	arn := func(format string) string { return fmt.Sprintf("arn:%s:"+format, partition) }
	securityGroups := arn("ec2:*:*:security-group/*")
	lbAndTargetGroups := []string{
		arn("elasticloadbalancing:*:*:targetgroup/*/*"),
		arn("elasticloadbalancing:*:*:loadbalancer/net/*/*"),
		arn("elasticloadbalancing:*:*:loadbalancer/app/*/*"),
	}
	return policyDocument{Version: "2012-10-17", Statement: []Statement{
		allow("*", map[string]map[string]any{"StringEquals": {"iam:AWSServiceName": "elasticloadbalancing.amazonaws.com"}},
			"iam:CreateServiceLinkedRole"),
		allow("*", nil, describeActions...),
		allow("*", nil, integrationActions...),
		allow("*", nil, "ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"),
		allow("*", nil, "ec2:CreateSecurityGroup"),
		allow(securityGroups, map[string]map[string]any{
			"StringEquals": {"ec2:CreateAction": "CreateSecurityGroup"},
			"Null":         clusterTagOnRequest,
		}, "ec2:CreateTags"),
		allow(securityGroups, tagChangeOnOwnOnly, "ec2:CreateTags", "ec2:DeleteTags"),
		allow("*", ownResourceOnly, "ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:DeleteSecurityGroup"),
		allow("*", map[string]map[string]any{"Null": clusterTagOnRequest},
			"elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"),
		allow("*", nil, "elasticloadbalancing:CreateListener", "elasticloadbalancing:DeleteListener",
			"elasticloadbalancing:CreateRule", "elasticloadbalancing:DeleteRule"),
		allow(lbAndTargetGroups, tagChangeOnOwnOnly, "elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"),
		allow([]string{
			arn("elasticloadbalancing:*:*:listener/net/*/*/*"),
			arn("elasticloadbalancing:*:*:listener/app/*/*/*"),
			arn("elasticloadbalancing:*:*:listener-rule/net/*/*/*"),
			arn("elasticloadbalancing:*:*:listener-rule/app/*/*/*"),
		}, nil, "elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"),
		allow("*", ownResourceOnly, modifyOwnActions...),
		allow(lbAndTargetGroups, map[string]map[string]any{
			"StringEquals": {"elasticloadbalancing:CreateAction": []string{"CreateTargetGroup", "CreateLoadBalancer"}},
			"Null":         clusterTagOnRequest,
		}, "elasticloadbalancing:AddTags"),
		allow(arn("elasticloadbalancing:*:*:targetgroup/*/*"), nil,
			"elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"),
		allow("*", nil, "elasticloadbalancing:SetWebAcl", "elasticloadbalancing:ModifyListener",
			"elasticloadbalancing:AddListenerCertificates", "elasticloadbalancing:RemoveListenerCertificates",
			"elasticloadbalancing:ModifyRule", "elasticloadbalancing:SetRulePriorities"),
	}}
}

// describeActions are the read-only calls the controller makes to discover the network and its
// own load balancers.
var describeActions = []string{
	"ec2:DescribeAccountAttributes", "ec2:DescribeAddresses", "ec2:DescribeAvailabilityZones",
	"ec2:DescribeInternetGateways", "ec2:DescribeVpcs", "ec2:DescribeVpcPeeringConnections",
	"ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeInstances",
	"ec2:DescribeNetworkInterfaces", "ec2:DescribeTags", "ec2:GetCoipPoolUsage", "ec2:DescribeCoipPools",
	"ec2:GetSecurityGroupsForVpc", "ec2:DescribeIpamPools", "ec2:DescribeRouteTables",
	"elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeLoadBalancerAttributes",
	"elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeListenerCertificates",
	"elasticloadbalancing:DescribeSSLPolicies", "elasticloadbalancing:DescribeRules",
	"elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetGroupAttributes",
	"elasticloadbalancing:DescribeTargetHealth", "elasticloadbalancing:DescribeTags",
	"elasticloadbalancing:DescribeTrustStores", "elasticloadbalancing:DescribeListenerAttributes",
	"elasticloadbalancing:DescribeCapacityReservation",
}

// integrationActions cover certificates, Cognito, WAF and Shield, which Ingress annotations use.
var integrationActions = []string{
	"cognito-idp:DescribeUserPoolClient", "acm:ListCertificates", "acm:DescribeCertificate",
	"iam:ListServerCertificates", "iam:GetServerCertificate",
	"waf-regional:GetWebACL", "waf-regional:GetWebACLForResource", "waf-regional:AssociateWebACL",
	"waf-regional:DisassociateWebACL",
	"wafv2:GetWebACL", "wafv2:GetWebACLForResource", "wafv2:AssociateWebACL", "wafv2:DisassociateWebACL",
	"shield:GetSubscriptionState", "shield:DescribeProtection", "shield:CreateProtection", "shield:DeleteProtection",
}

// modifyOwnActions change or delete load balancers and target groups the controller created.
var modifyOwnActions = []string{
	"elasticloadbalancing:ModifyLoadBalancerAttributes", "elasticloadbalancing:SetIpAddressType",
	"elasticloadbalancing:SetSecurityGroups", "elasticloadbalancing:SetSubnets",
	"elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:ModifyTargetGroup",
	"elasticloadbalancing:ModifyTargetGroupAttributes", "elasticloadbalancing:DeleteTargetGroup",
	"elasticloadbalancing:ModifyListenerAttributes", "elasticloadbalancing:ModifyCapacityReservation",
	"elasticloadbalancing:ModifyIpPools",
}
