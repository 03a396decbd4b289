package stacks_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/mlops-retail/retail-api-edge/internal/stackconfig"
	"github.com/mlops-retail/retail-api-edge/internal/stackplan"
	"github.com/mlops-retail/retail-api-edge/internal/typetoken"
	"github.com/mlops-retail/retail-api-edge/stacks"
)

// The public hosted zone is looked up before the certificate and the records that go in it: when
// there is none of that name, one message says what was looked for, why the stack needs it and the
// fix, under domain.zoneName; any other failure of the lookup is reported as it is.
func TestHostedZoneLookup(t *testing.T) {
	// What pulumi-aws's getZone returns (terraform-provider-aws
	// internal/service/route53/zone_data_source.go), through the engine's invoke error.
	const (
		noZone = "invoking aws:route53/getZone:getZone: 1 error occurred:\n\t* no matching Route 53 Hosted Zone found"
		denied = "invoking aws:route53/getZone:getZone: 1 error occurred:\n\t* reading Route 53 Hosted Zones: operation error " +
			"Route 53: ListHostedZones, https response error StatusCode: 403, api error AccessDenied"
	)
	for _, tt := range []struct {
		name      string
		lookupErr string
		want      []string // substrings of the error; none: it passes
		keyed     bool     // a ConfigError of domain.zoneName
	}{
		{"found (the placeholder zone)", "", nil, false},
		{"no public zone of that name", noZone, []string{`found no public Route53 hosted zone "example.com"`, "a private zone of that name does not count",
			"the certificate's DNS validation records and the alias record retail-api.example.com go in it",
			"aws route53 create-hosted-zone --name example.com", "or set " + stacks.K("domain.zoneName") + " to the public zone that holds " +
				stacks.K("domain.name") + ` "retail-api.example.com"`}, true},
		{"access denied: reported as it is", denied, []string{`looking up the public hosted zone "example.com"`, "AccessDenied"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st, err := stackconfig.Load("..", "prod", "")
			if err != nil {
				t.Fatal(err)
			}
			o := stackplan.Options{}
			if tt.lookupErr != "" {
				o.FailingLookups = map[string]string{typetoken.GetZone: tt.lookupErr}
			}
			p, err := stackplan.PlanWith(st, o)
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			for _, w := range tt.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Fatalf("want an error saying %q, got %v", w, err)
				}
			}
			var ce *stacks.ConfigError
			if got := errors.As(err, &ce) && ce.Key == stacks.K("domain.zoneName"); got != tt.keyed {
				t.Errorf("refused under %s: %v, want %v (%v)", stacks.K("domain.zoneName"), got, tt.keyed, err)
			}
			if strings.Contains(err.Error(), "found no public") != (tt.lookupErr == noZone) {
				t.Errorf("only a zone that is not there may be reported as missing: %v", err)
			}
			if n := len(p.Find(typetoken.Certificate)) + len(p.Find(typetoken.Record)); n > 0 {
				t.Errorf("registered %d certificates or records before the zone was found", n)
			}
		})
	}
}
