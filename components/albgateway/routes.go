package albgateway

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/components/albingress"
)

// routes registers the HTTPRoutes after the Gateway they attach to: with TLS the HTTP listener's
// redirect to HTTPS (the Gateway API's RequestRedirect filter; the controller makes it the HTTP
// listener's only rule) and the rules on the HTTPS listener, without TLS the rules on the HTTP
// one. Each route's rules go in order into the HTTPRoute of their host (spec.hostnames is per
// route): the controller orders a listener's rules by the Gateway API's precedence (host, path
// type, path length, ...) and, between rules it cannot tell apart, by route and then by rule
// index (pkg/gateway/routeutils/route_rule_precedence.go at v3.5.0), so rules that match the same
// requests keep their order. A rule that needs what HTTPRoute cannot say gets a
// ListenerRuleConfiguration, referenced by the rule's ExtensionRef filter (at most one per rule:
// pkg/gateway/routeutils/backend.go).
func (b *builder) routes(gw pulumi.Resource) error {
	a := b.args
	section := httpListener
	if a.Settings.TLS != nil {
		section = httpsListener
		redirect := map[string]any{
			"parentRefs": parentRefs(a.Name, httpListener),
			"rules": []any{map[string]any{"filters": []any{map[string]any{
				"type": "RequestRedirect", "requestRedirect": map[string]any{"scheme": "https", "statusCode": 301},
			}}}},
		}
		if _, err := b.object("route-https-redirect", GatewayAPI, "HTTPRoute", a.redirectRouteName(), redirect, false, gw); err != nil {
			return err
		}
	}
	hosts, byHost := a.routesByHost()
	for _, host := range hosts {
		var rules []any
		after := []pulumi.Resource{gw}
		for _, r := range byHost[host] {
			rule, ruleConfig := a.rule(r)
			if ruleConfig != nil {
				rc, err := b.object("rule-config-"+r.Name(), configAPI, ruleConfigKind, a.ruleConfigName(r), ruleConfig, false, gw)
				if err != nil {
					return err
				}
				after = append(after, rc)
			}
			rules = append(rules, rule)
		}
		spec := map[string]any{"parentRefs": parentRefs(a.Name, section), "rules": rules}
		if host != "" {
			spec["hostnames"] = []string{host}
		}
		suffix := "route"
		if host != "" {
			suffix = "route-" + hostSlug(host)
		}
		if _, err := b.object(suffix, GatewayAPI, "HTTPRoute", a.routeName(host), spec, false, after...); err != nil {
			return err
		}
	}
	return nil
}

// The objects' names, from the Gateway's name and the rule's identity (never its position).
func (a *Args) routeName(host string) string {
	if host == "" {
		return a.Name
	}
	return a.Name + "-" + hostSlug(host)
}

func (a *Args) redirectRouteName() string                { return a.Name + "-https-redirect" }
func (a *Args) ruleConfigName(r albingress.Route) string { return a.Name + "-" + r.Name() }
func (a *Args) tgConfigName(svc string) string           { return a.Name + "-" + svc }

// Object is one Kubernetes object NewGateway makes, by kind and name (the GatewayClass is
// cluster-scoped, the others are in Args.Namespace).
type Object struct{ Kind, Name string }

// Objects are the objects NewGateway makes from these args, so that a check made before it runs
// (another stack's object of the same name) reads exactly those. Settings.TLS only decides
// whether the HTTP listener's redirect route exists; no other setting changes a name.
func (a *Args) Objects() []Object {
	out := []Object{{"GatewayClass", a.ClassName}, {lbConfigKind, a.Name}}
	for _, svc := range a.backendServices() {
		out = append(out, Object{tgConfigKind, a.tgConfigName(svc)})
	}
	out = append(out, Object{"Gateway", a.Name})
	if a.Settings.TLS != nil {
		out = append(out, Object{"HTTPRoute", a.redirectRouteName()})
	}
	hosts, byHost := a.routesByHost()
	for _, host := range hosts {
		for _, r := range byHost[host] {
			if _, ruleConfig := a.rule(r); ruleConfig != nil {
				out = append(out, Object{ruleConfigKind, a.ruleConfigName(r)})
			}
		}
		out = append(out, Object{"HTTPRoute", a.routeName(host)})
	}
	return out
}

func parentRefs(gateway, section string) []any {
	return []any{map[string]any{"name": gateway, "sectionName": section}}
}

// routesOrDefault are the configured routes, or the one that sends / to the app Service.
func (a *Args) routesOrDefault() []albingress.Route {
	if len(a.Routes) > 0 {
		return a.Routes
	}
	return []albingress.Route{{Path: "/", Forward: &albingress.Forward{
		Backends: []albingress.Backend{{Service: a.ServiceName, Port: a.ServicePort}},
	}}}
}

// routesByHost groups the routes by host ("" is every host), keeping their order: the hosts in
// order of first use, and each host's routes.
func (a *Args) routesByHost() ([]string, map[string][]albingress.Route) {
	var hosts []string
	by := map[string][]albingress.Route{}
	for _, r := range a.routesOrDefault() {
		if _, seen := by[r.Host]; !seen {
			hosts = append(hosts, r.Host)
		}
		by[r.Host] = append(by[r.Host], r)
	}
	return hosts, by
}

// rule renders one route as an HTTPRoute rule (gateway-api apis/v1/httproute_types.go:
// PathPrefix or Exact path match, weighted backendRefs, the RequestRedirect filter), and the spec
// of its ListenerRuleConfiguration when it needs one (apis/gateway/v1/listenerruleconfig_types.go
// at the controller's v3.5.0: source-ip conditions, fixed-response, forward stickiness and a
// redirect's query).
func (a *Args) rule(r albingress.Route) (rule, ruleConfig map[string]any) {
	pathType := "PathPrefix"
	if r.Exact {
		pathType = "Exact"
	}
	rule = map[string]any{"matches": []any{map[string]any{"path": map[string]any{"type": pathType, "value": r.Path}}}}
	var filters, actions []any
	switch {
	case r.Forward != nil:
		rule["backendRefs"] = backendRefs(r.Forward.Backends)
		if s := r.Forward.StickySeconds; s > 0 {
			actions = append(actions, map[string]any{"type": "forward", "forwardConfig": map[string]any{
				"targetGroupStickinessConfig": map[string]any{"enabled": true, "durationSeconds": s},
			}})
		}
	case r.FixedResponse != nil:
		f := r.FixedResponse
		actions = append(actions, map[string]any{"type": "fixed-response", "fixedResponseConfig": map[string]any{
			"statusCode": f.StatusCode, "contentType": f.ContentType, "messageBody": f.Body,
		}})
	case r.Redirect != nil:
		filters = append(filters, requestRedirect(r.Redirect))
		if r.Redirect.Query != "" {
			actions = append(actions, map[string]any{"type": "redirect", "redirectConfig": map[string]any{"query": r.Redirect.Query}})
		}
	}
	if len(r.SourceRanges) > 0 || len(actions) > 0 {
		ruleConfig = map[string]any{}
		if len(actions) > 0 {
			ruleConfig["actions"] = actions
		}
		if len(r.SourceRanges) > 0 {
			ruleConfig["conditions"] = []any{map[string]any{"field": "source-ip", "sourceIPConfig": map[string]any{"values": r.SourceRanges}}}
		}
		filters = append(filters, map[string]any{"type": "ExtensionRef", "extensionRef": map[string]any{
			"group": ConfigGroup, "kind": ruleConfigKind, "name": a.ruleConfigName(r),
		}})
	}
	if len(filters) > 0 {
		rule["filters"] = filters
	}
	return rule, ruleConfig
}

// backendRefs are the rule's Services; a weight only with several (the Gateway API's default is 1).
func backendRefs(bs []albingress.Backend) []any {
	out := make([]any, 0, len(bs))
	for _, be := range bs {
		ref := map[string]any{"name": be.Service, "port": be.Port}
		if be.Weight != nil && len(bs) > 1 {
			ref["weight"] = *be.Weight
		}
		out = append(out, ref)
	}
	return out
}

// requestRedirect is the Gateway API's redirect: an empty host or path keeps the request's.
func requestRedirect(r *albingress.Redirect) map[string]any {
	rr := map[string]any{"statusCode": r.StatusCode}
	if r.Host != "" {
		rr["hostname"] = r.Host
	}
	if r.Path != "" {
		rr["path"] = map[string]any{"type": "ReplaceFullPath", "replaceFullPath": r.Path}
	}
	return map[string]any{"type": "RequestRedirect", "requestRedirect": rr}
}

var nonAlnum = regexp.MustCompile(`[^a-z0-9]+`)

// hostSlug names a host's HTTPRoute: readable, and unique by a hash of the host itself.
func hostSlug(host string) string {
	sum := sha256.Sum256([]byte(host))
	slug := strings.Trim(nonAlnum.ReplaceAllString(strings.ToLower(strings.ReplaceAll(host, "*", "wildcard")), "-"), "-")
	if len(slug) > 40 {
		slug = strings.TrimRight(slug[:40], "-")
	}
	return slug + "-" + hex.EncodeToString(sum[:4])
}
