package lbcontroller

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
)

// officialDigest is the SHA-256 of the canonical JSON (keys sorted, no spaces) of
// docs/install/iam_policy.json at tag v3.5.0 of kubernetes-sigs/aws-load-balancer-controller.
// Any statement, action, resource or condition that differs from it changes the digest.
const officialDigest = "bb9e48240ace4258c78d152ce98175ee6a118f0715faad4ff5a3e394c9d66171"

// officialActionCount is how many distinct actions that policy grants.
const officialActionCount = 80

func canonical(t *testing.T, doc []byte) []byte {
	t.Helper()
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func TestPolicyIsTheOfficialOne(t *testing.T) {
	got := canonical(t, []byte(controllerPolicy("aws").JSON()))
	if d := digest(got); d != officialDigest {
		t.Errorf("policy digest %s differs from the official %s policy (%s); set LBC_IAM_POLICY to the upstream "+
			"iam_policy.json to see the difference", d, PolicyVersion, officialDigest)
	}
	// With the upstream file at hand, show the difference instead of a digest.
	if path := os.Getenv("LBC_IAM_POLICY"); path != "" {
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if w := canonical(t, want); string(w) != string(got) {
			t.Errorf("policy differs from %s:\n got %s\nwant %s", path, got, w)
		}
	}
}

func TestPolicyGrantsWhatTheControllerNeeds(t *testing.T) {
	doc := controllerPolicy("aws")
	actions := doc.Actions()
	if len(actions) != officialActionCount {
		t.Errorf("policy grants %d distinct actions, the official one %d", len(actions), officialActionCount)
	}
	// Actions older policies lack; without them the controller fails with 403s.
	for _, a := range []string{
		"elasticloadbalancing:DescribeListenerAttributes", "ec2:GetSecurityGroupsForVpc",
		"wafv2:AssociateWebACL", "elasticloadbalancing:SetWebAcl", "elasticloadbalancing:DeleteLoadBalancer",
		"elasticloadbalancing:DeleteTargetGroup", "ec2:DeleteSecurityGroup", "acm:DescribeCertificate",
	} {
		if !slices.Contains(actions, a) {
			t.Errorf("policy lacks %s", a)
		}
	}
	for _, a := range actions {
		if strings.HasSuffix(a, ":*") || a == "*" {
			t.Errorf("wildcard action %s grants more than the controller needs", a)
		}
	}
}

func TestDestructiveActionsNeedTheClusterTag(t *testing.T) {
	destructive := []string{"elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:DeleteTargetGroup", "ec2:DeleteSecurityGroup"}
	for _, s := range controllerPolicy("aws").Statement {
		for _, a := range s.Action {
			if !slices.Contains(destructive, a) {
				continue
			}
			if s.Condition["Null"][resourceTag] != "false" {
				t.Errorf("%s must only apply to resources tagged %s, got condition %v", a, clusterTagKey, s.Condition)
			}
		}
	}
}

func TestPartitionInARNs(t *testing.T) {
	js := controllerPolicy("aws-cn").JSON()
	if strings.Contains(js, "arn:aws:") || !strings.Contains(js, "arn:aws-cn:elasticloadbalancing") {
		t.Error("ARNs must use the region's partition")
	}
}
