package stacks

import (
	"context"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/components/cluster"
	"github.com/mlops-retail/retail-api-edge/components/servicelb"
	"github.com/mlops-retail/retail-api-edge/internal/healthcheck"
	"github.com/mlops-retail/retail-api-edge/internal/lbkind"
	"github.com/mlops-retail/retail-api-edge/internal/ownership"
)

// serviceExposure is Option A: the app Service becomes type LoadBalancer, and AWS makes an NLB or a
// classic ELB for it.
type serviceExposure struct{ cfg *Config }

func (s serviceExposure) loadBalancer() lbkind.Kind                         { return s.cfg.Service.LoadBalancer }
func (s serviceExposure) runsLoadBalancer() bool                            { return s.cfg.App.HandOverTo == "" }
func (serviceExposure) needsAWS() bool                                      { return false }
func (serviceExposure) needsOIDC() bool                                     { return false }
func (serviceExposure) createsRole() bool                                   { return false }
func (serviceExposure) needsPodIdentityAgent() bool                         { return false }
func (serviceExposure) validate(*validator)                                 {}
func (serviceExposure) objects(bool) []ownership.Object                     { return nil }
func (serviceExposure) check(context.Context, ownership.Reader, bool) error { return nil }

func (s serviceExposure) register(ctx *pulumi.Context, cl *cluster.Cluster, _ pulumi.ProviderResource, _ *edge) (*endpoint, error) {
	cfg := s.cfg
	args := serviceArgs(cfg)
	if cfg.App.HandOverTo == "" { // a handed-over Service stays ClusterIP: its new owner exposes it
		args.SourceRanges = cfg.Service.SourceRanges
		args.LoadBalancer = &servicelb.LoadBalancer{
			AutoMode:    cl.AutoMode,
			Kind:        cfg.Service.LoadBalancer,
			HealthCheck: healthCheck(cfg),
			Tags:        cfg.Tags,
		}
	}
	// On a cluster found to run Auto Mode (cluster.autoMode absent), the component refuses a classic
	// ELB before registering anything, as validation did where the stack said so.
	svc, err := servicelb.NewAppService(ctx, AppName, args, pulumi.Provider(cl.AdoptProvider))
	if err != nil {
		return nil, fieldProblem(err, serviceKeys)
	}
	if err := deployApp(ctx, cfg, cl, nil); err != nil {
		return nil, err
	}
	return &endpoint{hostname: svc.Hostname, port: cfg.App.Port, object: "svc " + cfg.App.ServiceName}, nil
}

func serviceArgs(cfg *Config) *servicelb.Args {
	a := cfg.App
	return &servicelb.Args{
		Namespace: a.Namespace, Name: a.ServiceName, Selector: a.Selector,
		Port: a.Port, TargetPort: a.TargetPort,
		Labels:      map[string]string{"app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": Project},
		Annotations: cfg.appMarker(), Retain: a.HandOverTo != "",
	}
}

// healthCheck is the load balancer's health check of the app, in either exposure.
func healthCheck(cfg *Config) healthcheck.HTTP {
	h := cfg.Health
	return healthcheck.HTTP{
		Path:            cfg.App.HealthPath,
		IntervalSeconds: h.IntervalSeconds, TimeoutSeconds: h.TimeoutSeconds,
		HealthyThreshold: h.HealthyThreshold, UnhealthyThreshold: h.UnhealthyThreshold,
	}
}
