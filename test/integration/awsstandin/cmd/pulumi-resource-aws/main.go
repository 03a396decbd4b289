// Command pulumi-resource-aws is the AWS stand-in served as a provider plugin: the engine starts
// it, reads the port it prints and talks gRPC to it (see package awsstandin).
package main

import (
	"fmt"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"

	"github.com/mlops-retail/retail-api-edge/test/integration/awsstandin"
)

// version is set at build time to the pulumi-aws version in the program's go.mod.
var version = "0.0.0"

func main() {
	if err := serve(); err != nil {
		fmt.Fprintln(os.Stderr, "pulumi-resource-aws (stand-in):", err)
		os.Exit(1)
	}
}

func serve() error {
	p, err := awsstandin.NewFromEnv(version)
	if err != nil {
		return err
	}
	h, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{Init: func(s *grpc.Server) error {
		pulumirpc.RegisterResourceProviderServer(s, p)
		return nil
	}})
	if err != nil {
		return err
	}
	fmt.Println(h.Port) // the engine reads the port from the first line
	return <-h.Done
}
