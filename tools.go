//go:build tools

// Package main's tools file keeps the pulumi-aws and pulumi-eks SDK modules in go.mod without
// compiling them into the program (see internal/awsres). Their versions are the plugin versions
// `pulumi` installs, and their pulumi-plugin.json tells the Go language host which plugins the
// program needs.
package main

import (
	_ "github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	_ "github.com/pulumi/pulumi-eks/sdk/v2/go/eks"
)
