// Package stackplan runs the program offline on a stack's configuration: the same stacks.RunWith
// that `pulumi up` runs, with Pulumi's mocks in place of the engine. edgectl and the tests link it;
// the program (main.go) does not, so `pulumi up` carries no mock runner.
package stackplan

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/internal/plan"
	"github.com/mlops-retail/retail-api-edge/internal/stackconfig"
	"github.com/mlops-retail/retail-api-edge/stacks"
)

// Plan is the offline plan of st.
func Plan(st *stackconfig.Stack) (*plan.Plan, error) {
	return plan.Run(plan.Options{
		Project: st.Project, Stack: st.Stack, Config: st.Config, SecretKeys: st.SecretKeys,
		Region: st.Config[stacks.RegionKey],
	}, func(ctx *pulumi.Context) (pulumi.Map, error) {
		return stacks.RunWith(ctx, st.Config, st.SecretKeys, nil)
	})
}
