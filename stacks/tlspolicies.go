package stacks

import "strings"

// tlsPolicies are the ELB security policies an ALB's HTTPS listener accepts, each with the oldest
// TLS version it lets clients negotiate ("1.0" ... "1.3"). Source: "Security policies for your
// Application Load Balancer" (docs.aws.amazon.com/elasticloadbalancing/latest/application/
// describe-ssl-policies.html; the TLS13 names spell their minimum: TLS13-1-0 allows TLS 1.0 to 1.3)
// and, for the policies AWS has since archived from that page, the ELB user guide's
// create-https-listener.md (awsdocs/elb-application-load-balancers-user-guide). A name AWS does not
// list is refused here: the controller would only report it as an event on the Ingress, and Pulumi
// would call the update done.
var tlsPolicies = func() map[string]string {
	p := map[string]string{
		"ELBSecurityPolicy-2016-08":             "1.0",
		"ELBSecurityPolicy-2015-05":             "1.0",
		"ELBSecurityPolicy-TLS-1-0-2015-04":     "1.0",
		"ELBSecurityPolicy-FS-2018-06":          "1.0",
		"ELBSecurityPolicy-TLS-1-1-2017-01":     "1.1",
		"ELBSecurityPolicy-FS-1-1-2019-08":      "1.1",
		"ELBSecurityPolicy-TLS-1-2-2017-01":     "1.2",
		"ELBSecurityPolicy-TLS-1-2-Ext-2018-06": "1.2",
		"ELBSecurityPolicy-FS-1-2-2019-08":      "1.2",
		"ELBSecurityPolicy-FS-1-2-Res-2019-08":  "1.2",
		"ELBSecurityPolicy-FS-1-2-Res-2020-10":  "1.2",
	}
	// The TLS 1.3 families: every minimum version, and for TLS 1.2 the variants with more (Ext)
	// or fewer (Res) ciphers.
	families := []struct {
		suffix   string   // after the minimum version
		variants []string // of the TLS 1.2 minimum, before the suffix
	}{
		{"2021-06", []string{"Res", "Ext1", "Ext2"}},
		{"FIPS-2023-04", []string{"Res", "Ext0", "Ext1", "Ext2"}},
		{"PQ-2025-09", []string{"Res", "Ext1", "Ext2"}},
		{"FIPS-PQ-2025-09", []string{"Res", "Ext0", "Ext1", "Ext2"}},
	}
	for _, f := range families {
		for _, lowest := range []string{"1-0", "1-1", "1-2", "1-3"} {
			p["ELBSecurityPolicy-TLS13-"+lowest+"-"+f.suffix] = strings.ReplaceAll(lowest, "-", ".")
		}
		for _, v := range f.variants {
			p["ELBSecurityPolicy-TLS13-1-2-"+v+"-"+f.suffix] = "1.2"
		}
	}
	for _, name := range []string{"1-2-RFC9151-FIPS-2023-07", "1-2-Ext0-RFC9151-FIPS-2023-07",
		"1-2-RFC9151-INTEROP1-FIPS-2023-07", "1-2-RFC9151-INTEROP2-FIPS-2023-07",
		"1-2-RFC9151-INTEROP3-FIPS-2023-07", "1-2-RFC9151-INTEROP4-FIPS-2023-07"} {
		p["ELBSecurityPolicy-TLS13-"+name] = "1.2"
	}
	p["ELBSecurityPolicy-TLS13-1-3-RFC9151-FIPS-2023-07"] = "1.3"
	return p
}()

// minTLS is the oldest TLS version this program lets a listener accept: 1.0 and 1.1 are
// deprecated (RFC 8996).
const minTLS = "1.2"

// modernTLSPolicy is AWS's recommended ELB policy (TLS 1.3 and 1.2, post-quantum key exchange): the
// default for the ALB's HTTPS listener and for the controller's own default.
const modernTLSPolicy = "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"

// checkTLSPolicy checks that an ELB security policy exists and refuses TLS 1.0 and 1.1, judged by
// the protocols it allows, not by its name.
func checkTLSPolicy(v *validator, key, policy string) {
	lowest, known := tlsPolicies[policy]
	if !known {
		v.check(false, key, "%q is not an ELB security policy an ALB accepts (AWS lists them under \"Security policies "+
			"for your Application Load Balancer\"); use one such as %s", policy, modernTLSPolicy)
		return
	}
	v.check(lowest >= minTLS, key, "%q allows TLS %s; use a policy whose oldest protocol is TLS %s or later, such as %s",
		policy, lowest, minTLS, modernTLSPolicy)
}
