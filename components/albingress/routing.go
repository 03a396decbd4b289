package albingress

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Route is one listener rule of the ALB. Routes are rendered the controller's way: each is an
// Ingress rule whose backend is `use-annotation` and names an `actions.<name>` annotation (and,
// with SourceRanges, a `conditions.<name>` one), docs/guide/ingress/annotations.md#actions and
// #conditions at v3.5.0. The controller makes listener rules in the Ingress's rule order with
// ascending priorities (pkg/ingress/model_build_listener_rules.go), so Args.Routes' order is the
// ALB's priority order. With TLS the rules go on the HTTPS listener: ssl-redirect gives the HTTP
// listener one redirect and no other rule (same file, and annotations.md#ssl-redirect).
// On EKS Auto Mode the same annotations go on the Ingress: actions.* and conditions.* are not
// among the annotations awsdocs/amazon-eks-user-guide latest/ug/automode/auto-configure-alb.adoc
// ("Ingress annotations") lists as unsupported or moved to the IngressClassParams.
type Route struct {
	// Host limits the rule to one Host header; "" matches every host.
	Host string
	// Path is matched as the Ingress pathType says: Prefix ("/predict" matches /predict and
	// /predict/...; the controller makes the patterns /predict and /predict/*) or Exact.
	Path  string
	Exact bool
	// SourceRanges limit the rule to clients from these CIDRs (a source-ip condition); others
	// fall through to the next rule.
	SourceRanges []string
	// Exactly one of Forward, FixedResponse and Redirect.
	Forward       *Forward
	FixedResponse *FixedResponse
	Redirect      *Redirect
}

// Forward sends a rule's requests to one or more Services of the Ingress's namespace (the
// controller resolves an action's serviceName there), weighted when there are several.
type Forward struct {
	Backends []Backend
	// StickySeconds keeps a client on the target group it first got, for this long (0: off).
	StickySeconds int
}

// Backend is one Service and port of a forward; Weight is its share (0-999) with several.
type Backend struct {
	Service string
	Port    int
	Weight  *int
}

// FixedResponse answers the request itself.
type FixedResponse struct {
	StatusCode  int
	ContentType string
	Body        string
}

// Redirect answers with a redirect; empty parts keep the request's (#{host}, #{path}, #{query}).
type Redirect struct {
	Host, Path, Query string
	// StatusCode is 301 or 302.
	StatusCode int
}

// useAnnotation is the backend port name that makes the controller read the action annotation.
const useAnnotation = "use-annotation"

// maxRouteSlug bounds the readable part of a route's name: "actions."+name is an annotation name
// (at most 63 characters) and name a Service name in the backend (a DNS-1035 label).
const maxRouteSlug = 40

var nonAlnum = regexp.MustCompile(`[^a-z0-9]+`)

// Name names the route's annotations and its Ingress backend. It comes from what the rule
// matches (host, path, path type, source ranges), never from its position or its action, so that
// reordering rules or changing a weight changes no name.
func (r Route) Name() string {
	ranges := slices.Sorted(slices.Values(r.SourceRanges))
	id := strings.Join([]string{r.Host, r.Path, r.pathType(), strings.Join(ranges, ",")}, "\x00")
	sum := sha256.Sum256([]byte(id))
	slug := strings.Trim(nonAlnum.ReplaceAllString(strings.ToLower(r.Host+" "+r.Path), "-"), "-")
	if len(slug) > maxRouteSlug {
		slug = strings.TrimRight(slug[:maxRouteSlug], "-")
	}
	if slug == "" {
		slug = "root"
	}
	return "rule-" + slug + "-" + hex.EncodeToString(sum[:4])
}

// pathType is the route's Ingress pathType.
func (r Route) pathType() string {
	if r.Exact {
		return "Exact"
	}
	return "Prefix"
}

// ValidateRoutes checks what the components rendering routes rely on; the stack checks AWS's
// limits with keys.
func ValidateRoutes(routes []Route) error {
	names := map[string]bool{}
	for i, r := range routes {
		actions := 0
		for _, set := range []bool{r.Forward != nil, r.FixedResponse != nil, r.Redirect != nil} {
			if set {
				actions++
			}
		}
		switch {
		case !strings.HasPrefix(r.Path, "/"):
			return fmt.Errorf("routes: Routes[%d].Path must start with /", i)
		case actions != 1:
			return fmt.Errorf("routes: Routes[%d] needs exactly one of Forward, FixedResponse and Redirect", i)
		case r.Forward != nil && len(r.Forward.Backends) == 0:
			return fmt.Errorf("routes: Routes[%d].Forward needs a backend", i)
		case names[r.Name()]:
			return fmt.Errorf("routes: Routes[%d] matches what an earlier route matches", i)
		}
		names[r.Name()] = true
	}
	return nil
}

// action is the controller's Action (pkg/ingress/config_types.go at v3.5.0): status codes are
// strings there, redirect codes "HTTP_301"/"HTTP_302", weights required with several target groups.
func (r Route) action() (string, error) {
	var a map[string]any
	switch {
	case r.Forward != nil:
		var tgs []map[string]any
		for _, b := range r.Forward.Backends {
			tg := map[string]any{"serviceName": b.Service, "servicePort": fmt.Sprint(b.Port)}
			if b.Weight != nil {
				tg["weight"] = *b.Weight
			}
			tgs = append(tgs, tg)
		}
		fc := map[string]any{"targetGroups": tgs}
		if s := r.Forward.StickySeconds; s > 0 {
			fc["targetGroupStickinessConfig"] = map[string]any{"enabled": true, "durationSeconds": s}
		}
		a = map[string]any{"type": "forward", "forwardConfig": fc}
	case r.FixedResponse != nil:
		f := r.FixedResponse
		a = map[string]any{"type": "fixed-response", "fixedResponseConfig": map[string]any{
			"statusCode": fmt.Sprint(f.StatusCode), "contentType": f.ContentType, "messageBody": f.Body}}
	case r.Redirect != nil:
		rc := map[string]any{"statusCode": fmt.Sprintf("HTTP_%d", r.Redirect.StatusCode)}
		for k, v := range map[string]string{"host": r.Redirect.Host, "path": r.Redirect.Path, "query": r.Redirect.Query} {
			if v != "" {
				rc[k] = v
			}
		}
		a = map[string]any{"type": "redirect", "redirectConfig": rc}
	default:
		return "", errors.New("albingress: a route without an action")
	}
	b, err := json.Marshal(a) // map keys in order: an unchanged route never shows as a diff
	return string(b), err
}

// conditions is the source-ip condition (config_types.go RuleCondition; at most one source-ip
// condition per rule, annotations.md#conditions), or "" without SourceRanges.
func (r Route) conditions() (string, error) {
	if len(r.SourceRanges) == 0 {
		return "", nil
	}
	b, err := json.Marshal([]map[string]any{{"field": "source-ip", "sourceIPConfig": map[string]any{"values": r.SourceRanges}}})
	return string(b), err
}

// routeAnnotations are the routes' action and condition annotations.
func routeAnnotations(routes []Route) (map[string]string, error) {
	out := map[string]string{}
	for _, r := range routes {
		a, err := r.action()
		if err != nil {
			return nil, err
		}
		out[Prefix+"actions."+r.Name()] = a
		c, err := r.conditions()
		if err != nil {
			return nil, err
		}
		if c != "" {
			out[Prefix+"conditions."+r.Name()] = c
		}
	}
	return out, nil
}

// ingressRules are the routes as Ingress rules, one per route and in their order, each naming its
// action; without routes, one rule sends / to the app Service.
func (a *Args) ingressRules() networkingv1.IngressRuleArray {
	if len(a.Routes) == 0 {
		return networkingv1.IngressRuleArray{rule("", "/", "Prefix", networkingv1.IngressServiceBackendArgs{
			Name: a.ServiceName, Port: networkingv1.ServiceBackendPortArgs{Number: pulumi.Int(a.ServicePort)},
		})}
	}
	var rules networkingv1.IngressRuleArray
	for _, r := range a.Routes {
		rules = append(rules, rule(r.Host, r.Path, r.pathType(), networkingv1.IngressServiceBackendArgs{
			Name: pulumi.String(r.Name()), Port: networkingv1.ServiceBackendPortArgs{Name: pulumi.String(useAnnotation)},
		}))
	}
	return rules
}

func rule(host, path, pathType string, backend networkingv1.IngressServiceBackendArgs) networkingv1.IngressRuleArgs {
	r := networkingv1.IngressRuleArgs{Http: networkingv1.HTTPIngressRuleValueArgs{Paths: networkingv1.HTTPIngressPathArray{
		networkingv1.HTTPIngressPathArgs{
			Path: pulumi.String(path), PathType: pulumi.String(pathType),
			Backend: networkingv1.IngressBackendArgs{Service: backend},
		},
	}}}
	if host != "" {
		r.Host = pulumi.String(host)
	}
	return r
}
