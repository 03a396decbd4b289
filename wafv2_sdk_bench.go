//go:build wafv2_sdk

// This file exists for scripts/buildbench only: built with -tags wafv2_sdk, the program also links
// the pulumi-aws wafv2 package, which shows what importing it (instead of internal/awsres) would cost.
package main

import _ "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/wafv2"
