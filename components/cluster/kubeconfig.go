package cluster

import "encoding/json"

// Kubeconfig renders an exec-based kubeconfig for an EKS cluster: no token is stored in state;
// every API call asks `aws eks get-token` for a fresh one with the caller's AWS credentials.
func Kubeconfig(name, region, endpoint, caData string) string {
	user := map[string]any{"exec": map[string]any{
		"apiVersion": "client.authentication.k8s.io/v1beta1",
		"command":    "aws",
		"args":       []string{"eks", "get-token", "--cluster-name", name, "--region", region, "--output", "json"},
	}}
	cfg := map[string]any{
		"apiVersion":      "v1",
		"kind":            "Config",
		"current-context": name,
		"clusters": []any{map[string]any{"name": name, "cluster": map[string]any{
			"server": endpoint, "certificate-authority-data": caData,
		}}},
		"contexts": []any{map[string]any{"name": name, "context": map[string]any{
			"cluster": name, "user": name,
		}}},
		"users": []any{map[string]any{"name": name, "user": user}},
	}
	out, err := json.Marshal(cfg)
	if err != nil {
		panic(err) // only maps, slices and strings: cannot fail
	}
	return string(out)
}
