package harness

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"sigs.k8s.io/yaml"
)

// GatewayAPICRDFiles are the standard channel's CRD manifests of the Gateway API module this
// module requires (config/crd/standard in the module cache, what the release's
// standard-install.yaml concatenates), in name order. The validating admission policy shipped
// beside them (safe upgrades) is not a CRD and is left out.
func GatewayAPICRDFiles() ([]string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", GatewayAPIModule).Output()
	if err != nil {
		return nil, errors.New("locating " + GatewayAPIModule + " (go list -m): " + err.Error())
	}
	files, err := filepath.Glob(filepath.Join(strings.TrimSpace(string(out)), "config", "crd", "standard", "gateway.networking.k8s.io_*.yaml"))
	if err != nil || len(files) == 0 {
		return nil, errors.New("no Gateway API CRDs in the module")
	}
	var crds []string
	for _, f := range files {
		if !strings.Contains(filepath.Base(f), "_vap_") {
			crds = append(crds, f)
		}
	}
	return crds, nil
}

// GatewayAPICRDsJSON is what components/gatewayapi embeds: the CRD manifests of
// GatewayAPICRDFiles as one JSON array, unchanged but for the encoding.
func GatewayAPICRDsJSON() ([]byte, error) {
	files, err := GatewayAPICRDFiles()
	if err != nil {
		return nil, err
	}
	var crds []json.RawMessage
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		j, err := yaml.YAMLToJSON(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		crds = append(crds, j)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(crds); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
