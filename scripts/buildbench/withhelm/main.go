//go:build withhelm

// Command withhelm is the program as it would be with the pulumi-kubernetes helm/v3 package linked
// in (which imports every Kubernetes API group), the one SDK package the program avoids
// (internal/helmres). Only scripts/buildbench/run builds it, with -tags withhelm.
package main

import (
	_ "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/helm/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/stacks"
)

func main() {
	pulumi.Run(stacks.Run)
}
