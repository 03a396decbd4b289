// Package plan runs a Pulumi program offline, under pulumi.WithMocks, and records what it would
// register: every resource with its inputs, parent and dependencies, and the stack outputs.
// Lookups and provider-computed outputs get placeholder values (placeholders.go).
package plan

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"
)

// Program is a Pulumi program that also returns its stack outputs.
type Program func(ctx *pulumi.Context) (pulumi.Map, error)

// Options name the stack and give its configuration.
type Options struct {
	Project string
	Stack   string
	// Config is the stack's configuration as the engine passes it: full keys, string values.
	Config map[string]string
	// SecretKeys lists the config keys that are secrets.
	SecretKeys []string
	// Region is named in placeholder ARNs and hostnames: the stack's region (stackplan passes it;
	// a stack without one fails its own validation first), plantest.Region in component tests.
	Region string
	// FailingLookups makes these provider functions fail, as AWS does when a thing does not exist
	// (token to error message), to plan what happens then.
	FailingLookups map[string]string
	// Answers set these fields of these provider functions' results over the placeholders (token
	// to field to value), to plan a cluster or account that differs from the placeholder one.
	Answers map[string]map[string]any
}

// Resource is one registration.
type Resource struct {
	URN      string
	Type     string
	Name     string
	Parent   string
	Provider string
	// Providers are a component's providers by package, as its registration sends them: the only
	// ones a remote component (pulumi-eks's) gets. Not rendered: a plan's content is its resources.
	Providers map[string]string
	Version   string // provider plugin version the registration asks for
	Protect   bool
	// RetainOnDelete leaves the object in place when the stack deletes it (pulumi.RetainOnDelete).
	RetainOnDelete bool
	// ReplaceOnChanges are the input paths whose change replaces the resource
	// (pulumi.ReplaceOnChanges); DeleteBeforeReplace deletes the old one first.
	ReplaceOnChanges    []string
	DeleteBeforeReplace bool
	Custom              bool
	// AdditionalSecretOutputs are outputs the registration (or a stack transform) makes secret.
	AdditionalSecretOutputs []string
	// AliasNames are the earlier names the resource declares (pulumi.Aliases), which the engine
	// matches against existing state so that a rename updates instead of replacing.
	AliasNames []string
	// Timeouts are the custom create/update/delete timeouts ("" where the provider's default holds).
	Timeouts     struct{ Create, Update, Delete string }
	Dependencies []string
	Inputs       resource.PropertyMap
}

// Plan is the desired state of a stack.
type Plan struct {
	Project   string
	Stack     string
	Resources []Resource // sorted by URN
	Outputs   map[string]Output
	// Invokes are the provider functions (lookups) the program called, in token order: what a
	// preview and an update ask AWS besides the resources' own calls. Not part of the JSON output.
	Invokes []Invoke
	// Logs are what the program logged (ctx.Log), in order: its warnings and the slow steps' hints.
	// The mocks' engine drops them, so Run records them itself. Not part of the JSON output.
	Logs []Log
}

// Log is one message the program logged.
type Log struct {
	Severity string // "debug", "info", "warning" or "error"
	Message  string
}

// Warnings are the messages logged as warnings.
func (p *Plan) Warnings() []string {
	var out []string
	for _, l := range p.Logs {
		if l.Severity == "warning" {
			out = append(out, l.Message)
		}
	}
	return out
}

// Invoke is one provider function call and its plain arguments.
type Invoke struct {
	Token string
	Args  map[string]any
}

// Output is one stack output.
type Output struct {
	Value  any
	Secret bool
}

// ProgramError is the program's own failure (e.g. invalid configuration), as `pulumi up` reports it.
type ProgramError struct{ Err error }

func (e *ProgramError) Error() string { return e.Err.Error() }
func (e *ProgramError) Unwrap() error { return e.Err }

// Run executes program offline and returns what it would register. When the program fails, the
// plan holds what it registered before failing, and the error is a *ProgramError.
func Run(opts Options, program Program) (*Plan, error) {
	m := &mocks{project: opts.Project, stack: opts.Stack, region: opts.Region, failing: opts.FailingLookups, answers: opts.Answers,
		noDefaultProviders: disabledDefaultProviders(opts.Config)}
	var outputs pulumi.Map
	var programErr error
	logs := &logRecorder{}
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		logs.Log = ctx.Log
		ctx.Log = logs
		outputs, programErr = program(ctx)
		return programErr
	}, pulumi.WithMocks(opts.Project, opts.Stack, m), withConfig(opts.Config, opts.SecretKeys))
	p := &Plan{Project: opts.Project, Stack: opts.Stack, Resources: m.resources, Outputs: map[string]Output{}, Invokes: m.invokes,
		Logs: logs.all()}
	slices.SortFunc(p.Resources, func(a, b Resource) int { return cmp.Compare(a.URN, b.URN) })
	slices.SortStableFunc(p.Invokes, func(a, b Invoke) int { return cmp.Compare(a.Token, b.Token) })
	if programErr != nil {
		return p, &ProgramError{Err: programErr}
	}
	if err != nil {
		return p, err
	}
	for _, name := range slices.Sorted(maps.Keys(outputs)) {
		out, err := internals.UnsafeAwaitOutput(context.Background(), pulumi.ToOutput(outputs[name]))
		if err != nil {
			return nil, fmt.Errorf("stack output %q: %w", name, err)
		}
		if !out.Known {
			return nil, errors.New("stack output " + name + " is unknown offline: give its source a placeholder")
		}
		p.Outputs[name] = Output{Value: out.Value, Secret: out.Secret}
	}
	return p, nil
}

func withConfig(cfg map[string]string, secretKeys []string) pulumi.RunOption {
	return func(info *pulumi.RunInfo) {
		info.Config = cfg
		info.ConfigSecretKeys = secretKeys
	}
}

// Find returns the resources of the given type, in URN order.
func (p *Plan) Find(typ string) []Resource {
	var out []Resource
	for _, r := range p.Resources {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// ByURN returns the resource with the given URN.
func (p *Plan) ByURN(urn string) (Resource, bool) {
	for _, r := range p.Resources {
		if r.URN == urn {
			return r, true
		}
	}
	return Resource{}, false
}

// Value returns the plain input at path (map keys, and list indexes as "0", "1", ...), or nil
// when absent: tests read inputs with it.
func (r Resource) Value(path ...string) any {
	var v any = PlainMap(r.Inputs)
	for _, key := range path {
		switch t := v.(type) {
		case map[string]any:
			v = t[key]
		case []any:
			i, err := strconv.Atoi(key)
			if err != nil || i < 0 || i >= len(t) {
				return nil
			}
			v = t[i]
		default:
			return nil
		}
	}
	return v
}

// logRecorder keeps what the program logs and passes it on.
type logRecorder struct {
	pulumi.Log
	mu   sync.Mutex
	logs []Log
}

func (r *logRecorder) record(severity, msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.logs = append(r.logs, Log{Severity: severity, Message: msg})
}

func (r *logRecorder) all() []Log {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.logs)
}

func (r *logRecorder) Debug(msg string, args *pulumi.LogArgs) error {
	r.record("debug", msg)
	return r.Log.Debug(msg, args)
}

func (r *logRecorder) Info(msg string, args *pulumi.LogArgs) error {
	r.record("info", msg)
	return r.Log.Info(msg, args)
}

func (r *logRecorder) Warn(msg string, args *pulumi.LogArgs) error {
	r.record("warning", msg)
	return r.Log.Warn(msg, args)
}

func (r *logRecorder) Error(msg string, args *pulumi.LogArgs) error {
	r.record("error", msg)
	return r.Log.Error(msg, args)
}
