package plan

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/internal/typetoken"
)

type testComponent struct{ pulumi.ResourceState }

type testCustom struct{ pulumi.CustomResourceState }

// program registers a component with two children, one feeding the other, plus a secret input.
func program(ctx *pulumi.Context) (pulumi.Map, error) {
	comp := &testComponent{}
	if err := ctx.RegisterComponentResource("test:index:Comp", "comp", comp); err != nil {
		return nil, err
	}
	var first testCustom
	if err := ctx.RegisterResource("test:index:Thing", "first", pulumi.Map{
		"password": pulumi.ToSecret(pulumi.String("hunter2")),
	}, &first, pulumi.Parent(comp)); err != nil {
		return nil, err
	}
	var second testCustom
	if err := ctx.RegisterResource("test:index:Thing", "second", pulumi.Map{
		"after": first.ID(),
	}, &second, pulumi.Parent(comp)); err != nil {
		return nil, err
	}
	var third testCustom
	if err := ctx.RegisterResource("test:index:Thing", "third", pulumi.Map{}, &third,
		pulumi.DependsOn([]pulumi.Resource{&second, &first})); err != nil {
		return nil, err
	}
	return pulumi.Map{"id": first.ID(), "secret": pulumi.ToSecret(pulumi.String("s3cret"))}, nil
}

func run(t *testing.T) *Plan {
	t.Helper()
	p, err := Run(Options{Project: "proj", Stack: "dev"}, program)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRunRecordsParentsDependenciesAndSecrets(t *testing.T) {
	p := run(t)
	comp := p.Find("test:index:Comp")
	if len(comp) != 1 {
		t.Fatalf("want 1 component, got %d", len(comp))
	}
	byName := map[string]Resource{}
	for _, r := range p.Find("test:index:Thing") {
		byName[r.Name] = r
	}
	tests := []struct {
		name, check string
		ok          bool
	}{
		{"children are parented to the component", "parent",
			byName["first"].Parent == comp[0].URN && byName["second"].Parent == comp[0].URN},
		{"an input from another resource is a dependency", "deps",
			len(byName["second"].Dependencies) == 1 && byName["second"].Dependencies[0] == byName["first"].URN},
		{"explicit dependencies are recorded, sorted", "explicit",
			strings.Join(byName["third"].Dependencies, ",") == byName["first"].URN+","+byName["second"].URN},
		{"secret inputs are masked", "secret", byName["first"].Value("password") == SecretMask},
		{"secret outputs are masked", "out", p.Document().Outputs["secret"] == SecretMask},
		{"URNs nest the parent type", "urn",
			byName["first"].URN == "urn:pulumi:dev::proj::test:index:Comp$test:index:Thing::first"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.ok {
				t.Errorf("%s failed: %+v", tt.check, byName)
			}
		})
	}
}

func TestJSONIsByteIdenticalAcrossRuns(t *testing.T) {
	var a, b bytes.Buffer
	if err := run(t).WriteJSON(&a); err != nil {
		t.Fatal(err)
	}
	if err := run(t).WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() {
		t.Fatalf("two runs differ:\n%s\n---\n%s", a.String(), b.String())
	}
	if strings.Contains(a.String(), "hunter2") || strings.Contains(a.String(), "s3cret") {
		t.Fatal("a secret leaked into the JSON plan")
	}
}

func TestTableShowsTreeAndInputs(t *testing.T) {
	var out bytes.Buffer
	if err := run(t).WriteTable(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"test:index:Comp", "  test:index:Thing", "password: \"[secret]\"", "Outputs"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
}

func TestProgramErrorIsReturnedAsIs(t *testing.T) {
	_, err := Run(Options{Project: "p", Stack: "s"}, func(*pulumi.Context) (pulumi.Map, error) {
		return nil, errString("bad config: x")
	})
	if err == nil || err.Error() != "bad config: x" {
		t.Fatalf("want the program's own message, got %v", err)
	}
}

// The mocks' engine drops what a program logs; the plan keeps it, by severity, also when the program
// then fails (a warning before a refusal is still shown).
func TestLogsAreRecorded(t *testing.T) {
	p, err := Run(Options{Project: "p", Stack: "s"}, func(ctx *pulumi.Context) (pulumi.Map, error) {
		comp := &testComponent{}
		if err := ctx.RegisterComponentResource("test:index:Comp", "comp", comp); err != nil {
			return nil, err
		}
		if err := ctx.Log.Info("may take a while", &pulumi.LogArgs{Resource: comp}); err != nil {
			return nil, err
		}
		if err := ctx.Log.Warn("two controllers", nil); err != nil {
			return nil, err
		}
		return nil, errString("refused")
	})
	if err == nil {
		t.Fatal("want the program's error")
	}
	want := []Log{{"info", "may take a while"}, {"warning", "two controllers"}}
	if !slices.Equal(p.Logs, want) {
		t.Errorf("logs %v, want %v", p.Logs, want)
	}
	if w := p.Warnings(); !slices.Equal(w, []string{"two controllers"}) {
		t.Errorf("warnings %q, want the one warning", w)
	}
}

type errString string

func (e errString) Error() string { return string(e) }

func TestUnknownInvokeFailsLoudly(t *testing.T) {
	_, err := Run(Options{Project: "p", Stack: "s"}, func(ctx *pulumi.Context) (pulumi.Map, error) {
		var out map[string]any
		return nil, ctx.Invoke("aws:unknown/thing:thing", map[string]any{}, &out)
	})
	if err == nil || !strings.Contains(err.Error(), "no placeholder") {
		t.Fatalf("want a missing-placeholder error, got %v", err)
	}
}

// TestDisabledDefaultProviders: like the engine, the offline run refuses a registration or a
// lookup without an explicit provider once the stack disables default providers.
func TestDisabledDefaultProviders(t *testing.T) {
	register := func(ctx *pulumi.Context, opts ...pulumi.ResourceOption) error {
		var r testCustom
		return ctx.RegisterResource("test:index:Thing", "thing", pulumi.Map{}, &r, opts...)
	}
	invoke := func(ctx *pulumi.Context, opts ...pulumi.InvokeOption) error {
		var out map[string]any
		return ctx.Invoke(typetoken.GetZone, map[string]any{"name": "example.com"}, &out, opts...)
	}
	explicit := func(ctx *pulumi.Context) (pulumi.ProviderResource, error) {
		var p testProvider
		return &p, ctx.RegisterResource("pulumi:providers:test", "p", pulumi.Map{}, &p)
	}
	tests := []struct {
		name     string
		disabled string
		program  func(ctx *pulumi.Context) error
		wantErr  bool
	}{
		{"resource, all disabled", `["*"]`, func(ctx *pulumi.Context) error { return register(ctx) }, true},
		{"resource, its package disabled", `["test"]`, func(ctx *pulumi.Context) error { return register(ctx) }, true},
		{"resource, another package disabled", `["aws"]`, func(ctx *pulumi.Context) error { return register(ctx) }, false},
		{"resource, explicit provider", `["*"]`, func(ctx *pulumi.Context) error {
			p, err := explicit(ctx)
			if err != nil {
				return err
			}
			return register(ctx, pulumi.Provider(p))
		}, false},
		{"lookup, all disabled", `["*"]`, func(ctx *pulumi.Context) error { return invoke(ctx) }, true},
		{"lookup, nothing disabled", ``, func(ctx *pulumi.Context) error { return invoke(ctx) }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := map[string]string{}
			if tt.disabled != "" {
				cfg["pulumi:disable-default-providers"] = tt.disabled
			}
			_, err := Run(Options{Project: "p", Stack: "s", Config: cfg}, func(ctx *pulumi.Context) (pulumi.Map, error) {
				return nil, tt.program(ctx)
			})
			if got := err != nil && strings.Contains(err.Error(), "needs an explicit provider"); got != tt.wantErr {
				t.Errorf("error %v, want a missing-provider error: %v", err, tt.wantErr)
			}
		})
	}
}

type testProvider struct{ pulumi.ProviderResourceState }
