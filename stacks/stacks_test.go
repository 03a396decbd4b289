package stacks_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/mlops-retail/retail-api-edge/components/cluster"
	"github.com/mlops-retail/retail-api-edge/components/servicelb"
	"github.com/mlops-retail/retail-api-edge/components/workload"
	"github.com/mlops-retail/retail-api-edge/internal/plan"
	"github.com/mlops-retail/retail-api-edge/internal/stackconfig"
	"github.com/mlops-retail/retail-api-edge/internal/stackplan"
	"github.com/mlops-retail/retail-api-edge/internal/typetoken"
	"github.com/mlops-retail/retail-api-edge/stacks"
)

var update = flag.Bool("update", false, "rewrite the golden plans in testdata/")

// plannedStacks are the repository's stacks that plan today, and the example stacks, each with a
// golden JSON plan.
var plannedStacks = []string{"demo", "prod", "canary", "gateway"}

// exampleStacks are the stack files kept outside the project's own (no deploy workflow runs them).
var exampleStacks = map[string]string{"canary": "../examples/Pulumi.canary.yaml", "gateway": "../examples/Pulumi.gateway.yaml"}

func TestGoldenPlans(t *testing.T) {
	for _, stack := range plannedStacks {
		t.Run(stack, func(t *testing.T) {
			p := stackPlan(t, stack)
			got := goldenJSON(t, p)
			golden := filepath.Join("testdata", stack+".plan.json")
			if *update {
				if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run `go test ./stacks -update` to create it)", err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("plan of %s differs from %s; review and run `go test ./stacks -update`:\n%s", stack, golden, got.String())
			}
		})
	}
}

// goldenJSON is the plan's JSON with each CRD schema (hundreds of kilobytes, the Gateway API's)
// replaced by its SHA-256: the golden file shows a schema changed, and the integration test
// TestEmbeddedGatewayCRDs ties the embedded schemas to the Gateway API module.
func goldenJSON(t *testing.T, p *plan.Plan) *bytes.Buffer {
	t.Helper()
	var raw bytes.Buffer
	if err := p.WriteJSON(&raw); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	resources, _ := doc["resources"].([]any)
	crds := 0
	for _, r := range resources {
		m := r.(map[string]any)
		if m["type"] != "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition" {
			continue
		}
		spec, _ := m["inputs"].(map[string]any)["spec"].(map[string]any)
		versions, _ := spec["versions"].([]any)
		crds++
		for _, v := range versions {
			vm := v.(map[string]any)
			schema, _ := json.Marshal(vm["schema"])
			vm["schema"] = fmt.Sprintf("sha256:%x", sha256.Sum256(schema))
		}
	}
	if crds == 0 {
		return &raw // as edgectl writes it
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		t.Fatal(err)
	}
	return &out
}

// stackPlan plans one of the repository's stack files, as `edgectl plan --stack` does.
func stackPlan(t *testing.T, stack string) *plan.Plan {
	t.Helper()
	st, err := stackconfig.Load("..", stack, exampleStacks[stack])
	if err != nil {
		t.Fatal(err)
	}
	p, err := stackplan.Plan(st)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func planOf(t *testing.T, raw map[string]string) *plan.Plan {
	t.Helper()
	p, err := stackplan.Plan(&stackconfig.Stack{Project: stacks.Project, Stack: "test", Config: raw})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestOptionAWiring(t *testing.T) {
	tests := []struct {
		name  string
		raw   map[string]string
		check func(t *testing.T, p *plan.Plan)
	}{
		{"service is adopted, not created blind", stacks.Base(), func(t *testing.T, p *plan.Plan) {
			svc := p.Find("kubernetes:core/v1:Service")[0]
			if !strings.HasSuffix(svc.Provider, "::cluster-k8s-adopt") {
				t.Errorf("the Service must use the adopting provider, got %q", svc.Provider)
			}
		}},
		{"classic load balancer", stacks.With(stacks.K("service"), `{"loadBalancer": "classic"}`), func(t *testing.T, p *plan.Plan) {
			svc := p.Find("kubernetes:core/v1:Service")[0]
			if _, ok := svc.Value("metadata", "annotations").(map[string]any)[servicelb.Prefix+"type"]; ok {
				t.Error("a classic ELB must not be annotated as NLB")
			}
		}},
		{"no image, no workload", stacks.Base(), func(t *testing.T, p *plan.Plan) {
			if len(p.Find(workload.TypeToken)) != 0 {
				t.Error("the API must not be deployed unless app.image is set")
			}
		}},
		{"image deploys the API", stacks.With(stacks.K("app"), `{"image": "example.com/api:1", "replicas": 3}`), func(t *testing.T, p *plan.Plan) {
			dep := p.Find("kubernetes:apps/v1:Deployment")
			if len(dep) != 1 || dep[0].Value("spec", "replicas") != float64(3) {
				t.Fatalf("want one Deployment with 3 replicas, got %v", dep)
			}
		}},
		{"tags reach the provider and the load balancer", stacks.With(stacks.K("tags"), `{"owner": "team-x"}`), func(t *testing.T, p *plan.Plan) {
			aws := p.Find("pulumi:providers:aws")[0]
			svc := p.Find("kubernetes:core/v1:Service")[0]
			if aws.Value("defaultTags", "tags", "owner") != "team-x" {
				t.Errorf("provider default tags: %v", aws.Inputs)
			}
			if !strings.Contains(svc.Value("metadata", "annotations", servicelb.Prefix+"additional-resource-tags").(string), "owner=team-x") {
				t.Error("the load balancer must carry the tags too")
			}
		}},
		{"new cluster", stacks.With(stacks.K("cluster"), `{"create": true, "name": "demo"}`), func(t *testing.T, p *plan.Plan) {
			if len(p.Find("eks:index:Cluster")) != 1 || len(p.Find(cluster.TypeToken)) != 1 {
				t.Error("cluster.create must create an EKS cluster")
			}
		}},
		{"outputs", stacks.Base(), func(t *testing.T, p *plan.Plan) {
			want := map[string]string{
				"healthUrl":  "http://retail-api-svc-example.elb.us-east-1.amazonaws.com/health",
				"docsUrl":    "http://retail-api-svc-example.elb.us-east-1.amazonaws.com/docs",
				"predictUrl": "http://retail-api-svc-example.elb.us-east-1.amazonaws.com/predict",
				"exposure":   "service",
			}
			for name, v := range want {
				if p.Outputs[name].Value != v {
					t.Errorf("output %s = %v, want %v", name, p.Outputs[name].Value, v)
				}
			}
		}},
		{"non-80 port in URL", stacks.With(stacks.K("app"), `{"port": 8080}`), func(t *testing.T, p *plan.Plan) {
			if got := p.Outputs["url"].Value; got != "http://retail-api-svc-example.elb.us-east-1.amazonaws.com:8080" {
				t.Errorf("url = %v", got)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.check(t, planOf(t, tt.raw)) })
	}
}

func TestOptionBWiring(t *testing.T) {
	p := planOf(t, stacks.With(stacks.K("exposure"), "ingress", stacks.K("app"), `{"image": "example.com/retail-api:1"}`))
	one := onlyOne(t, p)
	ing := one("kubernetes:networking.k8s.io/v1:Ingress")
	rel := one(typetoken.HelmRelease)
	svc := one("kubernetes:core/v1:Service")
	dep := one("kubernetes:apps/v1:Deployment")
	// Each edge is a step of the cleanup runbook: pulumi destroy deletes in reverse.
	edges := []struct {
		from plan.Resource
		to   string
	}{
		{ing, typetoken.HelmRelease},
		{ing, "kubernetes:core/v1:Service"},
		{rel, typetoken.Role},
		{rel, typetoken.RolePolicyAttachment},
		{rel, "kubernetes:core/v1:ServiceAccount"},
		// The controller's webhook rejects Service creation until it answers.
		{svc, typetoken.HelmRelease},
		// Pods get readiness gates only once the webhook runs and the namespace is labelled.
		{dep, typetoken.HelmRelease},
		{dep, "kubernetes:core/v1:NamespacePatch"},
	}
	for _, e := range edges {
		if to := one(e.to); !slices.Contains(e.from.Dependencies, to.URN) {
			t.Errorf("%s must depend on %s", e.from.Type, e.to)
		}
	}
	if svc.Value("spec", "type") != "ClusterIP" {
		t.Errorf("Option B must not bill a second load balancer: Service type %v", svc.Value("spec", "type"))
	}
	if !strings.HasSuffix(ing.Provider, "::cluster-k8s") || !strings.HasSuffix(rel.Provider, "::cluster-k8s") {
		t.Errorf("controller and Ingress use the strict provider, got %q and %q", rel.Provider, ing.Provider)
	}
	if p.Outputs["url"].Value != "http://k8s-mlops-retail-api-example.us-east-1.elb.amazonaws.com" ||
		p.Outputs["controllerRoleArn"].Value != "arn:aws:iam::123456789012:role/retail-api-edge-test-lb-controller" {
		t.Errorf("outputs: %v", p.Outputs)
	}
}

// TestSwitchingKeepsTheServiceURN: A, B and C must own the same Service resource, so switching
// updates it (or, to A, replaces it: docs/option-b.md) instead of deleting the live Service and
// making a second one.
func TestSwitchingKeepsTheServiceURN(t *testing.T) {
	a := planOf(t, stacks.Base()).Find("kubernetes:core/v1:Service")
	for exposure, raw := range map[string]map[string]string{
		"ingress": stacks.With(stacks.K("exposure"), "ingress"),
		"gateway": gatewayStack(),
	} {
		other := planOf(t, raw).Find("kubernetes:core/v1:Service")
		if len(a) != 1 || len(other) != 1 || a[0].URN != other[0].URN {
			t.Errorf("Service differs between service and %s:\n %v\n %v", exposure, a, other)
		}
	}
}

// TestOIDCProviderOwnership: the stack owns the cluster's IAM OIDC provider (registers it on every
// run, whatever a lookup would say) or only looks it up; never create-when-missing, which makes the
// next run, finding it, delete it.
func TestOIDCProviderOwnership(t *testing.T) {
	// What pulumi-aws's lookup says (terraform-provider-aws openid_connect_provider_data_source.go):
	// no provider with the URL, or a call the caller may not make.
	const (
		notFound = "reading IAM OIDC Provider (https://oidc.eks.us-east-1.amazonaws.com/id/X): couldn't find resource"
		denied   = "operation error IAM: ListOpenIDConnectProviders, https response error StatusCode: 403, api error AccessDenied"
	)
	tests := []struct {
		name      string
		owned     bool
		lookupErr string
		wantErr   []string // none = no error
	}{
		{"looked up, exists", false, "", nil},
		{"looked up, missing: fails with the fix", false, notFound,
			[]string{"associate-iam-oidc-provider", "set retail-api-edge:cluster.createOidcProvider to true", "leaves it"}},
		{"looked up, access denied: says so, not 'missing'", false, denied,
			[]string{"AccessDenied", "iam:ListOpenIDConnectProviders"}},
		{"owned, first run (none yet)", true, notFound, nil},
		{"owned, next run (the lookup would find it): still registered", true, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := stacks.With(stacks.K("exposure"), "ingress", stacks.K("cluster"), fmt.Sprintf(`{"createOidcProvider": %v}`, tt.owned))
			failing := map[string]string{}
			if tt.lookupErr != "" {
				failing[typetoken.GetOIDCProvider] = tt.lookupErr
			}
			p, err := stackplan.PlanWith(&stackconfig.Stack{Project: stacks.Project, Stack: "test", Config: raw}, stackplan.Options{FailingLookups: failing})
			if len(tt.wantErr) > 0 {
				for _, w := range tt.wantErr {
					if err == nil || !strings.Contains(err.Error(), w) {
						t.Fatalf("want an error saying %q, got %v", w, err)
					}
				}
				if strings.Contains(err.Error(), "has no IAM OIDC provider") != (tt.lookupErr == notFound) {
					t.Errorf("only a provider that is not there may be reported as missing: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			prov, role := p.Find(typetoken.OIDCProvider), p.Find(typetoken.Role)
			if got := len(prov) == 1; got != tt.owned {
				t.Fatalf("OIDC provider registered: %v, want %v", got, tt.owned)
			}
			if !tt.owned {
				return
			}
			if !slices.Contains(role[0].Dependencies, prov[0].URN) || prov[0].Value("clientIdLists").([]any)[0] != "sts.amazonaws.com" {
				t.Errorf("the role must trust the stack's provider (audience sts.amazonaws.com): %v", prov[0].Inputs)
			}
			// It serves every IRSA role of the cluster: destroy, or turning createOidcProvider off, keeps it.
			if !prov[0].RetainOnDelete {
				t.Error("the stack's OIDC provider must be retained on delete")
			}
		})
	}
}

// TestProdEdgeOrdering: the ALB only ever names things that exist, and goes before them on destroy.
func TestProdEdgeOrdering(t *testing.T) {
	p := stackPlan(t, "prod")
	one := onlyOne(t, p)
	ing := one("kubernetes:networking.k8s.io/v1:Ingress")
	for _, typ := range []string{typetoken.CertificateValidation, typetoken.WebACL, typetoken.BucketPolicy, typetoken.HelmRelease} {
		if dep := one(typ); !slices.Contains(ing.Dependencies, dep.URN) {
			t.Errorf("the Ingress must depend on %s", typ)
		}
	}
	for _, r := range p.Find(typetoken.Record) {
		if strings.HasPrefix(r.Name, stacks.AppName+"-validation") {
			continue
		}
		if !slices.Contains(r.Dependencies, ing.URN) {
			t.Errorf("alias record %s must depend on the Ingress", r.Name)
		}
	}
	if !ing.Protect {
		t.Error("with ALB deletion protection on, the Ingress must be protected so destroy refuses instead of hanging")
	}
	annotations := ing.Value("metadata", "annotations").(map[string]any)
	for key, want := range map[string]string{
		"ssl-redirect": "443", "ssl-policy": "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
		"certificate-arn": p.Outputs["certificateArn"].Value.(string), "wafv2-acl-arn": p.Outputs["webAclArn"].Value.(string),
	} {
		if annotations["alb.ingress.kubernetes.io/"+key] != want {
			t.Errorf("annotation %s = %v, want %s", key, annotations["alb.ingress.kubernetes.io/"+key], want)
		}
	}
	if !strings.Contains(annotations["alb.ingress.kubernetes.io/load-balancer-attributes"].(string), "access_logs.s3.bucket="+p.Outputs["logBucket"].Value.(string)) {
		t.Error("the ALB must log to the stack's bucket")
	}
	if p.Outputs["url"].Value != "https://retail-api.example.com" {
		t.Errorf("url = %v", p.Outputs["url"].Value)
	}
}

// TestPodsAreCreatedAfterTheIngress: the controller injects a readiness gate only into pods created
// in a labelled namespace once a TargetGroupBinding refers to their Service, which it makes when it
// reconciles the Ingress; the app's pods therefore wait for the label and the Ingress.
func TestPodsAreCreatedAfterTheIngress(t *testing.T) {
	p := planOf(t, stacks.With(stacks.K("exposure"), "ingress", stacks.K("app"), `{"image": "ghcr.io/mlops/retail-api:1.0"}`))
	one := onlyOne(t, p)
	dep := one("kubernetes:apps/v1:Deployment")
	for _, typ := range []string{"kubernetes:networking.k8s.io/v1:Ingress", "kubernetes:core/v1:NamespacePatch", typetoken.HelmRelease} {
		if !slices.Contains(dep.Dependencies, one(typ).URN) {
			t.Errorf("the Deployment must wait for the %s", typ)
		}
	}
}

// onlyOne returns a lookup of the single resource of a type, failing the test if there is not one.
func onlyOne(t *testing.T, p *plan.Plan) func(typ string) plan.Resource {
	return func(typ string) plan.Resource {
		t.Helper()
		rs := p.Find(typ)
		if len(rs) != 1 {
			t.Fatalf("want one %s, got %d", typ, len(rs))
		}
		return rs[0]
	}
}

// TestChildrenNamedByIdentity: children made per list entry are named by what they are (the
// policy, the domain, the subnet), so reordering config replaces nothing, and declare their old
// positional name as an alias, so stacks made before keep their URNs and update in place.
func TestChildrenNamedByIdentity(t *testing.T) {
	domain := `{"name": "api.example.com", "zoneName": "example.com", "alternativeNames": ["www.example.com", "*.api.example.com", "b.example.com"]}`
	reordered := `{"name": "api.example.com", "zoneName": "example.com", "alternativeNames": ["b.example.com", "*.api.example.com", "www.example.com"]}`
	tls := stacks.With(stacks.K("exposure"), "ingress", stacks.K("tls"), `{"enabled": true}`, stacks.K("domain"), domain)
	created := stacks.With(stacks.K("cluster"), `{"create": true, "vpcId": "vpc-0123456789abcdef0", "publicSubnetIds": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]}`)
	tests := []struct {
		name    string
		raw     map[string]string
		typ     string
		aliases map[string]string // new name -> the positional name it had
	}{
		{"policy attachment by policy", tls, typetoken.RolePolicyAttachment,
			map[string]string{"lb-controller-irsa-lbc-policy": "lb-controller-irsa-policy-0"}},
		{"validation record by domain", tls, typetoken.Record, map[string]string{
			"retail-api-validation-api.example.com": "retail-api-validation-0", "retail-api-validation-www.example.com": "retail-api-validation-1",
			"retail-api-validation-b.example.com": "retail-api-validation-2", "retail-api-A": ""}},
		{"subnet tag by subnet", created, typetoken.Tag, map[string]string{
			"cluster-elb-subnet-0123456789abcdef0": "cluster-elb-subnet-0", "cluster-elb-subnet-0123456789abcdef1": "cluster-elb-subnet-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := map[string]string{}
			for _, r := range planOf(t, tt.raw).Find(tt.typ) {
				got[r.Name] = strings.Join(r.AliasNames, ",")
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.aliases) {
				t.Errorf("children (name: aliases):\n got  %v\n want %v", got, tt.aliases)
			}
		})
	}
	t.Run("reordered alternative names change nothing", func(t *testing.T) {
		before := planOf(t, tls).Document()
		after := planOf(t, stacks.With(stacks.K("exposure"), "ingress", stacks.K("tls"), `{"enabled": true}`, stacks.K("domain"), reordered)).Document()
		for _, c := range plan.Diff(before, after) {
			if c.Type == typetoken.Record {
				t.Errorf("reordering alternative names changes record %s: %v", c.Name, c.Kind)
			}
		}
	})
}

// TestSlowStepsAreBounded: the steps that wait on AWS or a controller carry custom timeouts, so
// `pulumi up` stops with the step's advice instead of waiting out the providers' defaults.
func TestSlowStepsAreBounded(t *testing.T) {
	p := stackPlan(t, "prod")
	tests := []struct {
		typ                    string
		create, update, delete string
	}{
		{typetoken.CertificateValidation, "30m", "30m", ""},
		{typetoken.HelmRelease, "15m", "15m", "10m"},
		{"kubernetes:networking.k8s.io/v1:Ingress", "15m", "15m", "15m"},
	}
	for _, tt := range tests {
		rs := p.Find(tt.typ)
		if len(rs) != 1 {
			t.Fatalf("want one %s, got %d", tt.typ, len(rs))
		}
		if got := rs[0].Timeouts; got.Create != tt.create || got.Update != tt.update || got.Delete != tt.delete {
			t.Errorf("%s timeouts: got %+v, want create %s update %s delete %q", tt.typ, got, tt.create, tt.update, tt.delete)
		}
	}
}

// The cluster component's errors name the argument that fixes them; the user reads the config
// key it comes from, and each named argument is a real one.
func TestClusterKeysNameRealArgsAndKeys(t *testing.T) {
	for field, key := range stacks.ClusterKeys {
		_, inArgs := reflect.TypeFor[cluster.Args]().FieldByName(field)
		_, inNew := reflect.TypeFor[cluster.NewClusterArgs]().FieldByName(field)
		if !inArgs && !inNew {
			t.Errorf("%s is not a cluster argument", field)
		}
		// The strict decoder is what knows the keys: setting this one must not be an unknown key.
		block, name, _ := strings.Cut(strings.TrimPrefix(key, stacks.Project+":"), ".")
		if _, err := stacks.Decode("test", stacks.With(stacks.K(block), fmt.Sprintf(`{%q: null}`, name))); err != nil && strings.Contains(err.Error(), "unknown key") {
			t.Errorf("%s (for %s) is not a config key: %v", key, field, err)
		}
	}
}
