package awsstandin

import (
	"strings"
	"testing"

	"github.com/mlops-retail/retail-api-edge/internal/typetoken"
)

const (
	testCluster = "c1"
	testRoleArn = "arn:aws:iam::123456789012:role/lbc"
)

// eksLedger has one role, and an association of sa kube-system/lbc in cluster c1 to it.
func eksLedger() *Ledger {
	return &Ledger{Objects: map[string]Object{
		key(typetoken.Role, "lbc"): {Type: typetoken.Role, ID: "lbc", Props: map[string]any{"name": "lbc", "arn": testRoleArn}},
		key(typetoken.PodIdentityAssociation, "a-1"): {Type: typetoken.PodIdentityAssociation, ID: "a-1", Props: map[string]any{
			"clusterName": testCluster, "namespace": "kube-system", "serviceAccount": "lbc", "roleArn": testRoleArn}},
	}}
}

var eksWorld = World{Account: "123456789012", Clusters: map[string]Cluster{testCluster: {Addons: []string{"eks-pod-identity-agent"}}}}

// TestPodIdentityAssociationCreate: what CreatePodIdentityAssociation refuses.
func TestPodIdentityAssociationCreate(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cluster string
		sa      string
		role    string
		wantErr string // "" for a new association
	}{
		{"another service account", testCluster, "other", testRoleArn, ""},
		{"no such cluster", "c2", "other", testRoleArn, "ResourceNotFoundException"},
		{"no such role", testCluster, "other", "arn:aws:iam::123456789012:role/gone", "Role provided in the request does not exist"},
		{"the same service account again", testCluster, "lbc", testRoleArn, "ResourceInUseException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := map[string]any{"clusterName": tc.cluster, "namespace": "kube-system", "serviceAccount": tc.sa, "roleArn": tc.role}
			id, out, err := podIdentityAssociationKind.create(&createContext{in: in, region: "us-east-1", world: eksWorld, ledger: eksLedger()})
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("got %v, want an association", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("got %v, want an error with %q", err, tc.wantErr)
			case err == nil && (out["associationId"] != id || !strings.HasSuffix(str(out, "associationArn"), ":podidentityassociation/c1/"+id)):
				t.Errorf("id %s, outputs %v: want associationId the ID and associationArn ending podidentityassociation/c1/<id>", id, out)
			}
		})
	}
}

// TestGetAddon: found in the world or the ledger, else the provider's not-found text, which
// components/podidentity tells from other failures.
func TestGetAddon(t *testing.T) {
	l := eksLedger()
	l.Objects[key(typetoken.EKSAddon, "c1:vpc-cni")] = Object{Type: typetoken.EKSAddon, ID: "c1:vpc-cni",
		Props: map[string]any{"clusterName": testCluster, "addonName": "vpc-cni", "arn": "arn:aws:eks:us-east-1:123456789012:addon/c1/vpc-cni/x"}}
	for _, tc := range []struct {
		cluster, addon string
		found          bool
	}{
		{testCluster, "eks-pod-identity-agent", true},
		{testCluster, "vpc-cni", true},
		{testCluster, "coredns", false},
		{"c2", "eks-pod-identity-agent", false},
	} {
		out, err := getAddon(eksWorld, *l, "us-east-1", map[string]any{"clusterName": tc.cluster, "addonName": tc.addon})
		switch {
		case tc.found && (err != nil || out["id"] != tc.cluster+":"+tc.addon):
			t.Errorf("%s/%s: got %v, %v; want the add-on", tc.cluster, tc.addon, out, err)
		case !tc.found && (err == nil || !strings.Contains(err.Error(), "couldn't find resource")):
			t.Errorf("%s/%s: got %v; want the not-found error", tc.cluster, tc.addon, err)
		}
	}
	_, _, err := addonKind.create(&createContext{in: map[string]any{"clusterName": testCluster, "addonName": "eks-pod-identity-agent"},
		world: eksWorld, ledger: l})
	if err == nil || !strings.Contains(err.Error(), "ResourceInUseException") {
		t.Errorf("creating an add-on the cluster has: got %v, want ResourceInUseException", err)
	}
}
