package iam

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/mlops-retail/retail-api-edge/internal/plan"
)

// readOnlyExceptions are actions a preview role may be allowed although their names do not say
// read (Get, List, Describe, Head), each with the reason. None today: add one only with a reason a
// reviewer can check.
var readOnlyExceptions = map[string]string{}

// secretReads are reads that hand out credentials or secrets: read-only by name, but a pull
// request's code holding them could act as someone else or read what it must not (STS API
// reference: GetFederationToken and GetSessionToken return credentials; ECR's
// GetAuthorizationToken returns a registry password; Secrets Manager's GetSecretValue and SSM's
// GetParameter(s) return secrets). A preview role must not be allowed them, by name or wildcard.
var secretReads = []string{
	"sts:GetFederationToken", "sts:GetSessionToken", "ecr:GetAuthorizationToken",
	"secretsmanager:GetSecretValue", "ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath",
}

// readOnlyProblem says why an action of an Allow statement is not read-only, or "" when it is.
// Wildcards count as what they may match: "s3:Get*" is a read, "s3:*" and "*" are not.
func readOnlyProblem(action string) string {
	if reason, ok := readOnlyExceptions[action]; ok && reason != "" {
		return ""
	}
	if writes(action) {
		return "not a Get/List/Describe/Head action"
	}
	glob := regexp.MustCompile("(?i)^" + strings.NewReplacer(`\*`, ".*", `\?`, ".").Replace(regexp.QuoteMeta(action)) + "$")
	if i := slices.IndexFunc(secretReads, glob.MatchString); i >= 0 {
		return "reads credentials or secrets (" + secretReads[i] + ")"
	}
	return ""
}

// TestReadOnlyProblem: the check refuses what a careless edit would add to a preview policy.
func TestReadOnlyProblem(t *testing.T) {
	for _, c := range []struct {
		action   string
		readOnly bool
	}{
		{"eks:DescribeCluster", true},
		{"s3:GetObject", true},
		{"route53:List*", true},
		{"s3:PutObject", false},
		{"iam:PassRole", false},
		{"sts:AssumeRole", false},
		{"s3:*", false},
		{"*", false},
		{"sts:GetSessionToken", false},
		{"sts:Get*", false},
		{"secretsmanager:GetSecretValue", false},
	} {
		if got := readOnlyProblem(c.action) == ""; got != c.readOnly {
			t.Errorf("%s: read-only %v, want %v", c.action, got, c.readOnly)
		}
	}
}

// TestPreviewRolesOnlyRead: every action each preview role is allowed (its inline policies, as the
// set-up steps put them) only reads. Pull request code runs with these roles, so a write, a
// NotAction (everything but a list) or a credential read there is a write credential in a PR.
// Which objects the reads reach (the state bucket) is TestPolicies' to check.
func TestPreviewRolesOnlyRead(t *testing.T) {
	s, err := readSetup(root, map[string]string{"ACCOUNT_ID": account, "OWNER/REPO": repo, "STATE_BUCKET": stateBucket, "HOSTED_ZONE_ID": plan.HostedZoneID})
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, name := range s.names() {
		if !strings.HasPrefix(name, previewRole("")) {
			continue
		}
		seen++
		r := s.Roles[name]
		if len(r.Policies) == 0 {
			t.Errorf("%s has no policy: the set-up steps give it none", name)
		}
		for i, p := range r.Policies {
			for j, st := range policyStatements(p) {
				where := fmt.Sprintf("%s, policy %d, statement %d (%v)", name, i, j, st["Sid"])
				if st["Effect"] != "Allow" {
					continue
				}
				if _, ok := st["NotAction"]; ok {
					t.Errorf("%s: an Allow with NotAction allows everything it does not list", where)
				}
				for _, a := range toStrings(st["Action"]) {
					if why := readOnlyProblem(a); why != "" {
						t.Errorf("%s: %s: %s", where, a, why)
					}
				}
			}
		}
	}
	if seen == 0 {
		t.Fatal("the set-up steps create no preview role")
	}
}

// policyStatements are a policy document's statements (IAM takes one statement or a list).
func policyStatements(doc any) []map[string]any {
	var out []map[string]any
	switch st := doc.(map[string]any)["Statement"].(type) {
	case map[string]any:
		out = append(out, st)
	case []any:
		for _, s := range st {
			if m, ok := s.(map[string]any); ok {
				out = append(out, m)
			}
		}
	}
	return out
}
