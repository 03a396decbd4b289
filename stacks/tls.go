package stacks

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/components/albingress"
	"github.com/mlops-retail/retail-api-edge/components/certificate"
)

// TLSConfig is the `tls` block: HTTPS with a DNS-validated ACM certificate for `domain.name`,
// HTTP redirected to it.
type TLSConfig struct {
	// HTTPS on the ALB, with a certificate for `domain.name` and `domain.alternativeNames`
	// validated through the hosted zone; HTTP is redirected to HTTPS.
	Enabled bool `json:"enabled"`
	// The HTTPS listener's TLS policy, judged as `controller.defaultSSLPolicy` is.
	SSLPolicy string `json:"sslPolicy"`
}

func (t *TLSConfig) setDefaults() { *t = TLSConfig{SSLPolicy: modernTLSPolicy} }

func (t *TLSConfig) feature() feature {
	return feature{
		key: "tls.enabled", on: func(c *Config) bool { return c.TLS.Enabled }, needsAWS: true, needsALB: true,
		before: newCertificate,
	}
}

func (t *TLSConfig) validate(_ *Config, v *validator) {
	checkTLSPolicy(v, k("tls.sslPolicy"), t.SSLPolicy)
}

func (*TLSConfig) inert() []inertRule {
	return []inertRule{{
		keys:   []string{"tls.sslPolicy"},
		active: func(c *Config) bool { return c.TLS.Enabled },
		needs:  func(*Config) string { return k("tls.enabled") + " true" },
	}}
}

func newCertificate(ctx *pulumi.Context, cfg *Config, awsProvider pulumi.ProviderResource, e *edge) error {
	// In the cluster's region by construction: aws:region is this AWS provider's, the cluster lookup's and the controller's.
	cert, err := certificate.NewCertificate(ctx, AppName, &certificate.Args{
		Domain: cfg.Domain.Name, AlternativeNames: cfg.Domain.AlternativeNames, ZoneID: e.zoneID,
	}, pulumi.Provider(awsProvider))
	if err != nil {
		return err
	}
	e.tls = &albingress.TLS{CertificateArn: cert.CertificateArn, SSLPolicy: cfg.TLS.SSLPolicy}
	e.ready = append(e.ready, cert.Ready...)
	e.out["certificateArn"] = cert.CertificateArn
	return nil
}
