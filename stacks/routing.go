package stacks

import (
	"fmt"
	"net"
	"regexp"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/mlops-retail/retail-api-edge/components/albingress"
	"github.com/mlops-retail/retail-api-edge/internal/cost"
)

// RoutingConfig is the `routing` block: Option B's listener rules, path and host rules to several
// Services of `app.namespace`, weighted canaries, fixed responses, redirects and source-restricted
// paths (docs/canary.md walks through a canary).
type RoutingConfig struct {
	// The ALB's rules, in priority order: a request takes the first rule that matches it, and one
	// that matches none gets a 404. Each rule is `path` (required), `pathType` (`Prefix` or
	// `Exact`), `host`, `sourceRanges`, and exactly one of `backends`, `fixedResponse` and
	// `redirect`.
	// Default: one rule, `/` (Prefix) to `app.serviceName`.
	Rules []RouteRule `json:"rules"`
}

// RouteRule is one rule of `routing.rules`.
type RouteRule struct {
	// The request path the rule matches; starts with /, no wildcards.
	// Default: required.
	Path string `json:"path"`
	// `Prefix` (`/predict` matches /predict and /predict/...) or `Exact`.
	// Default: Prefix.
	PathType string `json:"pathType"`
	// The Host header the rule matches (`api.example.com`, `*.example.com`); with TLS on it must be
	// one of the certificate's names.
	// Default: any host.
	Host string `json:"host"`
	// Only clients from these CIDR blocks match; the others fall through to the next rule.
	// Default: every client.
	SourceRanges []string `json:"sourceRanges"`
	// Services of `app.namespace` the rule forwards to, each `{service, port, weight}`; `weight`
	// (0-999) is required with several backends and not allowed with one.
	Backends []RouteBackend `json:"backends"`
	// With `backends`: keep a client on the backend it first got for this many seconds (1-604800),
	// so a canary user does not flip between model versions.
	// Default: off.
	StickySeconds int `json:"stickySeconds"`
	// The ALB answers itself: `{statusCode, contentType, body}`.
	// Default: none.
	FixedResponse *FixedResponseRule `json:"fixedResponse"`
	// The ALB redirects: `{path, host, query, statusCode}`.
	// Default: none.
	Redirect *RedirectRule `json:"redirect"`
}

// RouteBackend is one Service of a rule's `backends`.
type RouteBackend struct {
	// The Service's name, in `app.namespace`.
	// Default: required.
	Service string `json:"service"`
	// The Service's port.
	// Default: required.
	Port int `json:"port"`
	// Its share of the rule's requests, 0-999, relative to the other backends' weights.
	// Default: required with several backends.
	Weight *int `json:"weight"`
}

// FixedResponseRule is a rule's `fixedResponse`.
type FixedResponseRule struct {
	// The HTTP status, 200-299 or 400-599.
	// Default: required.
	StatusCode int `json:"statusCode"`
	// One of text/plain, text/css, text/html, application/javascript, application/json.
	// Default: text/plain.
	ContentType string `json:"contentType"`
	// The response body, at most 1024 characters.
	Body string `json:"body"`
}

// RedirectRule is a rule's `redirect`.
type RedirectRule struct {
	// The new path (starts with /; `#{path}` is the request's).
	// Default: the request's.
	Path string `json:"path"`
	// The new host.
	// Default: the request's.
	Host string `json:"host"`
	// The new query string, without `?`.
	// Default: the request's.
	Query string `json:"query"`
	// 301 (permanent: browsers remember it) or 302.
	// Default: 302.
	StatusCode int `json:"statusCode"`
}

// AWS's limits on ALB rules: Elastic Load Balancing quotas, "Application Load Balancers" (rules
// per load balancer excluding default rules, target groups per action, condition values per
// rule), and the ELBv2 API reference (Weight 0-999, stickiness DurationSeconds 1-604800,
// PathPatternConditionConfig and RedirectActionConfig parts at most 128 characters,
// FixedResponseActionConfig status ^(2|4|5)\d\d$ and body at most 1024). With TLS the rules are on
// the HTTPS listener only, without it on the HTTP one: one listener holds them either way.
const (
	maxRules           = 100
	maxTargetGroups    = 5
	maxWeight          = 999
	maxStickySeconds   = 604800
	maxConditionValues = 5 // per rule: host, path patterns and source ranges together
	maxPathPattern     = 128
	maxFixedBody       = 1024
	maxRedirectPart    = 128
)

var fixedContentTypes = []string{"text/plain", "text/css", "text/html", "application/javascript", "application/json"}

func (r *RoutingConfig) setDefaults() { *r = RoutingConfig{} }

func (r *RoutingConfig) feature() feature {
	return feature{
		key: "routing.rules", on: func(c *Config) bool { return len(c.Routing.Rules) > 0 }, needsALB: true,
		cost: func(c *Config, s *cost.Stack) { s.ListenerRules = len(c.Routing.Rules) },
	}
}

func (r *RoutingConfig) validate(c *Config, v *validator) {
	v.check(len(r.Rules) <= maxRules, k("routing.rules"), "has %d rules; an ALB takes at most %d besides its default rules", len(r.Rules), maxRules)
	for i, rule := range r.Rules {
		key := fmt.Sprintf("%s[%d]", k("routing.rules"), i)
		before := len(v.errs)
		rule.validate(c, v, key)
		if len(v.errs) == before { // the order checks need rules that are valid on their own
			v.check(!rule.duplicates(r.Rules[:i]), key, "matches exactly what an earlier rule matches (same path, pathType, host and sourceRanges)")
			if j := rule.shadowedBy(r.Rules[:i]); j >= 0 {
				v.check(false, key, "can never match: %s[%d] (path %s) comes first and catches every request it would; move this rule above it",
					k("routing.rules"), j, r.Rules[j].Path)
			}
		}
	}
}

func (rule RouteRule) validate(c *Config, v *validator, key string) {
	if p := urlPathProblem(rule.Path); p != "" {
		v.check(false, key+".path", "%q is not a path a rule can match: %s", rule.Path, p)
	}
	v.check(!strings.ContainsAny(rule.Path, "*?"), key+".path", "%q has a wildcard, which Prefix and Exact paths do not take (the controller refuses it)", rule.Path)
	v.check(len(rule.Path) <= maxPathPattern, key+".path", "is longer than %d characters (ALB path patterns)", maxPathPattern)
	v.check(rule.PathType == "" || rule.PathType == "Prefix" || rule.PathType == "Exact", key+".pathType", "must be Prefix or Exact, got %q", rule.PathType)
	if rule.Host != "" {
		checkRouteHost(c, v, key+".host", rule.Host)
	}
	checkCIDRs(v, key+".sourceRanges", rule.SourceRanges)
	v.check(rule.conditionValues() <= maxConditionValues, key, "needs %d condition values (host 1, a Prefix path 2, each source range 1); an ALB rule takes at most %d",
		rule.conditionValues(), maxConditionValues)
	actions := 0
	for _, set := range []bool{rule.Backends != nil, rule.FixedResponse != nil, rule.Redirect != nil} {
		if set {
			actions++
		}
	}
	v.check(actions == 1, key, "needs exactly one of backends, fixedResponse and redirect, got %d", actions)
	v.check(rule.StickySeconds == 0 || rule.Backends != nil, key+".stickySeconds", "applies to backends only")
	v.check(rule.StickySeconds >= 0 && rule.StickySeconds <= maxStickySeconds, key+".stickySeconds", "must be 1-%d seconds (0: off), got %d", maxStickySeconds, rule.StickySeconds)
	switch {
	case rule.Backends != nil:
		checkBackends(c, v, key+".backends", rule.Backends)
	case rule.FixedResponse != nil:
		rule.FixedResponse.validate(v, key+".fixedResponse")
	case rule.Redirect != nil:
		rule.Redirect.validate(v, key+".redirect")
	}
}

// checkRouteHost: an Ingress host is a DNS name or a wildcard one, never an IP (the API server's
// networking validation), and with TLS the certificate must cover it, or HTTPS clients get a
// name mismatch.
func checkRouteHost(c *Config, v *validator, key, host string) {
	rule := validation.IsDNS1123Subdomain
	if strings.HasPrefix(host, "*.") {
		rule = validation.IsWildcardDNS1123Subdomain
	}
	v.kube(key, "Ingress host", host, rule)
	v.check(net.ParseIP(host) == nil, key, "%q is an IP address, which an Ingress host may not be", host)
	if c.TLS.Enabled {
		names := c.Domain.certificateNames()
		v.check(slices.ContainsFunc(names, func(n string) bool { return certCovers(n, host) }), key,
			"%q is not one of the certificate's names (%s): add it to %s", host, strings.Join(names, ", "), k("domain.alternativeNames"))
	}
}

// certCovers: a certificate name covers a host when equal, or as a wildcard for one label.
func certCovers(name, host string) bool {
	if name == host {
		return true
	}
	suffix, ok := strings.CutPrefix(name, "*.")
	first, rest, _ := strings.Cut(host, ".")
	return ok && first != "*" && first != "" && rest == suffix
}

func checkBackends(c *Config, v *validator, key string, backends []RouteBackend) {
	v.check(len(backends) >= 1 && len(backends) <= maxTargetGroups, key, "must list 1 to %d Services (target groups per ALB action), got %d", maxTargetGroups, len(backends))
	anyWeight := false
	for i, b := range backends {
		bk := fmt.Sprintf("%s[%d]", key, i)
		if ns, _, cross := strings.Cut(b.Service, "/"); cross {
			v.check(false, bk+".service", "%q names namespace %q: the controller resolves an action's Services in the Ingress's namespace "+
				"(%s) and cannot route across namespaces without an IngressGroup; run the Service in %s", b.Service, ns, c.App.Namespace, c.App.Namespace)
			continue
		}
		v.kube(bk+".service", "Service name", b.Service, serviceName)
		validPort(v, bk+".port", b.Port)
		v.check(b.Service != c.App.ServiceName || b.Port == c.App.Port, bk+".port", "is %d, but %s %s serves port %d (%s)",
			b.Port, k("app.serviceName"), c.App.ServiceName, c.App.Port, k("app.port"))
		v.check(!slices.ContainsFunc(backends[:i], func(o RouteBackend) bool { return o.Service == b.Service && o.Port == b.Port }), bk,
			"lists %s port %d twice", b.Service, b.Port)
		switch {
		case len(backends) == 1:
			v.check(b.Weight == nil, bk+".weight", "applies only with several backends (the one backend gets every request); remove it")
		case b.Weight == nil:
			v.check(false, bk+".weight", "is required with several backends (the controller needs every one)")
		default:
			v.check(*b.Weight >= 0 && *b.Weight <= maxWeight, bk+".weight", "must be 0-%d, got %d", maxWeight, *b.Weight)
			anyWeight = anyWeight || *b.Weight > 0
		}
	}
	v.check(len(backends) < 2 || anyWeight, key, "has every weight 0: at least one backend must get requests")
}

func (f *FixedResponseRule) validate(v *validator, key string) {
	s := f.StatusCode
	v.check((s >= 200 && s <= 299) || (s >= 400 && s <= 599), key+".statusCode", "must be 200-299 or 400-599 (ALB fixed responses), got %d", s)
	v.check(f.ContentType == "" || slices.Contains(fixedContentTypes, f.ContentType), key+".contentType", "must be one of %s, got %q",
		strings.Join(fixedContentTypes, ", "), f.ContentType)
	v.check(len(f.Body) <= maxFixedBody, key+".body", "is %d characters; an ALB fixed response takes at most %d", len(f.Body), maxFixedBody)
}

func (r *RedirectRule) validate(v *validator, key string) {
	v.check(r.StatusCode == 0 || r.StatusCode == 301 || r.StatusCode == 302, key+".statusCode", "must be 301 or 302, got %d", r.StatusCode)
	v.check(r.Path != "" || r.Host != "" || r.Query != "", key, "must change the path, host or query (else it redirects to itself)")
	v.check(r.Path == "" || strings.HasPrefix(r.Path, "/"), key+".path", "must start with /, got %q", r.Path)
	v.check(!strings.HasPrefix(r.Query, "?"), key+".query", "is the query without its leading ?")
	for part, val := range map[string]string{"path": r.Path, "host": r.Host, "query": r.Query} {
		v.check(len(val) <= maxRedirectPart, key+"."+part, "is longer than %d characters (ALB redirects)", maxRedirectPart)
	}
	if p := withoutPlaceholders(r.Path); strings.HasPrefix(p, "/") {
		if problem := urlPathProblem(p); problem != "" {
			v.check(false, key+".path", "%q is not a URL path: %s", r.Path, problem)
		}
	}
	if h := withoutPlaceholders(r.Host); h != "" && h == r.Host {
		errs := validation.IsDNS1123Subdomain(strings.ToLower(h))
		v.check(len(errs) == 0, key+".host", "%q is not a DNS host name: %s", r.Host, strings.Join(errs, "; "))
	}
	v.check(redirectQueryRe.MatchString(withoutPlaceholders(r.Query)), key+".query",
		"%q may hold only RFC 3986 query characters (letters, digits, - . _ ~ ! $ & ' ( ) * + , ; = : @ / ? %%): no spaces or control characters", r.Query)
}

// The keywords an ALB redirect reuses from the request (ELB user guide, "Action types for listener
// rules", redirect actions): what is left around them must be a valid URL part.
var (
	redirectPlaceholders = strings.NewReplacer("#{protocol}", "", "#{host}", "", "#{port}", "", "#{path}", "", "#{query}", "")
	redirectQueryRe      = regexp.MustCompile(`^[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*$`)
)

func withoutPlaceholders(s string) string { return redirectPlaceholders.Replace(s) }

// conditionValues is what the rule's conditions hold: the controller makes a Prefix path other
// than / two patterns, /x and /x/* (pkg/ingress/model_build_listener_rules.go).
func (rule RouteRule) conditionValues() int {
	n := len(rule.SourceRanges) + 1
	if rule.Host != "" {
		n++
	}
	if !rule.exact() && rule.Path != "/" {
		n++
	}
	return n
}

func (rule RouteRule) exact() bool { return rule.PathType == "Exact" }

func (rule RouteRule) duplicates(earlier []RouteRule) bool {
	return slices.ContainsFunc(earlier, func(e RouteRule) bool { return e.route().Name() == rule.route().Name() })
}

// shadowedBy is the earlier rule that matches every request rule matches, or -1: a host that
// covers rule's, source ranges that hold all of rule's clients, and a path that covers rule's.
func (rule RouteRule) shadowedBy(earlier []RouteRule) int {
	for j, e := range earlier {
		if hostCovers(e.Host, rule.Host) && rangesCover(e.SourceRanges, rule.SourceRanges) && e.coversPath(rule) {
			return j
		}
	}
	return -1
}

// hostCovers: any host (""), the same one, or a leading wildcard, which in an ALB host condition
// matches any characters, dots included (ELB user guide, "Condition types for listener rules",
// host conditions; CloudFormation ListenerRule HostHeaderConfig: "* (matches 0 or more
// characters)"), so *.example.com covers a.example.com, a.b.example.com and *.b.example.com.
func hostCovers(earlier, host string) bool {
	if earlier == "" || earlier == host {
		return true
	}
	suffix, ok := strings.CutPrefix(earlier, "*")
	return ok && host != "" && !strings.ContainsAny(suffix, "*?") && strings.HasSuffix(host, suffix) && len(host) > len(suffix)
}

// rangesCover: every client (no ranges), or each of later's ranges inside one of earlier's.
func rangesCover(earlier, later []string) bool {
	if len(earlier) == 0 {
		return true
	}
	if len(later) == 0 {
		return false
	}
	return !slices.ContainsFunc(later, func(l string) bool {
		_, ln, err := net.ParseCIDR(l)
		return err != nil || !slices.ContainsFunc(earlier, func(e string) bool { return cidrContains(e, ln) })
	})
}

func cidrContains(outer string, inner *net.IPNet) bool {
	_, on, err := net.ParseCIDR(outer)
	if err != nil || !on.Contains(inner.IP) {
		return false
	}
	op, obits := on.Mask.Size()
	ip, ibits := inner.Mask.Size()
	return obits == ibits && op <= ip
}

func (rule RouteRule) coversPath(o RouteRule) bool {
	if rule.exact() {
		return o.exact() && o.Path == rule.Path
	}
	return rule.matchesPath(o.Path)
}

// Matches says whether the rule takes a request for host and path from a client its source
// ranges do not name (a host "" is any host the rule does not restrict).
func (rule RouteRule) Matches(host, path string) bool {
	return len(rule.SourceRanges) == 0 && (rule.Host == "" || rule.Host == host) && rule.matchesPath(path)
}

// matchesPath is the Ingress path match: Exact, or Prefix by whole path elements.
func (rule RouteRule) matchesPath(path string) bool {
	if rule.exact() {
		return path == rule.Path
	}
	prefix := strings.TrimSuffix(rule.Path, "/")
	return prefix == "" || path == rule.Path || strings.TrimSuffix(path, "/") == prefix || strings.HasPrefix(path, prefix+"/")
}

// routes are the rules as the component takes them, with their defaults.
func (r *RoutingConfig) routes() []albingress.Route {
	var out []albingress.Route
	for _, rule := range r.Rules {
		out = append(out, rule.route())
	}
	return out
}

func (rule RouteRule) route() albingress.Route {
	out := albingress.Route{Host: rule.Host, Path: rule.Path, Exact: rule.exact(), SourceRanges: rule.SourceRanges}
	switch {
	case rule.Backends != nil:
		f := &albingress.Forward{StickySeconds: rule.StickySeconds}
		for _, b := range rule.Backends {
			f.Backends = append(f.Backends, albingress.Backend{Service: b.Service, Port: b.Port, Weight: b.Weight})
		}
		out.Forward = f
	case rule.FixedResponse != nil:
		ct := rule.FixedResponse.ContentType
		if ct == "" {
			ct = "text/plain"
		}
		out.FixedResponse = &albingress.FixedResponse{StatusCode: rule.FixedResponse.StatusCode, ContentType: ct, Body: rule.FixedResponse.Body}
	case rule.Redirect != nil:
		code := rule.Redirect.StatusCode
		if code == 0 {
			code = 302
		}
		out.Redirect = &albingress.Redirect{Host: rule.Redirect.Host, Path: rule.Redirect.Path, Query: rule.Redirect.Query, StatusCode: code}
	}
	return out
}

// validateGatewayOrder keeps Option C's promise that rule order is priority order. A Gateway's
// rules are ordered by the Gateway API's precedence, not by their list: a host before a wildcard
// host before none (more labels first, then longer), then Exact before Prefix, then the longer
// path; only rules equal on all of these keep their order (the controller's
// pkg/gateway/routeutils/route_rule_precedence.go at v3.5.0). Where that would put a rule before
// an earlier one that takes some of the same requests, the stack says so instead of silently
// serving a different order than the Ingress would.
func (r *RoutingConfig) validateGatewayOrder(v *validator) {
	for j, later := range r.Rules {
		for i, earlier := range r.Rules[:j] {
			if earlier.overlaps(later) && later.precedes(earlier) {
				v.check(false, fmt.Sprintf("%s[%d]", k("routing.rules"), j),
					"comes after %s[%d] but is more specific (host, path type, path length), so a Gateway would try it first "+
						"for the requests both match: move it above %s[%d], which keeps the order on an Ingress too",
					k("routing.rules"), i, k("routing.rules"), i)
				break
			}
		}
	}
}

// precedence is the rule's place in the Gateway API's order: lower sorts first.
func (rule RouteRule) precedence() []int {
	host := 2
	switch {
	case strings.HasPrefix(rule.Host, "*."):
		host = 1
	case rule.Host != "":
		host = 0
	}
	path := 1
	if rule.exact() {
		path = 0
	}
	return []int{host, -strings.Count(rule.Host, "."), -len(rule.Host), path, -len(rule.Path)}
}

func (rule RouteRule) precedes(o RouteRule) bool {
	return slices.Compare(rule.precedence(), o.precedence()) < 0
}

// overlaps says whether some request could match both rules (source ranges aside).
func (rule RouteRule) overlaps(o RouteRule) bool {
	hosts := rule.Host == "" || o.Host == "" || rule.Host == o.Host || certCovers(rule.Host, o.Host) || certCovers(o.Host, rule.Host)
	return hosts && (rule.coversPath(o) || o.coversPath(rule) || (rule.exact() != o.exact() && (rule.matchesPath(o.Path) || o.matchesPath(rule.Path))))
}
