// Command retail-api-edge is the Pulumi program: it puts the Retail prediction API on a public,
// health-checked load balancer (Option A) or behind an ALB Ingress (Option B), as the stack's
// configuration says. All of it lives in package stacks; `edgectl plan` runs the same code offline.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/stacks"
)

func main() {
	pulumi.Run(stacks.Run)
}
