package iam

import (
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/mlops-retail/retail-api-edge/components/podidentity"
	"github.com/mlops-retail/retail-api-edge/internal/plan"
	"github.com/mlops-retail/retail-api-edge/internal/stackconfig"
	"github.com/mlops-retail/retail-api-edge/internal/stackplan"
	"github.com/mlops-retail/retail-api-edge/internal/typetoken"
)

const root = "../.."

// The names docs/github-actions.md gives what it creates, per stack (environment).
func deployRole(stack string) string  { return "retail-api-edge-deploy-" + stack }
func previewRole(stack string) string { return "retail-api-edge-preview-" + stack }

const boundaryName = "retail-api-edge-boundary"

var boundaryARN = "arn:aws:iam::" + account + ":policy/" + boundaryName

func session(role string) string {
	return "arn:aws:sts::" + account + ":assumed-role/" + role + "/github-actions"
}

// fixture is what the checks read: the set-up steps' roles and policies, and the offline plans of
// the repository's stack files.
type fixture struct {
	setup  *setup
	plans  map[string]*plan.Plan
	stacks []string
	// variants are stack files with settings changed, planned too: what those stacks may become
	// with a `pulumi config set`, which their environment's roles must serve as well.
	variants []variant
}

// variant is a stack file's plan with some controller settings changed.
type variant struct {
	name, stack string
	plan        *plan.Plan
}

// controllerVariants are prod with the controller on EKS Pod Identity: the agent checked (the
// default), and installed by the stack.
var controllerVariants = []struct {
	name, stack string
	controller  map[string]any
}{
	{"prod with controller.identity podIdentity", "prod", map[string]any{"identity": "podIdentity"}},
	{"prod with podIdentity and installPodIdentityAgent", "prod", map[string]any{"identity": "podIdentity", "installPodIdentityAgent": true}},
}

var (
	plansOnce sync.Once
	plans     map[string]*plan.Plan
	variants  []variant
	plansErr  error
)

func loadFixture(t *testing.T) *fixture {
	t.Helper()
	plansOnce.Do(func() {
		files, _ := filepath.Glob(filepath.Join(root, "Pulumi.*.yaml"))
		plans = map[string]*plan.Plan{}
		for _, f := range files {
			stack := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "Pulumi."), ".yaml")
			st, err := stackconfig.Load(root, stack, "")
			if err != nil {
				plansErr = err
				return
			}
			if plans[stack], err = stackplan.Plan(st); err != nil {
				plansErr = fmt.Errorf("plan of %s: %w", stack, err)
				return
			}
		}
		for _, v := range controllerVariants {
			p, err := variantPlan(v.stack, v.controller)
			if err != nil {
				plansErr = fmt.Errorf("plan of %s: %w", v.name, err)
				return
			}
			variants = append(variants, variant{name: v.name, stack: v.stack, plan: p})
		}
	})
	if plansErr != nil {
		t.Fatal(plansErr)
	}
	s, err := readSetup(root, map[string]string{
		"ACCOUNT_ID": account, "OWNER/REPO": repo, "STATE_BUCKET": stateBucket, "HOSTED_ZONE_ID": plan.HostedZoneID,
	})
	if err != nil {
		t.Fatal(err)
	}
	stacks := slices.Sorted(maps.Keys(plans))
	if len(stacks) != 2 {
		t.Fatalf("stack files %v: the checks pair each environment with the other one", stacks)
	}
	return &fixture{setup: s, plans: plans, stacks: stacks, variants: variants}
}

// variantPlan plans a stack file with the controller block's settings merged over its own.
func variantPlan(stack string, controller map[string]any) (*plan.Plan, error) {
	st, err := stackconfig.Load(root, stack, "")
	if err != nil {
		return nil, err
	}
	key := "retail-api-edge:controller"
	block := map[string]any{}
	if raw, ok := st.Config[key]; ok {
		if err := json.Unmarshal([]byte(raw), &block); err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
	}
	maps.Copy(block, controller)
	b, err := json.Marshal(block)
	if err != nil {
		return nil, err
	}
	st.Config[key] = string(b)
	return stackplan.Plan(st)
}

// check is one request and whether it must be allowed.
type check struct {
	group, what string
	allow       bool
	req         request
}

// checks are every request the tests evaluate, derived from f; problems are what they cannot
// even ask (a plan type without an entry in apiCalls, a role the set-up does not create).
func checks(f *fixture) (out []check, problems []string) {
	var want []string
	for _, s := range f.stacks {
		want = append(want, deployRole(s), previewRole(s))
	}
	slices.Sort(want)
	if got := f.setup.names(); !slices.Equal(got, want) {
		problems = append(problems, fmt.Sprintf("the set-up steps create the roles %v, want %v (one deploy and one preview role per stack file)", got, want))
	}
	if f.setup.Policies[boundaryName] == nil {
		problems = append(problems, "the set-up steps create no "+boundaryName+" policy")
	}
	for _, r := range want {
		if f.setup.Roles[r] == nil {
			return out, problems
		}
	}
	add := func(c check) { out = append(out, c) }
	otherOf := func(s string) string {
		if f.stacks[0] == s {
			return f.stacks[1]
		}
		return f.stacks[0]
	}
	covers := func(label, s string, p *plan.Plan) {
		other := otherOf(s)
		calls, missing := planCalls(p)
		problems = append(problems, missing...)
		for _, pc := range calls {
			add(f.as(deployRole(s), "the deploy role covers the plan", label+": "+pc.what, true, pc.req))
			if pc.write {
				add(f.as(deployRole(other), "one environment's role cannot change the other's", label+": "+pc.what+", by "+other+"'s deploy role", false, pc.req))
				add(f.as(previewRole(s), "the preview roles change nothing", label+": "+pc.what, false, pc.req))
				add(f.as(previewRole(other), "the preview roles change nothing", label+": "+pc.what+", by "+other+"'s preview role", false, pc.req))
			} else if pc.lookup {
				add(f.as(previewRole(s), "the preview role can run the preview", label+": "+pc.what, true, pc.req))
			}
		}
	}
	for _, v := range f.variants {
		covers(v.name, v.stack, v.plan)
	}
	for _, s := range f.stacks {
		other := otherOf(s)
		covers(s, s, f.plans[s])
		for _, st := range stateCalls(s) {
			add(f.as(deployRole(s), "the deploy role covers the plan", s+": "+st.what, true, st.req))
			if !st.shared {
				add(f.as(deployRole(other), "one environment's role cannot change the other's", s+": "+st.what+", by "+other+"'s deploy role", false, st.req))
				add(f.as(previewRole(other), "the preview roles change nothing", s+": "+st.what+", by "+other+"'s preview role", false, st.req))
			}
			add(f.as(previewRole(s), "the preview role can run the preview", s+": "+st.what, !st.write, st.req))
		}
		add(f.as(deployRole(s), "the deploy role covers the plan", s+": edgectl audit after destroy", true,
			request{Action: "tag:GetResources", Resource: "*"}))
		for _, e := range escalations(s) {
			add(f.as(deployRole(s), "no escalation", s+": "+e.what, false, e.req))
		}
		for _, e := range explicitDenies(s) {
			c := f.as(deployRole(s), "the explicit denies hold beside an allow-all", s+": "+e.what, false, e.req)
			c.req.Identity = append(slices.Clone(c.req.Identity), allowAll)
			add(c)
		}
	}
	out = append(out, f.boundaryCaps()...)
	out = append(out, f.controllerFitsTheBoundary()...)
	out = append(out, f.githubTrust()...)
	out = append(out, f.irsaTrust()...)
	out = append(out, f.podIdentityTrust()...)
	out = append(out, f.logBucketPolicy()...)
	return out, problems
}

// as makes req a request of the role's session, under the role's policies.
func (f *fixture) as(roleName, group, what string, allow bool, req request) check {
	req.Mode, req.Principal, req.ResourceAccount = "strict", session(roleName), account
	req.Identity = f.setup.Roles[roleName].Policies
	return check{group: group, what: what, allow: allow, req: req}
}

type planCall struct {
	what          string
	write, lookup bool
	req           request
}

// planCalls are the calls of every custom resource and lookup of p.
func planCalls(p *plan.Plan) (out []planCall, missing []string) {
	w := worldOf(p)
	for _, r := range p.Resources {
		if !r.Custom {
			continue // components make no API call of their own
		}
		calls, ok := apiCalls[r.Type]
		if !ok {
			missing = append(missing, fmt.Sprintf("%s: the plan has a %s (%s), which apiCalls (calls_test.go) does not know: "+
				"add its API calls, and the permissions to the deploy policy", p.Stack, r.Type, r.Name))
		}
		for _, c := range calls {
			o := object{w: w, r: r}
			out = append(out, planCall{what: fmt.Sprintf("%s %s %s %s", c.phase, r.Type, r.Name, c.action),
				write: writes(c.action), req: callRequest(p, c, o)})
		}
	}
	for _, inv := range p.Invokes {
		calls, ok := lookupCalls[inv.Token]
		if !ok {
			missing = append(missing, fmt.Sprintf("%s: the plan calls %s, which lookupCalls (calls_test.go) does not know", p.Stack, inv.Token))
		}
		for _, c := range calls {
			o := object{w: w, invoke: inv}
			out = append(out, planCall{what: "lookup " + inv.Token + " " + c.action, lookup: true, req: callRequest(p, c, o)})
		}
	}
	if len(p.Invokes) == 0 {
		missing = append(missing, p.Stack+": the plan recorded no lookup (it looks the cluster up at least)")
	}
	return out, missing
}

// writes tells a call that may change something from a read (Get, List, Describe, Head).
func writes(action string) bool {
	_, name, _ := strings.Cut(action, ":")
	for _, read := range []string{"Get", "List", "Describe", "Head"} {
		if strings.HasPrefix(name, read) {
			return false
		}
	}
	return true
}

func worldOf(p *plan.Plan) world {
	w := world{stack: p.Stack, tags: map[string]string{}}
	for _, r := range p.Find(typetoken.AWSProvider) {
		w.region, _ = r.Value("region").(string)
		if tags, ok := r.Value("defaultTags", "tags").(map[string]any); ok {
			for k, v := range tags {
				w.tags[k] = fmt.Sprint(v)
			}
		}
	}
	return w
}

// callRequest is the request of one call: the resource, and the context AWS would give the
// conditions (tags, the role's boundary, the attached policy, the record names).
func callRequest(p *plan.Plan, c call, o object) request {
	ctx := map[string]any{}
	if c.creates {
		for k, v := range o.w.tags {
			ctx["aws:RequestTag/"+k] = v
		}
		ctx["aws:TagKeys"] = slices.Sorted(maps.Keys(o.w.tags))
	} else {
		for k, v := range o.w.tags {
			ctx["aws:ResourceTag/"+k] = v
		}
	}
	switch o.r.Type {
	case typetoken.Role:
		if b := o.in("permissionsBoundary"); b != "" {
			ctx["iam:PermissionsBoundary"] = b
		}
	case typetoken.RolePolicyAttachment:
		ctx["iam:PolicyARN"] = o.in("policyArn")
		for _, role := range p.Find(typetoken.Role) {
			if role.Value("name") == o.in("role") {
				if b, ok := role.Value("permissionsBoundary").(string); ok {
					ctx["iam:PermissionsBoundary"] = b
				}
			}
		}
	case typetoken.PodIdentityAssociation:
		if c.action == "iam:PassRole" {
			ctx = map[string]any{"iam:PassedToService": podidentity.Service}
		}
	case typetoken.Record:
		change := "UPSERT"
		if c.phase == "delete" {
			change = "DELETE"
		}
		ctx["route53:ChangeResourceRecordSetsNormalizedRecordNames"] = []string{strings.ToLower(strings.TrimSuffix(o.in("name"), "."))}
		ctx["route53:ChangeResourceRecordSetsRecordTypes"] = []string{o.in("type")}
		ctx["route53:ChangeResourceRecordSetsActions"] = []string{change}
	case typetoken.Certificate:
		names := []string{o.in("domainName")}
		if sans, ok := o.r.Value("subjectAlternativeNames").([]any); ok {
			for _, s := range sans {
				names = append(names, fmt.Sprint(s))
			}
		}
		ctx["acm:DomainNames"] = names
	}
	return request{Action: c.action, Resource: c.on(o), Context: ctx}
}

type stateCall struct {
	what  string
	write bool
	// shared: every stack's role reads it (the bucket's listing, the backend's version).
	shared bool
	req    request
}

// stateCalls are the S3 backend's calls for one stack (Pulumi's DIY backend keeps a project's
// stack under .pulumi/stacks/<project>/<stack>.json, its history and backups under
// .pulumi/{history,backups}/<project>/<stack>/ (pulumi/pulumi pkg/backend/diy), and its lock under
// .pulumi/locks/organization/<project>/<stack>/: where `pulumi cancel` of the v3.274.1 CLI
// deletes it from a file:// backend, tried).
func stateCalls(stack string) []stateCall {
	obj := func(key string) string { return "arn:aws:s3:::" + stateBucket + "/.pulumi/" + key }
	checkpoint := obj("stacks/retail-api-edge/" + stack + ".json")
	return []stateCall{
		{"state: list the bucket", false, true, request{Action: "s3:ListBucket", Resource: "arn:aws:s3:::" + stateBucket}},
		{"state: read the backend's version", false, true, request{Action: "s3:GetObject", Resource: obj("meta.yaml")}},
		{"state: read the checkpoint", false, false, request{Action: "s3:GetObject", Resource: checkpoint}},
		{"state: write the checkpoint", true, false, request{Action: "s3:PutObject", Resource: checkpoint}},
		{"state: write the checkpoint's backup copy", true, false, request{Action: "s3:PutObject", Resource: checkpoint + ".bak"}},
		{"state: take the lock", true, false, request{Action: "s3:PutObject", Resource: obj("locks/organization/retail-api-edge/" + stack + "/0f1e2d3c.json")}},
		{"state: release the lock", true, false, request{Action: "s3:DeleteObject", Resource: obj("locks/organization/retail-api-edge/" + stack + "/0f1e2d3c.json")}},
		{"state: write the history", true, false, request{Action: "s3:PutObject", Resource: obj("history/retail-api-edge/" + stack + "/" + stack + "-1.history.json")}},
		{"state: write a backup", true, false, request{Action: "s3:PutObject", Resource: obj("backups/retail-api-edge/" + stack + "/" + stack + ".1.json")}},
	}
}

type escalation struct {
	what string
	req  request
}

// escalations are what a deploy role must never do: give itself or anything more than the boundary
// allows, touch the delivery roles, the boundary, users or keys, or names outside its stack's.
func escalations(stack string) []escalation {
	iamARN := func(kind, name string) string { return "arn:aws:iam::" + account + ":" + kind + "/" + name }
	own := iamARN("role", "retail-api-edge-"+stack+"-lb-controller")
	ownPolicy := iamARN("policy", "retail-api-edge-"+stack+"-lb-controller-example")
	admin := "arn:aws:iam::aws:policy/AdministratorAccess"
	bounded := map[string]any{"iam:PermissionsBoundary": boundaryARN}
	with := func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	var out []escalation
	e := func(what, action, resource string, ctx map[string]any) {
		out = append(out, escalation{what, request{Action: action, Resource: resource, Context: ctx}})
	}
	e("attach AdministratorAccess to its stack's role", "iam:AttachRolePolicy", own, with("iam:PolicyARN", admin, "iam:PermissionsBoundary", boundaryARN))
	e("attach its stack's policy to a role outside its names", "iam:AttachRolePolicy", iamARN("role", "ops-admin"), with("iam:PolicyARN", ownPolicy, "iam:PermissionsBoundary", boundaryARN))
	e("attach its stack's policy to a role with its names but without the boundary", "iam:AttachRolePolicy",
		iamARN("role", "retail-api-edge-"+stack+"-legacy"), with("iam:PolicyARN", ownPolicy))
	e("delete a role with its names but without the boundary", "iam:DeleteRole", iamARN("role", "retail-api-edge-"+stack+"-legacy"), nil)
	e("inline policy on its stack's role", "iam:PutRolePolicy", own, bounded)
	e("create a role without a boundary", "iam:CreateRole", iamARN("role", "retail-api-edge-"+stack+"-x"), nil)
	e("create a role with AdministratorAccess as its boundary", "iam:CreateRole", iamARN("role", "retail-api-edge-"+stack+"-x"), with("iam:PermissionsBoundary", admin))
	e("create a role outside its names", "iam:CreateRole", iamARN("role", "ops-x"), bounded)
	e("swap its role's boundary for AdministratorAccess", "iam:PutRolePermissionsBoundary", own, with("iam:PermissionsBoundary", admin))
	e("remove its role's boundary", "iam:DeleteRolePermissionsBoundary", own, bounded)
	e("pass its role to a service", "iam:PassRole", own, nil)
	for _, r := range []string{deployRole(stack), previewRole(stack), deployRole("prod"), previewRole("demo")} {
		e("rewrite the trust of "+r, "iam:UpdateAssumeRolePolicy", iamARN("role", r), bounded)
		e("attach its policy to "+r, "iam:AttachRolePolicy", iamARN("role", r), with("iam:PolicyARN", ownPolicy, "iam:PermissionsBoundary", boundaryARN))
		e("assume "+r, "sts:AssumeRole", iamARN("role", r), nil)
	}
	e("rewrite the boundary", "iam:CreatePolicyVersion", boundaryARN, nil)
	e("switch the boundary's version", "iam:SetDefaultPolicyVersion", boundaryARN, nil)
	e("delete the boundary", "iam:DeletePolicy", boundaryARN, nil)
	e("create a policy outside its names", "iam:CreatePolicy", iamARN("policy", "ops-x"), nil)
	e("create a user", "iam:CreateUser", iamARN("user", "backdoor"), nil)
	e("create an access key", "iam:CreateAccessKey", iamARN("user", "admin"), nil)
	e("attach a policy to a user", "iam:AttachUserPolicy", iamARN("user", "admin"), with("iam:PolicyARN", admin))
	e("add a user to a group", "iam:AddUserToGroup", iamARN("group", "admins"), nil)
	e("change GitHub's OIDC provider", "iam:UpdateOpenIDConnectProviderThumbprint", iamARN("oidc-provider", "token.actions.githubusercontent.com"), nil)
	e("delete GitHub's OIDC provider", "iam:DeleteOpenIDConnectProvider", iamARN("oidc-provider", "token.actions.githubusercontent.com"), nil)
	e("assume an administrator role", "sts:AssumeRole", iamARN("role", "OrganizationAccountAccessRole"), nil)
	// UpdateAssumeRolePolicy on its stack's (bounded) role is allowed, so the role's trust may come
	// to name the deploy role; within one account such a trust alone lets the named principal in
	// (IAM user guide, "Policy evaluation logic", resource-based policies). Only an explicit deny
	// of sts:AssumeRole in the deploy policy refuses it.
	for _, p := range []string{session(deployRole(stack)), iamARN("role", deployRole(stack))} {
		e("assume its stack's role after rewriting its trust to name "+p, "sts:AssumeRole", own, nil)
		out[len(out)-1].req.ResourcePolicy = trustOf(p)
		e("tag a session of its stack's role whose trust names "+p, "sts:TagSession", own, with("aws:RequestTag/team", "x", "aws:TagKeys", []string{"team"}))
		out[len(out)-1].req.ResourcePolicy = trustOf(p)
	}
	e("write any bucket", "s3:PutObject", "arn:aws:s3:::other-team-bucket/x", nil)
	e("delete a record of another name in the zone", "route53:ChangeResourceRecordSets", "arn:aws:route53:::hostedzone/"+plan.HostedZoneID,
		with("route53:ChangeResourceRecordSetsNormalizedRecordNames", []string{"www.example.com"}, "route53:ChangeResourceRecordSetsActions", []string{"DELETE"},
			"route53:ChangeResourceRecordSetsRecordTypes", []string{"A"}))
	e("delete another web ACL", "wafv2:DeleteWebACL", "arn:aws:wafv2:us-east-1:"+account+":regional/webacl/other/example-id", nil)
	e("delete another stack's alarm", "cloudwatch:DeleteAlarms", "arn:aws:cloudwatch:us-east-1:"+account+":alarm:retail-api-healthy-targets-other",
		with("aws:ResourceTag/stack", "other"))
	e("delete another stack's certificate", "acm:DeleteCertificate", "arn:aws:acm:us-east-1:"+account+":certificate/other", with("aws:ResourceTag/stack", "other"))
	// Tag hijack: the tag-on-create statements allow a request that sets this stack's tag
	// (aws:RequestTag/stack); on another stack's existing resource that would make it this stack's,
	// and then every statement scoped by aws:ResourceTag/stack opens to it. So they also require
	// the resource to carry no stack tag yet (Null aws:ResourceTag/stack). The names match this
	// stack's patterns, so only the tag conditions decide. aws:ResourceTag/${TagKey} on these
	// resource types: Service Authorization Reference, "AWS Certificate Manager" (certificate),
	// "Amazon SNS" (topic), "Amazon CloudWatch" (alarm), "Amazon Elastic Kubernetes Service"
	// (podidentityassociation, addon).
	retag := with("aws:RequestTag/stack", stack, "aws:TagKeys", []string{"stack"}, "aws:ResourceTag/stack", "other")
	arn := func(service, resource string) string {
		return "arn:aws:" + service + ":us-east-1:" + account + ":" + resource
	}
	e("retag another stack's certificate as its own", "acm:AddTagsToCertificate", arn("acm", "certificate/other"), retag)
	e("retag another stack's SNS topic as its own", "sns:TagResource", arn("sns", "retail-api-alarms-other"), retag)
	e("retag another stack's CloudWatch alarm as its own", "cloudwatch:TagResource", arn("cloudwatch", "alarm:retail-api-healthy-targets-other"), retag)
	e("overwrite another stack's CloudWatch alarm, with its own tag", "cloudwatch:PutMetricAlarm", arn("cloudwatch", "alarm:retail-api-healthy-targets-other"), retag)
	e("retag another stack's EKS Pod Identity association as its own", "eks:TagResource",
		arn("eks", "podidentityassociation/mlops-retail-cluster/a-other0000000000001"), retag)
	e("retag another stack's EKS add-on as its own", "eks:TagResource", arn("eks", "addon/mlops-retail-cluster/eks-pod-identity-agent/other"), retag)
	return out
}

// trustOf is a trust policy that lets principal assume the role and tag its session.
func trustOf(principal string) map[string]any {
	return map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
		"Effect": "Allow", "Principal": map[string]any{"AWS": principal}, "Action": []any{"sts:AssumeRole", "sts:TagSession"},
	}}}
}

// allowAll stands in for AdministratorAccess (whose text is not here) or any widened statement.
var allowAll = map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Allow", "Action": "*", "Resource": "*"}}}

// explicitDenies are what a deploy role must be refused even with an allow-all policy beside its
// own (AdministratorAccess attached by mistake, a statement widened to "*"): only its Deny
// statements refuse these, so each case fails if its deny is gone. IAM users and groups
// (iam:* on user/* and group/*, NoUsersOrGroups), assuming any role or tagging a session
// (NoAssumingAnyRole), the delivery roles and the boundary, inline role policies, unbounding,
// and passing a role to anything but EKS Pod Identity.
func explicitDenies(stack string) []escalation {
	iamARN := func(kind, name string) string { return "arn:aws:iam::" + account + ":" + kind + "/" + name }
	own := iamARN("role", "retail-api-edge-"+stack+"-lb-controller")
	var out []escalation
	e := func(what, action, resource string, ctx map[string]any) {
		out = append(out, escalation{what, request{Action: action, Resource: resource, Context: ctx}})
	}
	e("create a user", "iam:CreateUser", iamARN("user", "backdoor"), nil)
	e("create an access key", "iam:CreateAccessKey", iamARN("user", "admin"), nil)
	e("add a user to a group", "iam:AddUserToGroup", iamARN("group", "admins"), nil)
	e("create a group", "iam:CreateGroup", iamARN("group", "backdoor"), nil)
	e("create a service-specific credential", "iam:CreateServiceSpecificCredential", iamARN("user", "admin"), nil)
	e("upload an SSH public key", "iam:UploadSSHPublicKey", iamARN("user", "admin"), nil)
	e("remove a user's boundary", "iam:DeleteUserPermissionsBoundary", iamARN("user", "admin"), nil)
	e("assume its stack's role", "sts:AssumeRole", own, nil)
	e("assume an administrator role", "sts:AssumeRole", iamARN("role", "OrganizationAccountAccessRole"), nil)
	e("tag a session", "sts:TagSession", own, map[string]any{"aws:RequestTag/team": "x", "aws:TagKeys": []string{"team"}})
	e("rewrite the trust of its deploy role", "iam:UpdateAssumeRolePolicy", iamARN("role", deployRole(stack)), nil)
	e("attach a policy to its preview role", "iam:AttachRolePolicy", iamARN("role", previewRole(stack)),
		map[string]any{"iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess"})
	e("rewrite the boundary", "iam:CreatePolicyVersion", boundaryARN, nil)
	e("inline policy on its stack's role", "iam:PutRolePolicy", own, nil)
	e("remove its role's boundary", "iam:DeleteRolePermissionsBoundary", own, nil)
	e("pass its role to EC2", "iam:PassRole", own, map[string]any{"iam:PassedToService": "ec2.amazonaws.com"})
	return out
}

// boundaryCaps: a role made with the boundary does at most what the boundary allows, even with
// everything attached (allowAll).
func (f *fixture) boundaryCaps() []check {
	role := "retail-api-edge-prod-lb-controller"
	c := func(what, action, resource string, allow bool) check {
		return check{group: "the boundary caps every role the program creates", what: what, allow: allow, req: request{
			Mode: "strict", Principal: session(role), ResourceAccount: account, Action: action, Resource: resource,
			Identity: []any{allowAll}, Boundary: f.setup.Policies[boundaryName],
		}}
	}
	iamARN := func(kind, name string) string { return "arn:aws:iam::" + account + ":" + kind + "/" + name }
	return []check{
		c("still runs the controller: create a load balancer", "elasticloadbalancing:CreateLoadBalancer", "*", true),
		c("create a user", "iam:CreateUser", iamARN("user", "backdoor"), false),
		c("create a role", "iam:CreateRole", iamARN("role", "x"), false),
		c("attach a policy to the deploy role", "iam:AttachRolePolicy", iamARN("role", deployRole("prod")), false),
		c("assume the deploy role", "sts:AssumeRole", iamARN("role", deployRole("prod")), false),
		c("read the state", "s3:GetObject", "arn:aws:s3:::"+stateBucket+"/.pulumi/stacks/retail-api-edge/prod.json", false),
		c("read secrets", "secretsmanager:GetSecretValue", "arn:aws:secretsmanager:us-east-1:"+account+":secret:db-AbCdEf", false),
		c("rewrite the boundary", "iam:CreatePolicyVersion", boundaryARN, false),
	}
}

// controllerFitsTheBoundary: every action of the controller's official policy (as the plan creates
// it) is within the boundary, with the context its conditions ask for, so the boundary does not
// break the controller. The request is on "*" under an allow-all identity policy: what is asked is
// the boundary's verdict on the action (iam-data files ELBv2's AddTags under the classic load
// balancer's resource type only, so ELBv2 ARNs cannot be evaluated for it).
func (f *fixture) controllerFitsTheBoundary() []check {
	var out []check
	for _, p := range f.plans {
		for _, pol := range p.Find(typetoken.Policy) {
			var doc struct {
				Statement []struct {
					Action    []string
					Resource  any
					Condition map[string]map[string]any
				}
			}
			text, _ := pol.Value("policy").(string)
			if err := json.Unmarshal([]byte(text), &doc); err != nil {
				out = append(out, check{group: "the controller keeps its permissions", what: "parse the policy: " + err.Error(), allow: true})
				continue
			}
			for _, s := range doc.Statement {
				ctx := map[string]any{}
				for op, kv := range s.Condition {
					for k, v := range kv {
						switch {
						case op == "Null" && v == "false":
							ctx[k] = "example"
						case op == "StringEquals":
							if list, ok := v.([]any); ok {
								v = list[0]
							}
							ctx[k] = fmt.Sprint(v)
						}
					}
				}
				for _, a := range s.Action {
					out = append(out, check{group: "the controller keeps its permissions under the boundary", what: p.Stack + ": " + a, allow: true,
						req: request{Mode: "strict", Principal: session("retail-api-edge-" + p.Stack + "-lb-controller"), ResourceAccount: account,
							Action: a, Resource: "*", Context: ctx, Identity: []any{allowAll}, Boundary: f.setup.Policies[boundaryName]}})
				}
			}
		}
	}
	return out
}

// job is the claims of a GitHub Actions OIDC token that a trust policy looks at: sub
// ("repo:OWNER/REPO:environment:NAME" in an environment, "repo:OWNER/REPO:pull_request" for a pull
// request, else "repo:OWNER/REPO:ref:REF"), aud (configure-aws-credentials asks for
// sts.amazonaws.com) and job_workflow_ref ("OWNER/REPO/.github/workflows/FILE@REF": GitHub docs,
// "OpenID Connect reference", token claims; AWS's STS condition keys include
// token.actions.githubusercontent.com:job_workflow_ref, Service Authorization Reference for STS).
type job struct {
	name, sub, workflow, aud string
}

func (f *fixture) githubTrust() []check {
	wf := func(r, file, ref string) string { return r + "/.github/workflows/" + file + "@" + ref }
	const main = "refs/heads/main"
	pr := "refs/pull/7/merge"
	jobs := []job{
		{"deploy.yml in demo", "repo:" + repo + ":environment:demo", wf(repo, "deploy.yml", main), ""},
		{"destroy.yml in demo", "repo:" + repo + ":environment:demo", wf(repo, "destroy.yml", main), ""},
		{"scheduled-destroy.yml in demo", "repo:" + repo + ":environment:demo", wf(repo, "scheduled-destroy.yml", main), ""},
		{"deploy.yml in prod", "repo:" + repo + ":environment:prod", wf(repo, "deploy.yml", main), ""},
		{"destroy.yml in prod", "repo:" + repo + ":environment:prod", wf(repo, "destroy.yml", main), ""},
		{"scheduled-destroy.yml in prod", "repo:" + repo + ":environment:prod", wf(repo, "scheduled-destroy.yml", main), ""},
		{"a pull request's preview", "repo:" + repo + ":pull_request", wf(repo, "preview.yml", pr), ""},
		{"an approved prod preview", "repo:" + repo + ":environment:prod-preview", wf(repo, "preview.yml", pr), ""},
		{"a fork's own pull request run", "repo:someone/retail-api-edge:pull_request", wf("someone/retail-api-edge", "preview.yml", pr), ""},
		{"a fork's own environment", "repo:someone/retail-api-edge:environment:demo", wf("someone/retail-api-edge", "deploy.yml", main), ""},
		{"another repository's deploy", "repo:mlops-retail/other:environment:prod", wf("mlops-retail/other", "deploy.yml", main), ""},
		{"a branch job (no environment)", "repo:" + repo + ":ref:" + main, wf(repo, "deploy.yml", main), ""},
		{"deploy.yml in demo, dispatched on a branch", "repo:" + repo + ":environment:demo", wf(repo, "deploy.yml", "refs/heads/feature"), ""},
		{"deploy.yml in prod, from a pull request", "repo:" + repo + ":environment:prod", wf(repo, "deploy.yml", pr), ""},
		{"another workflow in prod", "repo:" + repo + ":environment:prod", wf(repo, "ci.yml", main), ""},
		{"deploy.yml in prod, another audience", "repo:" + repo + ":environment:prod", wf(repo, "deploy.yml", main), "https://github.com/mlops-retail"},
	}
	accepts := map[string][]string{
		deployRole("demo"):  {"deploy.yml in demo", "destroy.yml in demo", "scheduled-destroy.yml in demo"},
		deployRole("prod"):  {"deploy.yml in prod", "destroy.yml in prod"},
		previewRole("demo"): {"a pull request's preview"},
		previewRole("prod"): {"an approved prod preview"},
	}
	issuer := "token.actions.githubusercontent.com"
	var out []check
	for _, name := range slices.Sorted(maps.Keys(accepts)) {
		for _, j := range jobs {
			aud := j.aud
			if aud == "" {
				aud = "sts.amazonaws.com"
			}
			out = append(out, check{group: "GitHub trust accepts only the intended jobs", what: name + " assumed by " + j.name,
				allow: slices.Contains(accepts[name], j.name), req: request{
					Mode: "trust", Principal: "arn:aws:iam::" + account + ":oidc-provider/" + issuer,
					Action: "sts:AssumeRoleWithWebIdentity", Resource: "arn:aws:iam::" + account + ":role/" + name, ResourceAccount: account,
					Context:        map[string]any{issuer + ":sub": j.sub, issuer + ":aud": aud, issuer + ":job_workflow_ref": j.workflow},
					ResourcePolicy: f.setup.Roles[name].Trust,
				}})
		}
	}
	return out
}

// irsaTrust: the controller's role, as the plan creates it, trusts only the controller's service
// account, through the cluster's OIDC provider, with STS's audience.
func (f *fixture) irsaTrust() []check {
	var out []check
	for _, p := range f.plans {
		for _, r := range p.Find(typetoken.Role) {
			text, _ := r.Value("assumeRolePolicy").(string)
			var trust any
			if err := json.Unmarshal([]byte(text), &trust); err != nil || !strings.Contains(text, `"Federated"`) {
				continue // podIdentityTrust checks the other kind
			}
			issuer := strings.TrimPrefix(plan.OIDCIssuer(worldOf(p).region), "https://")
			provider := "arn:aws:iam::" + account + ":oidc-provider/" + issuer
			sa := "system:serviceaccount:kube-system:aws-load-balancer-controller"
			c := func(what, principal, sub, aud string, allow bool) check {
				return check{group: "the IRSA trust admits only the controller", what: p.Stack + ": " + what, allow: allow, req: request{
					Mode: "trust", Principal: principal, Action: "sts:AssumeRoleWithWebIdentity",
					Resource: "arn:aws:iam::" + account + ":role/" + fmt.Sprint(r.Value("name")), ResourceAccount: account,
					Context: map[string]any{issuer + ":sub": sub, issuer + ":aud": aud}, ResourcePolicy: trust,
				}}
			}
			out = append(out,
				c("the controller's service account", provider, sa, "sts.amazonaws.com", true),
				c("another service account in kube-system", provider, "system:serviceaccount:kube-system:default", "sts.amazonaws.com", false),
				c("the same name in the app's namespace", provider, "system:serviceaccount:mlops:aws-load-balancer-controller", "sts.amazonaws.com", false),
				c("another audience", provider, sa, "https://kubernetes.default.svc", false),
				c("another cluster's provider", "arn:aws:iam::"+account+":oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/OTHERCLUSTER", sa, "sts.amazonaws.com", false),
			)
		}
	}
	return out
}

// podIdentityTrust: the controller's Pod Identity role, as the variants' plans create it, may be
// assumed by EKS Pod Identity (pods.eks.amazonaws.com) with sts:AssumeRole and sts:TagSession, with
// the session tags EKS sends for the controller's service account (EKS user guide,
// pod-id-role.adoc), and by nothing else: not another service account's association, not another
// service, not the account, not with another action.
func (f *fixture) podIdentityTrust() []check {
	var out []check
	const ns, sa = "kube-system", "aws-load-balancer-controller"
	for _, v := range f.variants {
		roles := v.plan.Find(typetoken.Role)
		if len(roles) == 0 {
			out = append(out, check{group: "the Pod Identity trust admits only the controller", what: v.name + ": the plan has no role", allow: true})
			continue
		}
		for _, r := range roles {
			text, _ := r.Value("assumeRolePolicy").(string)
			var trust any
			if err := json.Unmarshal([]byte(text), &trust); err != nil {
				continue
			}
			tags := func(namespace, account string) map[string]any {
				return map[string]any{
					"aws:RequestTag/kubernetes-namespace": namespace, "aws:RequestTag/kubernetes-service-account": account,
					"aws:RequestTag/eks-cluster-name": "mlops-retail-cluster", "aws:TagKeys": []string{"eks-cluster-name", "kubernetes-namespace", "kubernetes-service-account"},
				}
			}
			c := func(what, principal, action string, ctx map[string]any, allow bool) check {
				return check{group: "the Pod Identity trust admits only the controller", what: v.name + ": " + what, allow: allow, req: request{
					Mode: "strict", Principal: principal, Action: action,
					Resource: "arn:aws:iam::" + account + ":role/" + fmt.Sprint(r.Value("name")), ResourceAccount: account,
					Context: ctx, ResourcePolicy: trust,
				}}
			}
			pods := podidentity.Service
			out = append(out,
				c("EKS Pod Identity assumes it for the controller", pods, "sts:AssumeRole", tags(ns, sa), true),
				c("EKS Pod Identity tags the session", pods, "sts:TagSession", tags(ns, sa), true),
				c("EKS Pod Identity for another service account", pods, "sts:AssumeRole", tags(ns, "default"), false),
				c("EKS Pod Identity for the same name in the app's namespace", pods, "sts:AssumeRole", tags("mlops", sa), false),
				c("EKS Pod Identity without session tags", pods, "sts:AssumeRole", nil, false),
				c("EKS Pod Identity with web identity", pods, "sts:AssumeRoleWithWebIdentity", tags(ns, sa), false),
				c("EC2 assumes it", "ec2.amazonaws.com", "sts:AssumeRole", tags(ns, sa), false),
				c("the account's root assumes it", "arn:aws:iam::"+account+":root", "sts:AssumeRole", tags(ns, sa), false),
				c("another account's role assumes it", "arn:aws:iam::999999999999:role/x", "sts:AssumeRole", tags(ns, sa), false),
			)
		}
	}
	return out
}

// logBucketPolicy: the access-log bucket, as the plan creates it, takes ELB's log delivery under
// the prefix, over TLS, and nothing else.
func (f *fixture) logBucketPolicy() []check {
	var out []check
	allowAll := map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}}
	for _, p := range f.plans {
		for _, r := range p.Find(typetoken.BucketPolicy) {
			var doc any
			text, _ := r.Value("policy").(string)
			if json.Unmarshal([]byte(text), &doc) != nil {
				continue
			}
			bucket := "arn:aws:s3:::" + fmt.Sprint(r.Value("bucket"))
			logs := bucket + "/retail-api/AWSLogs/" + account + "/elasticloadbalancing/us-east-1/2026/12/01/example.log.gz"
			c := func(what, principal, action, resource string, tls bool, identity []any, allow bool) check {
				return check{group: "the log bucket takes only log delivery", what: p.Stack + ": " + what, allow: allow, req: request{
					Mode: "strict", Principal: principal, Action: action, Resource: resource, ResourceAccount: account,
					Context: map[string]any{"aws:SecureTransport": fmt.Sprint(tls)}, Identity: identity, ResourcePolicy: doc,
				}}
			}
			// The ELB account and a stranger's user stand in with allow-all identity policies: only
			// the bucket policy can refuse them.
			elb, stranger := plan.ELBAccountArn, "arn:aws:iam::999999999999:user/stranger"
			const delivery = "logdelivery.elasticloadbalancing.amazonaws.com"
			out = append(out,
				c("log delivery writes a log", delivery, "s3:PutObject", logs, true, nil, true),
				c("the region's ELB account writes a log", elb, "s3:PutObject", logs, true, []any{allowAll}, true),
				c("log delivery writes outside the prefix", delivery, "s3:PutObject", bucket+"/other/x", true, nil, false),
				c("log delivery reads a log", delivery, "s3:GetObject", logs, true, nil, false),
				c("log delivery without TLS", delivery, "s3:PutObject", logs, false, nil, false),
				c("another account writes a log", stranger, "s3:PutObject", logs, true, []any{allowAll}, false),
				c("another account reads a log", stranger, "s3:GetObject", logs, true, []any{allowAll}, false),
			)
		}
	}
	return out
}
