package stacks

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Run is the program `pulumi up` executes: main.go calls pulumi.Run(stacks.Run). It reads the
// stack's whole configuration from pulumi.EnvConfig, where the engine hands it over: the SDK reads
// it too but offers no way to list the keys, and strict decoding needs the full list.
func Run(ctx *pulumi.Context) error {
	raw := map[string]string{}
	if env := os.Getenv(pulumi.EnvConfig); env != "" {
		if err := json.Unmarshal([]byte(env), &raw); err != nil {
			return fmt.Errorf("reading %s: %w", pulumi.EnvConfig, err)
		}
	}
	_, err := RunWith(ctx, raw)
	return err
}

// RunWith runs the program on the given raw configuration: `edgectl plan` calls it under mocks.
// The configuration is decoded and validated before any resource is registered.
// It returns the stack outputs it exported.
func RunWith(ctx *pulumi.Context, raw map[string]string) (pulumi.Map, error) {
	cfg, err := Decode(ctx.Stack(), raw)
	if err != nil {
		return nil, err
	}
	out, err := Deploy(ctx, cfg)
	if err != nil {
		return nil, err
	}
	for name, value := range out {
		ctx.Export(name, value)
	}
	return out, nil
}
