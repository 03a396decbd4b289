package stacks

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/internal/plan"
	"github.com/mlops-retail/retail-api-edge/internal/stackconfig"
)

// Plan runs this program offline on a stack's configuration: the same RunWith that `pulumi up`
// runs, with mocks in place of the engine.
func Plan(st *stackconfig.Stack) (*plan.Plan, error) {
	return plan.Run(plan.Options{
		Project: st.Project, Stack: st.Stack, Config: st.Config, SecretKeys: st.SecretKeys,
		Region: st.Config[RegionKey],
	}, func(ctx *pulumi.Context) (pulumi.Map, error) {
		return RunWith(ctx, st.Config, st.SecretKeys, nil)
	})
}
