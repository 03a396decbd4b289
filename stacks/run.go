package stacks

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Run is the program `pulumi up` executes: main.go calls pulumi.Run(stacks.Run). It reads the
// stack's whole configuration and the list of its secret keys from the environment, where the
// engine hands them over: the SDK reads them too but offers no way to list the keys, and strict
// decoding needs the full list.
func Run(ctx *pulumi.Context) error {
	raw := map[string]string{}
	var secretKeys []string
	for env, dst := range map[string]any{pulumi.EnvConfig: &raw, pulumi.EnvConfigSecretKeys: &secretKeys} {
		if value := os.Getenv(env); value != "" {
			if err := json.Unmarshal([]byte(value), dst); err != nil {
				return fmt.Errorf("reading %s: %w", env, err)
			}
		}
	}
	_, err := RunWith(ctx, raw, secretKeys, ReadCluster)
	return err
}

// RunWith runs the program on the given raw configuration and its secret keys, reading the cluster
// with open (`edgectl plan` calls it under mocks, with nil). The configuration is decoded and
// validated before any resource is registered. It returns the stack outputs it exported.
func RunWith(ctx *pulumi.Context, raw map[string]string, secretKeys []string, open ClusterReader) (pulumi.Map, error) {
	cfg, err := Decode(ctx.Stack(), raw)
	if err != nil {
		return nil, err
	}
	for _, w := range cfg.Warnings {
		if err := ctx.Log.Warn(w, nil); err != nil {
			return nil, err
		}
	}
	secrets := secretsOf(raw, secretKeys)
	if err := secrets.protect(ctx, cfg.Tags); err != nil {
		return nil, err
	}
	out, err := Deploy(ctx, cfg, open)
	if err != nil {
		return nil, err
	}
	for name, value := range out {
		out[name] = secrets.output(value)
		ctx.Export(name, out[name])
	}
	return out, nil
}
