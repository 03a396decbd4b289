package awsstandin

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mlops-retail/retail-api-edge/internal/typetoken"
)

// createValidation waits as ACM does until every validation record of the certificate exists in
// its zone, then marks the certificate issued. Without the records it fails, as the real
// provider's wait does when its timeout runs out.
func createValidation(c *createContext) (string, map[string]any, error) {
	arn := str(c.in, "certificateArn")
	cert := c.ledger.find(typetoken.Certificate, func(o Object) bool { return o.ID == arn })
	if cert == nil {
		return "", nil, fmt.Errorf("ResourceNotFoundException: certificate %s not found", arn)
	}
	time.Sleep(c.world.Slow)
	for _, o := range list(cert.Props, "domainValidationOptions") {
		want := strings.TrimSuffix(str(asMap(o), "resourceRecordName"), ".")
		if c.ledger.find(typetoken.Record, func(r Object) bool { return str(r.Props, "fqdn") == want }) == nil {
			return "", nil, fmt.Errorf("timeout while waiting for state to become 'ISSUED': the validation record %s does not exist", want)
		}
	}
	cert.Props["status"] = "ISSUED"
	c.ledger.Objects[key(cert.Type, cert.ID)] = *cert
	return arn, map[string]any{"certificateArn": arn}, nil
}

// createRecord puts a record in its hosted zone; an existing record of the same name and type
// conflicts unless allowOverwrite.
func createRecord(c *createContext) (string, map[string]any, error) {
	zoneID := str(c.in, "zoneId")
	zone := ""
	for name, id := range c.world.Zones {
		if id == zoneID {
			zone = name
		}
	}
	if zone == "" {
		return "", nil, fmt.Errorf("NoSuchHostedZone: No hosted zone found with ID: %s", zoneID)
	}
	fqdn := strings.ToLower(strings.TrimSuffix(str(c.in, "name"), "."))
	if !strings.Contains(str(c.in, "name"), ".") {
		fqdn += "." + zone
	}
	if fqdn != zone && !strings.HasSuffix(fqdn, "."+zone) {
		return "", nil, fmt.Errorf("InvalidChangeBatch: RRSet with DNS name %s is not permitted in zone %s", fqdn, zone)
	}
	typ := str(c.in, "type")
	clash := c.ledger.find(typetoken.Record, func(o Object) bool {
		return str(o.Props, "fqdn") == fqdn && str(o.Props, "type") == typ
	})
	if clash != nil {
		if allow, _ := c.in["allowOverwrite"].(bool); !allow {
			return "", nil, fmt.Errorf("InvalidChangeBatch: Tried to create resource record set [name='%s.', type='%s'] but it already exists", fqdn, typ)
		}
		delete(c.ledger.Objects, key(clash.Type, clash.ID))
	}
	return zoneID + "_" + fqdn + "_" + typ, map[string]any{"fqdn": fqdn}, nil
}

// checkWebACL is what WAF rejects in a web ACL's name, description and rules.
func checkWebACL(in map[string]any) []string {
	out := problems(
		!wafNameRe.MatchString(str(in, "name")), fmt.Sprintf("WAFInvalidParameterException: name %q must match [\\w-]{1,128}", str(in, "name")),
		!slices.Contains([]string{"REGIONAL", "CLOUDFRONT"}, str(in, "scope")), "WAFInvalidParameterException: scope "+str(in, "scope"),
		len(str(in, "description")) > 256, "WAFInvalidParameterException: description is longer than 256 characters",
		!metricRe.MatchString(str(obj(in, "visibilityConfig"), "metricName")), "WAFInvalidParameterException: ACL metric name "+str(obj(in, "visibilityConfig"), "metricName"))
	names, priorities := map[string]bool{}, map[float64]bool{}
	for _, r := range list(in, "rules") {
		rule := asMap(r)
		name, priority := str(rule, "name"), rule["priority"].(float64)
		out = append(out, problems(
			names[name], "WAFDuplicateItemException: rule name "+name,
			priorities[priority], fmt.Sprintf("WAFDuplicateItemException: rule priority %v", priority),
			!metricRe.MatchString(str(obj(rule, "visibilityConfig"), "metricName")), "WAFInvalidParameterException: metric name "+str(obj(rule, "visibilityConfig"), "metricName"))...)
		names[name], priorities[priority] = true, true
		stmt := obj(rule, "statement")
		if rate := obj(stmt, "rateBasedStatement"); rate != nil {
			limit, _ := rate["limit"].(float64)
			window, _ := rate["evaluationWindowSec"].(float64)
			out = append(out, problems(limit < 10 || limit > 2e9, fmt.Sprintf("WAFInvalidParameterException: rate limit %v is outside 10-2000000000", limit),
				!slices.Contains([]float64{60, 120, 300, 600}, window), fmt.Sprintf("WAFInvalidParameterException: evaluation window %v", window))...)
		}
		if group := obj(stmt, "managedRuleGroupStatement"); group != nil {
			out = append(out, problems(str(group, "vendorName") != "AWS" || !strings.HasPrefix(str(group, "name"), "AWSManagedRules"),
				"WAFNonexistentItemException: managed rule group "+str(group, "vendorName")+"/"+str(group, "name"))...)
		}
	}
	return out
}
