//go:build baseline

// Command baseline is the naive import set this project avoids, kept only as the benchmark's
// point of comparison (scripts/buildbench/run). The build tag keeps it out of every normal build.
package main

import (
	_ "github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	_ "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/acm"
	_ "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	_ "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	_ "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	_ "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	_ "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/wafv2"
	_ "github.com/pulumi/pulumi-eks/sdk/v2/go/eks"
	_ "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	_ "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	_ "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/helm/v3"
	_ "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func main() {
	pulumi.Run(func(*pulumi.Context) error { return nil })
}
