package albingress

import (
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/internal/healthcheck"
	"github.com/mlops-retail/retail-api-edge/internal/plantest"
)

func settings() Settings {
	return Settings{HealthCheck: healthcheck.HTTP{Path: "/health", IntervalSeconds: 15, TimeoutSeconds: 5,
		HealthyThreshold: 2, UnhealthyThreshold: 3}, SuccessCodes: "200"}
}

func TestEdgeAnnotations(t *testing.T) {
	all := settings()
	all.TLS = &TLS{SSLPolicy: "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"}
	all.WAF = &WAF{}
	all.AccessLogs = &AccessLogs{Prefix: "retail-api"}
	all.DualStack = true
	r := refs{certificateArn: "arn:cert", webACLArn: "arn:acl", logBucket: "logs-bucket"}
	tests := []struct {
		name, key, want string
	}{
		{"HTTP and HTTPS listeners", "listen-ports", `[{"HTTP":80},{"HTTPS":443}]`},
		{"validated certificate", "certificate-arn", "arn:cert"},
		{"HTTP redirects to HTTPS", "ssl-redirect", "443"},
		{"modern TLS policy", "ssl-policy", "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"},
		{"WAF attached by the controller", "wafv2-acl-arn", "arn:acl"},
		{"dual-stack for AAAA", "ip-address-type", "dualstack"},
		{"access logs on, bucket and prefix", "load-balancer-attributes",
			"access_logs.s3.bucket=logs-bucket,access_logs.s3.enabled=true,access_logs.s3.prefix=retail-api," +
				"deletion_protection.enabled=false,routing.http.drop_invalid_header_fields.enabled=true"},
	}
	got := all.annotations(r)
	for _, tt := range tests {
		if got[Prefix+tt.key] != tt.want {
			t.Errorf("%s: %s%s = %q, want %q", tt.name, Prefix, tt.key, got[Prefix+tt.key], tt.want)
		}
	}
	for _, key := range []string{"certificate-arn", "ssl-redirect", "ip-address-type"} {
		if _, ok := settings().annotations(r)[Prefix+key]; ok {
			t.Errorf("%s must only be set when its feature is on", key)
		}
	}
	// Without WAF the annotation says "none": absent, the controller would keep an ACL attached
	// when WAF is turned off, and the ACL's delete would fail.
	if got := settings().annotations(r)[Prefix+"wafv2-acl-arn"]; got != NoWebACL {
		t.Errorf("WAF off: wafv2-acl-arn = %q, want %q", got, NoWebACL)
	}
}

func TestAnnotations(t *testing.T) {
	named := settings()
	named.LoadBalancerName = "retail-api-prod"
	named.Tags = map[string]string{"team": "ml", "env": "prod"}
	named.InboundCIDRs = []string{"203.0.113.0/24", "198.51.100.0/24"}
	named.DeletionProtection = true
	named.IdleTimeoutSeconds = 120
	tests := []struct {
		name string
		s    Settings
		key  string
		want string // "" means absent
	}{
		{"internet-facing (default is internal)", settings(), "scheme", "internet-facing"},
		{"pod IP targets (default is instance)", settings(), "target-type", "ip"},
		{"HTTP listener", settings(), "listen-ports", `[{"HTTP":80}]`},
		{"health check path", settings(), "healthcheck-path", "/health"},
		{"health check interval", settings(), "healthcheck-interval-seconds", "15"},
		{"health check timeout", settings(), "healthcheck-timeout-seconds", "5"},
		{"healthy threshold", settings(), "healthy-threshold-count", "2"},
		{"unhealthy threshold", settings(), "unhealthy-threshold-count", "3"},
		{"success codes", settings(), "success-codes", "200"},
		{"attributes: drop invalid headers, logs explicitly off, no deletion protection", settings(), "load-balancer-attributes",
			"access_logs.s3.enabled=false,deletion_protection.enabled=false,routing.http.drop_invalid_header_fields.enabled=true"},
		{"attributes with protection and idle timeout", named, "load-balancer-attributes",
			"access_logs.s3.enabled=false,deletion_protection.enabled=true,idle_timeout.timeout_seconds=120,routing.http.drop_invalid_header_fields.enabled=true"},
		{"no name unless asked", settings(), "load-balancer-name", ""},
		{"name", named, "load-balancer-name", "retail-api-prod"},
		{"tags sorted", named, "tags", "env=prod,team=ml"},
		{"inbound CIDRs", named, "inbound-cidrs", "203.0.113.0/24,198.51.100.0/24"},
		{"open by default", settings(), "inbound-cidrs", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.s.annotations(refs{})[Prefix+tt.key]; got != tt.want {
				t.Errorf("%s%s = %q, want %q", Prefix, tt.key, got, tt.want)
			}
		})
	}
	if _, ok := settings().annotations(refs{})["kubernetes.io/ingress.class"]; ok {
		t.Error("the deprecated kubernetes.io/ingress.class annotation must not be set with ingressClassName")
	}
}

type fakeRelease struct{ pulumi.CustomResourceState }

func TestIngress(t *testing.T) {
	p, err := plantest.RunWithKubernetes(func(ctx *pulumi.Context, k8s pulumi.ProviderResource) (pulumi.Map, error) {
		var rel fakeRelease
		if err := ctx.RegisterResource("kubernetes:helm.sh/v3:Release", "release", pulumi.Map{}, &rel, pulumi.Provider(k8s)); err != nil {
			return nil, err
		}
		ing, err := NewIngress(ctx, "retail-api", &Args{
			Namespace: "mlops", Name: "retail-api", ServiceName: pulumi.String("retail-api-svc"), ServicePort: 80,
			Settings: settings(), DependsOn: []pulumi.Resource{&rel},
		}, pulumi.Provider(k8s))
		if err != nil {
			return nil, err
		}
		return pulumi.Map{"hostname": ing.Hostname}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	comp := p.Find(TypeToken)[0]
	ing := p.Find("kubernetes:networking.k8s.io/v1:Ingress")[0]
	gate := p.Find("kubernetes:core/v1:NamespacePatch")[0]
	release := p.Find("kubernetes:helm.sh/v3:Release")[0]
	path := ing.Value("spec", "rules").([]any)[0].(map[string]any)["http"].(map[string]any)["paths"].([]any)[0].(map[string]any)
	backend := path["backend"].(map[string]any)["service"].(map[string]any)
	checks := []struct {
		name string
		ok   bool
	}{
		{"class alb via spec", ing.Value("spec", "ingressClassName") == ClassName},
		{"child of the component", ing.Parent == comp.URN && gate.Parent == comp.URN},
		{"waits for the controller release", slices.Contains(ing.Dependencies, release.URN)},
		{"waits for the readiness gate label", slices.Contains(ing.Dependencies, gate.URN)},
		{"readiness gate label", gate.Value("metadata", "name") == "mlops" && gate.Value("metadata", "labels", ReadinessGateLabel) == "enabled"},
		{"routes / to the Service", path["path"] == "/" && path["pathType"] == "Prefix" && backend["name"] == "retail-api-svc"},
		{"Service port", backend["port"].(map[string]any)["number"] == float64(80)},
		{"hostname from status", p.Outputs["hostname"].Value == "k8s-mlops-retail-api-example.us-east-1.elb.amazonaws.com"},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s: %v", c.name, ing.Inputs)
		}
	}
}

func TestIngressRequiresTheControllerDependency(t *testing.T) {
	_, err := plantest.Run(func(ctx *pulumi.Context) (pulumi.Map, error) {
		_, err := NewIngress(ctx, "x", &Args{Namespace: "n", Name: "x", ServiceName: pulumi.String("s"), ServicePort: 80, Settings: settings()})
		return nil, err
	})
	if err == nil {
		t.Fatal("an Ingress that does not wait for the controller can hang on delete: want an error")
	}
}

// Each feature carries its own reference to the ALB's annotations, resolved from its output, and
// one without its reference is refused before anything is registered.
func TestFeatureReferences(t *testing.T) {
	on := settings()
	on.TLS = &TLS{CertificateArn: pulumi.String("arn:cert"), SSLPolicy: "p"}
	on.WAF = &WAF{WebACLArn: pulumi.String("arn:acl")}
	on.AccessLogs = &AccessLogs{Bucket: pulumi.String("logs-bucket"), Prefix: "api"}
	tests := []struct {
		name    string
		s       Settings
		key     string
		want    string // a substring of the annotation's value
		refused bool
	}{
		{"certificate from its output", on, "certificate-arn", "arn:cert", false},
		{"web ACL from its output", on, "wafv2-acl-arn", "arn:acl", false},
		{"log bucket from its output", on, "load-balancer-attributes", "access_logs.s3.bucket=logs-bucket", false},
		{"WAF off detaches the ACL", settings(), "wafv2-acl-arn", NoWebACL, false},
		{"TLS without its certificate", Settings{TLS: &TLS{}}, "", "", true},
		{"WAF without its ACL", Settings{WAF: &WAF{}}, "", "", true},
		{"access logs without their bucket", Settings{AccessLogs: &AccessLogs{Prefix: "api"}}, "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := plantest.RunWithKubernetes(func(ctx *pulumi.Context, k8s pulumi.ProviderResource) (pulumi.Map, error) {
				_, err := NewIngress(ctx, "x", &Args{Namespace: "n", Name: "x", ServiceName: pulumi.String("s"), ServicePort: 80,
					Settings: tt.s, ControllerElsewhere: true}, pulumi.Provider(k8s))
				return nil, err
			})
			if tt.refused {
				if err == nil {
					t.Fatal("want the feature without its reference refused")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, _ := p.Find("kubernetes:networking.k8s.io/v1:Ingress")[0].Value("metadata", "annotations", Prefix+tt.key).(string)
			if !strings.Contains(got, tt.want) {
				t.Errorf("%s%s = %q, want it to hold %q", Prefix, tt.key, got, tt.want)
			}
		})
	}
}

// On EKS Auto Mode the Ingress gets its own IngressClass (controller eks.amazonaws.com/alb) and
// IngressClassParams carrying the scheme, tags, certificate and attributes, which leave the
// Ingress's annotations; destroy goes Ingress, class, parameters (auto-configure-alb.adoc).
func TestAutoModeClass(t *testing.T) {
	s := settings()
	s.TLS = &TLS{CertificateArn: pulumi.String("arn:cert"), SSLPolicy: "p"}
	s.WAF = &WAF{WebACLArn: pulumi.String("arn:acl")}
	s.AccessLogs = &AccessLogs{Bucket: pulumi.String("logs-bucket"), Prefix: "api"}
	s.Tags = map[string]string{"stack": "prod", "project": "retail-api-edge"}
	p, err := plantest.RunWithKubernetes(func(ctx *pulumi.Context, k8s pulumi.ProviderResource) (pulumi.Map, error) {
		_, err := NewIngress(ctx, "retail-api", &Args{Namespace: "mlops", Name: "retail-api", ServiceName: pulumi.String("retail-api-svc"),
			ServicePort: 80, Settings: s, AutoMode: &AutoMode{Class: "retail-api-edge-prod"},
			Annotations: map[string]string{"retail-api-edge.mlops.io/owner": "prod"}}, pulumi.Provider(k8s))
		return nil, err
	})
	if err != nil {
		t.Fatal(err)
	}
	ing := p.Find("kubernetes:networking.k8s.io/v1:Ingress")[0]
	class := p.Find("kubernetes:networking.k8s.io/v1:IngressClass")[0]
	params := p.Find("kubernetes:eks.amazonaws.com/v1:IngressClassParams")[0]
	comp := p.Find(TypeToken)[0]
	spec := func(key string) any { return params.Value("spec", key) }
	attrs := map[string]string{}
	for _, a := range spec("loadBalancerAttributes").([]any) {
		kv := a.(map[string]any)
		attrs[kv["key"].(string)] = kv["value"].(string)
	}
	checks := []struct {
		name string
		ok   bool
	}{
		{"the Ingress names its own class", ing.Value("spec", "ingressClassName") == "retail-api-edge-prod"},
		{"class served by Auto Mode", class.Value("spec", "controller") == AutoModeController},
		{"class points at its parameters", class.Value("spec", "parameters", "kind") == "IngressClassParams" &&
			class.Value("spec", "parameters", "apiGroup") == "eks.amazonaws.com" &&
			class.Value("spec", "parameters", "name") == "retail-api-edge-prod" && params.Value("metadata", "name") == "retail-api-edge-prod"},
		{"internet-facing", spec("scheme") == "internet-facing"},
		{"certificate in the parameters", slices.Equal(toStrings(spec("certificateARNs")), []string{"arn:cert"})},
		{"access logs in the parameters", attrs["access_logs.s3.enabled"] == "true" && attrs["access_logs.s3.bucket"] == "logs-bucket"},
		{"deletion protection explicit", attrs["deletion_protection.enabled"] == "false"},
		{"tags as key/value, in key order", len(spec("tags").([]any)) == 2 && spec("tags").([]any)[0].(map[string]any)["key"] == "project"},
		{"no scheme, certificate, tags or attributes left on the Ingress", ing.Value("metadata", "annotations", Prefix+"scheme") == nil &&
			ing.Value("metadata", "annotations", Prefix+"certificate-arn") == nil && ing.Value("metadata", "annotations", Prefix+"tags") == nil &&
			ing.Value("metadata", "annotations", Prefix+"load-balancer-attributes") == nil},
		{"WAF stays on the Ingress (Auto Mode supports wafv2-acl-arn)", ing.Value("metadata", "annotations", Prefix+"wafv2-acl-arn") == "arn:acl"},
		{"health check stays on the Ingress", ing.Value("metadata", "annotations", Prefix+"healthcheck-path") == "/health"},
		{"destroy order: Ingress before class before parameters", slices.Contains(ing.Dependencies, class.URN) && slices.Contains(class.Dependencies, params.URN)},
		{"the stack's marker on both", class.Value("metadata", "annotations", "retail-api-edge.mlops.io/owner") == "prod" &&
			params.Value("metadata", "annotations", "retail-api-edge.mlops.io/owner") == "prod"},
		{"children of the component", class.Parent == comp.URN && params.Parent == comp.URN},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s\nIngress: %v\nclass: %v\nparams: %v", c.name, ing.Inputs, class.Inputs, params.Inputs)
		}
	}
}

func toStrings(v any) []string {
	var out []string
	for _, s := range v.([]any) {
		out = append(out, s.(string))
	}
	return out
}
