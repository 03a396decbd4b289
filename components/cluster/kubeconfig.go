package cluster

import "encoding/json"

// Identity is how `aws eks get-token` authenticates: the AWS provider's profile and assumed role,
// so that the Kubernetes side acts as the same principal as the AWS side.
type Identity struct {
	Profile string
	RoleArn string
}

// Kubeconfig renders an exec-based kubeconfig for an EKS cluster: no token is stored in state;
// every API call asks `aws eks get-token` for a fresh one with the caller's AWS credentials, as
// id says (its profile through AWS_PROFILE, its role through --role-arn: AWS CLI `eks get-token`).
func Kubeconfig(name, region, endpoint, caData string, id Identity) string {
	args := []string{"eks", "get-token", "--cluster-name", name, "--region", region, "--output", "json"}
	if id.RoleArn != "" {
		args = append(args, "--role-arn", id.RoleArn)
	}
	exec := map[string]any{
		"apiVersion": "client.authentication.k8s.io/v1beta1",
		"command":    "aws",
		"args":       args,
	}
	if id.Profile != "" {
		exec["env"] = []any{map[string]any{"name": "AWS_PROFILE", "value": id.Profile}}
	}
	user := map[string]any{"exec": exec}
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
