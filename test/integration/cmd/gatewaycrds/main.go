// Command gatewaycrds writes the Gateway API CRDs that components/gatewayapi embeds, from the
// gateway-api module this module requires: `go generate ./components/gatewayapi` runs it, and
// TestEmbeddedGatewayCRDs fails when the embedded file differs from what it would write.
package main

import (
	"fmt"
	"os"

	"github.com/mlops-retail/retail-api-edge/test/integration/harness"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gatewaycrds OUTPUT.json")
		os.Exit(2)
	}
	b, err := harness.GatewayAPICRDsJSON()
	if err == nil {
		err = os.WriteFile(os.Args[1], b, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gatewaycrds:", err)
		os.Exit(1)
	}
}
