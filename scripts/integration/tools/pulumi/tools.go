//go:build tools

// Package pulumi pins the Pulumi CLI the integration harness builds and drives.
package pulumi

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
