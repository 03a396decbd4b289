package dnsalias

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/internal/plantest"
	"github.com/mlops-retail/retail-api-edge/internal/typetoken"
)

func TestAlias(t *testing.T) {
	for _, ipv6 := range []bool{false, true} {
		p, err := plantest.Run(func(ctx *pulumi.Context) (pulumi.Map, error) {
			aws, err := plantest.AWSProvider(ctx)
			if err != nil {
				return nil, err
			}
			_, err = NewAlias(ctx, "api", &Args{ZoneID: "Z1", Name: "api.example.com",
				Target: pulumi.String("alb.example.elb.amazonaws.com"), TargetZoneID: "ZALB", IPv6: ipv6}, pulumi.Provider(aws))
			return nil, err
		})
		if err != nil {
			t.Fatal(err)
		}
		recs := p.Find(typetoken.Record)
		want := map[bool]int{false: 1, true: 2}[ipv6]
		if len(recs) != want {
			t.Fatalf("ipv6=%v: want %d records, got %d", ipv6, want, len(recs))
		}
		for _, r := range recs {
			alias := r.Value("aliases").([]any)[0].(map[string]any)
			if r.Value("zoneId") != "Z1" || r.Value("name") != "api.example.com" || alias["name"] != "alb.example.elb.amazonaws.com" ||
				alias["zoneId"] != "ZALB" || alias["evaluateTargetHealth"] != true {
				t.Errorf("record %s: %v", r.Name, r.Inputs)
			}
			if typ := r.Value("type"); typ != "A" && typ != "AAAA" {
				t.Errorf("record type %v", typ)
			}
		}
	}
}
