package stacks_test

import (
	"strings"
	"testing"

	"github.com/mlops-retail/retail-api-edge/internal/ownership/ownershiptest"
	"github.com/mlops-retail/retail-api-edge/internal/stackconfig"
	"github.com/mlops-retail/retail-api-edge/internal/stackplan"
	"github.com/mlops-retail/retail-api-edge/internal/typetoken"
	"github.com/mlops-retail/retail-api-edge/stacks"
)

// Option B's preflight (pulumi preview, where the cluster is read) refuses a VPC whose public
// subnets an internet-facing ALB cannot use, before anything is registered, naming what it found
// and the fix. The placeholders stand in for DescribeSubnets: three subnets in three zones, tagged.
func TestPublicSubnetPreflight(t *testing.T) {
	optionB := stacks.With(stacks.K("exposure"), "ingress")
	for _, tt := range []struct {
		name    string
		raw     map[string]string
		subnet  map[string]any // every subnet's answer, over the placeholders'
		offline bool
		want    []string // substrings of the refusal; none: it passes
	}{
		{"tagged in three zones", optionB, nil, false, nil},
		{"all in one zone", optionB, map[string]any{"availabilityZone": "us-east-1a"}, false,
			[]string{"in 1 availability zone(s) [us-east-1a: ", "needs them in 2", "Key=kubernetes.io/role/elb,Value=1"}},
		{"tagged 0", optionB, map[string]any{"tags": map[string]any{"kubernetes.io/role/elb": "0"}}, false,
			[]string{"in 0 availability zone(s)", `kubernetes.io/role/elb="0"`}},
		{"tagged for another cluster", optionB, map[string]any{"tags": map[string]any{"kubernetes.io/role/elb": "1",
			"kubernetes.io/cluster/other": "shared"}}, false, []string{"tagged for another cluster: other"}},
		{"tagged for this one too", optionB, map[string]any{"tags": map[string]any{"kubernetes.io/role/elb": "1",
			"kubernetes.io/cluster/other": "shared", "kubernetes.io/cluster/mlops-retail-cluster": "shared"}}, false, nil},
		{"full subnets", optionB, map[string]any{"availableIpAddressCount": 3}, false, []string{"3 free addresses, fewer than 8"}},
		{"Option A is not checked", stacks.With(), map[string]any{"availabilityZone": "us-east-1a"}, false, nil},
		{"offline (edgectl plan) skips it", optionB, map[string]any{"availabilityZone": "us-east-1a"}, true, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := stackplan.Options{Answers: map[string]map[string]any{typetoken.GetSubnet: tt.subnet}}
			if !tt.offline {
				o.Cluster = ownershiptest.Cluster{}.Open
			}
			p, err := stackplan.PlanWith(&stackconfig.Stack{Project: stacks.Project, Stack: "test", Config: tt.raw}, o)
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			for _, w := range tt.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Fatalf("want a refusal saying %q, got %v", w, err)
				}
			}
			if p != nil && len(p.Find("kubernetes:networking.k8s.io/v1:Ingress")) > 0 {
				t.Error("the refusal must come before anything is registered")
			}
		})
	}
}
