// Command floor is the Pulumi-SDK-only program: what any Pulumi Go program compiles before its own
// providers' SDKs. scripts/buildbench/run measures the program against it.
package main

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

func main() {
	pulumi.Run(func(*pulumi.Context) error { return nil })
}
