package stacks

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/internal/typetoken"
)

// Secrets are the strings of the stack's secret configuration keys (`pulumi config set --secret`).
// The engine names secret keys only at the top level (retail-api-edge:cluster, not
// cluster.kubeconfig), so every string inside a secret key counts; numbers and booleans are not
// secrets. Each is kept secret wherever it is sent: any resource input or stack output that
// contains one becomes a Pulumi secret, encrypted in state and masked in previews.
type Secrets []string

// secretsOf collects the strings of the secret keys in raw.
func secretsOf(raw map[string]string, secretKeys []string) Secrets {
	var out Secrets
	for _, key := range secretKeys {
		value, ok := raw[key]
		if !ok {
			continue
		}
		var decoded any
		if json.Unmarshal([]byte(value), &decoded) != nil {
			decoded = value // a plain string key, e.g. aws:region
		}
		out = appendStrings(out, decoded)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func appendStrings(out Secrets, v any) Secrets {
	switch v := v.(type) {
	case string:
		if v != "" {
			out = append(out, v)
		}
	case map[string]any:
		for _, e := range v {
			out = appendStrings(out, e)
		}
	case []any:
		for _, e := range v {
			out = appendStrings(out, e)
		}
	}
	return out
}

// in says whether s contains a secret.
func (s Secrets) in(text string) bool {
	return slices.ContainsFunc(s, func(secret string) bool { return strings.Contains(text, secret) })
}

// derivedOutputs are outputs a provider computes from an input under another name: when that
// input holds a secret, so do they (the engine keeps same-named outputs of secret inputs secret).
var derivedOutputs = map[string][]string{
	typetoken.Certificate: {"domainValidationOptions"},
	typetoken.Record:      {"fqdn"},
	typetoken.EKSCluster:  {"kubeconfig", "kubeconfigJson"},
}

// taggedTypes are the AWS types the program registers that take tags: their tagsAll output holds
// the provider's default tags (the stack's tags), whatever their own inputs hold.
var taggedTypes = []string{
	typetoken.Policy, typetoken.Role, typetoken.OIDCProvider,
	typetoken.Certificate, typetoken.WebACL, typetoken.Bucket,
	typetoken.MetricAlarm, typetoken.Topic, typetoken.EKSAddon,
}

// protect registers a stack transform that marks every resource input holding a secret as
// secret, before the engine sees it, and, when the stack's tags (the AWS provider's default tags)
// hold one, every tagsAll output: the real-CLI scenario cli-secrets found a secret owner tag in
// plain text there. Nothing is registered when there are no secrets.
func (s Secrets) protect(ctx *pulumi.Context, tags map[string]string) error {
	if len(s) == 0 {
		return nil
	}
	tagsHeld := slices.ContainsFunc(slices.Collect(maps.Values(tags)), s.in)
	return ctx.RegisterResourceTransform(func(_ context.Context, args *pulumi.ResourceTransformArgs) *pulumi.ResourceTransformResult {
		wrapped, held := s.wrap(args.Props)
		props, opts := wrapped.(pulumi.Map), args.Opts
		if held {
			opts.AdditionalSecretOutputs = append(slices.Clone(opts.AdditionalSecretOutputs), derivedOutputs[args.Type]...)
		}
		if tagsHeld && slices.Contains(taggedTypes, args.Type) {
			opts.AdditionalSecretOutputs = append(slices.Clone(opts.AdditionalSecretOutputs), "tagsAll")
		}
		return &pulumi.ResourceTransformResult{Props: props, Opts: opts}
	})
}

// wrap returns v with every string that holds a secret made a secret, and whether v holds a
// secret (one of ours, or one that already was). Outputs are left as they are.
func (s Secrets) wrap(v pulumi.Input) (pulumi.Input, bool) {
	held := false
	switch v := v.(type) {
	case pulumi.Output:
		return v, pulumi.IsSecret(v)
	case pulumi.String:
		if s.in(string(v)) {
			return pulumi.ToSecret(v), true
		}
	case pulumi.Map:
		out := pulumi.Map{}
		for k, e := range v {
			var h bool
			out[k], h = s.wrap(e)
			held = held || h
		}
		return out, held
	case pulumi.Array:
		out := make(pulumi.Array, len(v))
		for i, e := range v {
			var h bool
			out[i], h = s.wrap(e)
			held = held || h
		}
		return out, held
	}
	return v, false
}

// output makes a stack output secret when its value holds a secret (the check runs on the
// resolved value, so outputs computed from provider results are covered too).
func (s Secrets) output(v pulumi.Input) pulumi.Output {
	out := pulumi.ToOutput(v)
	if len(s) == 0 {
		return out
	}
	return out.ApplyT(func(value any) pulumi.AnyOutput {
		if s.anyIn(value) {
			return pulumi.ToSecret(pulumi.Any(value)).(pulumi.AnyOutput)
		}
		return pulumi.Any(value)
	}).(pulumi.AnyOutput)
}

func (s Secrets) anyIn(v any) bool {
	switch v := v.(type) {
	case string:
		return s.in(v)
	case []any:
		return slices.ContainsFunc(v, s.anyIn)
	case []string:
		return slices.ContainsFunc(v, s.in)
	case map[string]any:
		for _, e := range v {
			if s.anyIn(e) {
				return true
			}
		}
	}
	return false
}
