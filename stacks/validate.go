package stacks

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/mlops-retail/retail-api-edge/internal/fielderr"
)

var (
	regionRe  = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$`)
	urlPathRe = regexp.MustCompile(`^[A-Za-z0-9\-._~!$&'()*+,;=:@/%]+$`)
)

// validator collects problems, each against its full key, and warnings: what is allowed but costs
// or risks more than the user may expect. Limits enforced by the blocks are AWS's and Kubernetes'
// own, so a bad value fails in preview, not at the end of a 10-minute `pulumi up`.
type validator struct {
	errs     []error
	warnings []string
}

func (v *validator) check(ok bool, key, format string, args ...any) {
	if checkedKey != nil {
		checkedKey(key)
	}
	if !ok {
		v.errs = append(v.errs, keyErr(key, format, args...))
	}
}

// checkedKey, when set (by the tests), hears every key a check names, whether it passes or not.
var checkedKey func(key string)

// field adds err, a component's field error, as the problem of the key its first field is set from
// (fieldProblem); nil adds nothing.
func (v *validator) field(err error, names map[string]string) {
	if err != nil {
		v.errs = append(v.errs, fieldProblem(err, names))
	}
}

// fieldProblem is a component's field error (internal/fielderr) as a configuration problem: the
// component names the field to fix first, so the problem is that field's key, names has the keys
// of every field, and the message drops its leading mention of the key, which heads it anyway.
// Other errors pass unchanged, as does one whose first field names lacks (its fields renamed).
func fieldProblem(err error, names map[string]string) error {
	fields := fielderr.Fields(err)
	if len(fields) == 0 {
		return err
	}
	named := fielderr.Name(err, names)
	key, ok := names[fields[0]]
	if !ok {
		return named
	}
	return &ConfigError{Key: key, Msg: strings.TrimPrefix(named.Error(), key+" ")}
}

func (v *validator) warn(key, format string, args ...any) {
	v.warnings = append(v.warnings, keyErr(key, format, args...).Error())
}

// k is the full key of a setting of this project, "waf.rateLimit" -> "retail-api-edge:waf.rateLimit".
// A test (internal/configref) checks that every key the code names this way is a decoded key.
func k(name string) string { return Project + ":" + name }

// validate checks every block, then what depends on the exposure: the exposure's own needs, the
// ALB-only features and the settings that would do nothing.
func (c *Config) validate() *validator {
	v := &validator{}
	v.check(c.Region != "", RegionKey, "is required (e.g. `pulumi config set aws:region us-east-1`)")
	v.check(c.Region == "" || regionRe.MatchString(c.Region), RegionKey, "%q is not an AWS region name (like us-east-1)", c.Region)
	for _, b := range c.blocks() {
		b.value.(block).validate(c, v)
	}
	if c.knownExposure() {
		c.exposure().validate(v)
		c.validateFeatures(v)
		c.validateInert(v)
	}
	c.AWS.validate(v, c)
	return v
}

func validPort(v *validator, key string, p int) {
	v.check(p >= 1 && p <= 65535, key, "must be a port between 1 and 65535, got %d", p)
}

// The API server's own name rules (k8s.io/apimachinery pkg/util/validation and
// pkg/api/validate/content, as k8s.io/kubernetes pkg/apis/core/validation applies them:
// ValidateNamespaceName is a DNS-1123 label, ValidateServiceName a DNS-1035 label, Deployments,
// Ingresses and ServiceAccounts DNS-1123 subdomains).
var (
	namespaceName = validation.IsDNS1123Label
	serviceName   = validation.IsDNS1035Label
	objectName    = validation.IsDNS1123Subdomain
)

// kube checks a name, label key or label value at the full key with one of the API server's
// rules, quoting its reasons.
func (v *validator) kube(key, what, value string, rule func(string) []string) {
	if errs := rule(value); len(errs) > 0 {
		v.check(false, key, "%q is not a valid Kubernetes %s: %s", value, what, strings.Join(errs, "; "))
	}
}

// maxHealthPath is the longest health-check path the load balancers take (ELBv2 HealthCheckPath;
// a classic ELB's whole ping target is at most 1024 characters).
const maxHealthPath = 1024

// urlPathProblem says why a value is not an absolute URL path the load balancers and the
// annotations that carry it can take, or "": RFC 3986 path characters only (unreserved,
// percent-encoded, sub-delims, ":", "@" and "/"), so no spaces, control characters, query or
// fragment.
func urlPathProblem(p string) string {
	switch {
	case !strings.HasPrefix(p, "/"):
		return "it must start with /"
	case len(p) > maxHealthPath:
		return fmt.Sprintf("it is longer than %d characters", maxHealthPath)
	case !urlPathRe.MatchString(p):
		return "it may hold only letters, digits and - . _ ~ ! $ & ' ( ) * + , ; = : @ / % (no spaces, control characters, ? or #)"
	}
	if _, err := url.PathUnescape(p); err != nil {
		return "a % must start a two-digit hex escape like %20"
	}
	return ""
}
