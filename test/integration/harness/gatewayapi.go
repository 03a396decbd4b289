package harness

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"

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
	out, err := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Dir}}", GatewayAPIModule).Output()
	if err != nil {
		return nil, errors.New("locating " + GatewayAPIModule + " (go list -m): " + err.Error())
	}
	files, err := filepath.Glob(filepath.Join(strings.TrimSpace(string(out)), "config", "crd", "standard", "gateway.networking.k8s.io_*.yaml"))
	if err != nil || len(files) == 0 {
		return nil, errors.New("no Gateway API CRDs in the module")
	}
	var removes []func()
	remove = func() {
		for _, r := range removes {
			r()
		}
	}
	for _, f := range files {
		if strings.Contains(filepath.Base(f), "_vap_") {
			continue
		}
		r, err := InstallCRD(ctx, client, f)
		if err != nil {
			remove()
			return nil, err
		}
		removes = append(removes, r)
	}
	return remove, nil
}
