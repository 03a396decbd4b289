package harness

import (
	"context"

	"k8s.io/client-go/dynamic"
)

// GatewayAPIModule is the Gateway API release whose standard-channel CRDs the tests load: the
// one the AWS Load Balancer Controller v3.5.0 requires (v1.6.x).
const GatewayAPIModule = "sigs.k8s.io/gateway-api"

// InstallGatewayAPI loads the standard channel's CRDs of the Gateway API module this module
// requires (config/crd/standard, from the module cache) into the API server, so its own schema
// and CEL rules judge every Gateway API object a test writes. The validating admission policy
// shipped beside them (safe upgrades) is not a CRD and is left out. remove deletes them again.
func InstallGatewayAPI(ctx context.Context, client dynamic.Interface) (remove func(), err error) {
	files, err := GatewayAPICRDFiles()
	if err != nil {
		return nil, err
	}
	var removes []func()
	remove = func() {
		for _, r := range removes {
			r()
		}
	}
	for _, f := range files {
		r, err := InstallCRD(ctx, client, f)
		if err != nil {
			remove()
			return nil, err
		}
		removes = append(removes, r)
	}
	return remove, nil
}
