// Package stackplan runs the program offline on a stack's configuration: the same stacks.RunWith
// that `pulumi up` runs, with Pulumi's mocks in place of the engine. edgectl and the tests (the
// stacks package's own included) link it; the program (main.go) does not, so `pulumi up` carries
// no mock runner.
package stackplan

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/internal/plan"
	"github.com/mlops-retail/retail-api-edge/internal/stackconfig"
	"github.com/mlops-retail/retail-api-edge/stacks"
)

// Options change what the offline run sees; the zero value is `edgectl plan`'s.
type Options struct {
	// Cluster reads the cluster for the ownership checks; nil skips them.
	Cluster stacks.ClusterReader
	// FailingLookups make these provider functions fail (plan.Options).
	FailingLookups map[string]string
	// Answers override fields of the placeholder lookup results (plan.Options).
	Answers map[string]map[string]any
}

// Plan is the offline plan of st, as `edgectl plan` makes it.
func Plan(st *stackconfig.Stack) (*plan.Plan, error) { return PlanWith(st, Options{}) }

// PlanWith is the offline plan of st with o.
func PlanWith(st *stackconfig.Stack, o Options) (*plan.Plan, error) {
	return plan.Run(plan.Options{
		Project: st.Project, Stack: st.Stack, Config: st.Config, SecretKeys: st.SecretKeys,
		Region: st.Config[stacks.RegionKey], FailingLookups: o.FailingLookups, Answers: o.Answers,
	}, func(ctx *pulumi.Context) (pulumi.Map, error) {
		return stacks.RunWith(ctx, st.Config, st.SecretKeys, o.Cluster)
	})
}
