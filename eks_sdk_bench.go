//go:build eks_sdk

// This file exists for scripts/buildbench only: built with -tags eks_sdk, the program also links
// the pulumi-eks Go SDK, which shows what importing it (instead of internal/eksres) would cost.
package main

import _ "github.com/pulumi/pulumi-eks/sdk/v2/go/eks"
