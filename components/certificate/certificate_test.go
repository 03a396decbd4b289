package certificate

import (
	"slices"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/internal/plantest"
	"github.com/mlops-retail/retail-api-edge/internal/typetoken"
)

func TestValidatedNames(t *testing.T) {
	a := &Args{Domain: "api.example.com", AlternativeNames: []string{"*.api.example.com", "www.example.com"}}
	if got := a.ValidatedNames(); !slices.Equal(got, []string{"api.example.com", "www.example.com"}) {
		t.Errorf("a wildcard shares its base name's record: got %v", got)
	}
}

func TestCertificate(t *testing.T) {
	p, err := plantest.Run(func(ctx *pulumi.Context) (pulumi.Map, error) {
		aws, err := plantest.AWSProvider(ctx)
		if err != nil {
			return nil, err
		}
		c, err := NewCertificate(ctx, "api", &Args{Domain: "api.example.com", AlternativeNames: []string{"www.example.com"}, ZoneID: "Z1"}, pulumi.Provider(aws))
		if err != nil {
			return nil, err
		}
		return pulumi.Map{"arn": c.CertificateArn}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	cert := p.Find(typetoken.Certificate)[0]
	val := p.Find(typetoken.CertificateValidation)[0]
	recs := p.Find(typetoken.Record)
	if len(recs) != 2 {
		t.Fatalf("want one validation record per name, got %d", len(recs))
	}
	if cert.Value("validationMethod") != "DNS" || cert.Value("domainName") != "api.example.com" {
		t.Errorf("certificate: %v", cert.Inputs)
	}
	var fqdns []string
	for _, r := range recs {
		fqdns = append(fqdns, r.Value("name").(string))
		if r.Value("zoneId") != "Z1" || r.Value("type") != "CNAME" || r.Value("records").([]any)[0] != "_example.acm-validations.aws." {
			t.Errorf("validation record %s: %v", r.Name, r.Inputs)
		}
		if !slices.Contains(val.Dependencies, r.URN) {
			t.Errorf("the validation must wait for record %s", r.Name)
		}
	}
	if !slices.Contains(fqdns, "_example.www.example.com.") || !slices.Contains(val.Dependencies, cert.URN) {
		t.Errorf("records %v, validation deps %v", fqdns, val.Dependencies)
	}
	if p.Outputs["arn"].Value != "arn:aws:acm:us-east-1:123456789012:certificate/example-api-cert" {
		t.Errorf("the component must expose the validated ARN, got %v", p.Outputs["arn"].Value)
	}
}
