package stacks

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/components/albingress"
	"github.com/mlops-retail/retail-api-edge/components/cluster"
	"github.com/mlops-retail/retail-api-edge/components/servicelb"
	"github.com/mlops-retail/retail-api-edge/internal/lbkind"
	"github.com/mlops-retail/retail-api-edge/internal/ownership"
)

// ingressExposure is Option B: the AWS Load Balancer Controller, and an ALB Ingress in front of the
// ClusterIP app Service.
type ingressExposure struct{ cfg *Config }

func (ingressExposure) loadBalancer() lbkind.Kind { return lbkind.ALB }

// runsLoadBalancer: the ALB is the Ingress's, whoever owns the Service.
func (ingressExposure) runsLoadBalancer() bool { return true }

// needsAWS: the controller's IAM role, unless it is given or another stack's controller is used,
// and with Pod Identity its association; neither on a cluster said to run Auto Mode's load
// balancing (a detected one is looked up, which needs AWS anyway).
func (i ingressExposure) needsAWS() bool {
	return i.createsRole() || (i.cfg.Controller.podIdentity() && i.cfg.Controller.Install && !i.cfg.Cluster.autoModeOn())
}

// createsRole: the controller's role, unless it is given, another stack's controller is used, or
// the cluster is said to run Auto Mode.
func (i ingressExposure) createsRole() bool {
	c := i.cfg.Controller
	return c.Install && c.RoleArn == "" && !i.cfg.Cluster.autoModeOn()
}

// needsOIDC: only an IRSA role trusts the OIDC provider; a Pod Identity role trusts
// pods.eks.amazonaws.com (EKS user guide, pod-id-role.adoc).
func (i ingressExposure) needsOIDC() bool { return i.createsRole() && !i.cfg.Controller.podIdentity() }

func (i ingressExposure) needsPodIdentityAgent() bool { return i.cfg.Controller.podIdentity() }

// validate checks that, when the cluster is reached by kubeconfig, Option B is given what an EKS
// lookup would have provided: the VPC for the controller and a role for it to assume.
func (i ingressExposure) validate(v *validator) {
	c := i.cfg
	if c.Cluster.Kubeconfig == "" || !c.Controller.Install {
		return
	}
	v.check(c.Cluster.VpcID != "", k("cluster.vpcId"),
		"is required with cluster.kubeconfig and Option B: the controller needs the cluster's VPC ID")
	v.check(c.Controller.RoleArn != "" || c.Controller.podIdentity(), k("controller.roleArn"),
		"is required with cluster.kubeconfig and Option B with controller.identity irsa: without an EKS lookup there is no OIDC "+
			"provider to make a role for (controller.identity podIdentity needs none)")
	v.check(!c.Cluster.CreateOIDCProvider, k("cluster.createOidcProvider"),
		"needs the EKS lookup, which cluster.kubeconfig replaces")
}

// check: a stack that installs the controller finds none it did not install; one that relies on
// another's finds it, serving the class its Ingress names.
func (i ingressExposure) check(ctx context.Context, r ownership.Reader, autoMode bool) error {
	if autoMode {
		return nil // Auto Mode's own load balancing serves the stack's IngressClass: no controller to find
	}
	if i.cfg.Controller.Install {
		return ownership.CheckInstall(ctx, r, i.cfg.owner(), installedController(i.cfg))
	}
	return ownership.CheckController(ctx, r, reliedOnController(i.cfg))
}

// register installs the controller, then the ClusterIP app Service, the ALB Ingress in front of it
// and (with app.image) the API. The Ingress depends on the controller release, and the release on
// its role, policy attachment and service account, so `pulumi destroy` removes them in the
// reverse order: the controller is still running when the Ingress goes, and deletes the ALB and
// the Ingress finalizer. The Service and the pods wait for the release too: the controller's
// webhook rejects Service creation (failurePolicy Fail) until it answers, and pods created before
// it runs get no readiness gate.
//
// On EKS Auto Mode (detected, or cluster.autoMode) no controller is installed or relied on: the
// Ingress gets an IngressClass of its own that Auto Mode's load balancing serves.
func (i ingressExposure) register(ctx *pulumi.Context, cl *cluster.Cluster, aws pulumi.ProviderResource, e *edge) (*endpoint, error) {
	cfg := i.cfg
	var ctrl controller
	var err error
	if cl.AutoMode {
		if err := autoModeIgnores(ctx, cfg); err != nil {
			return nil, err
		}
		ctrl.roleArn = pulumi.String("").ToStringOutput()
	} else if ctrl, err = newController(ctx, cfg, cl, aws, nil); err != nil {
		return nil, err
	}
	svc, err := controllerAppService(ctx, cfg, cl, ctrl)
	if err != nil {
		return nil, err
	}
	args := &albingress.Args{
		Namespace: cfg.App.Namespace, Name: cfg.Ingress.Name,
		ServiceName: svc.ServiceName, ServicePort: cfg.App.Port,
		Settings: ingressSettings(cfg, e), Protect: cfg.Ingress.DeletionProtection,
		Annotations: cfg.ownerMarker(), ControllerElsewhere: !cfg.Controller.Install, Routes: cfg.Routing.routes(),
		DependsOn: slices.Concat(ctrl.ready, e.ready),
	}
	if cl.AutoMode {
		args.AutoMode = &albingress.AutoMode{Class: autoModeClass(cfg.Stack)}
	}
	ing, err := albingress.NewIngress(ctx, AppName, args, pulumi.Provider(cl.Provider))
	if err != nil {
		return nil, err
	}
	if err := deployApp(ctx, cfg, cl, slices.Concat(ctrl.ready, ing.Ready)); err != nil {
		return nil, err
	}
	out := pulumi.Map{"albHostname": ing.Hostname}
	if !cl.AutoMode {
		out["controllerRoleArn"] = ctrl.roleArn
	}
	return &endpoint{hostname: ing.Hostname, port: 80, object: "ingress " + cfg.Ingress.Name, outputs: out}, nil
}

// controllerAppService is Options B and C's ClusterIP app Service, made after the controller
// release: its webhook rejects Service creation (failurePolicy Fail) until it answers.
func controllerAppService(ctx *pulumi.Context, cfg *Config, cl *cluster.Cluster, ctrl controller) (*servicelb.AppService, error) {
	sa := serviceArgs(cfg)
	sa.DependsOn = ctrl.ready
	return servicelb.NewAppService(ctx, AppName, sa, pulumi.Provider(cl.AdoptProvider))
}

// ingressSettings are the ALB's settings, with the edge features e registered.
func ingressSettings(cfg *Config, e *edge) albingress.Settings {
	i := cfg.Ingress
	return albingress.Settings{
		HealthCheck:        healthCheck(cfg),
		SuccessCodes:       i.SuccessCodes,
		Tags:               cfg.Tags,
		LoadBalancerName:   i.LoadBalancerName,
		DeletionProtection: i.DeletionProtection,
		IdleTimeoutSeconds: i.IdleTimeoutSeconds,
		InboundCIDRs:       cfg.Service.SourceRanges,
		DualStack:          cfg.Domain.IPv6,
		TLS:                e.tls,
		WAF:                e.waf,
		AccessLogs:         e.logs,
	}
}

// partition is the AWS partition of a region, for ARNs.
func partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// IngressConfig is the `ingress` block: Option B's Ingress and its ALB; the ALB settings (all but
// `name`) apply to Option C's Gateway too.
type IngressConfig struct {
	// The Ingress object's name.
	Name string `json:"name"`
	// A fixed ALB name, at most 32 letters, digits and hyphens.
	// Default: one the controller picks.
	LoadBalancerName string `json:"loadBalancerName"`
	// The health check's success codes, 200-499 as an ALB takes them (`200`, `200,204`,
	// `200-299`).
	SuccessCodes string `json:"successCodes"`
	// The ALB's idle timeout, in seconds, 1-4000.
	IdleTimeoutSeconds int `json:"idleTimeoutSeconds"`
	// ALB deletion protection; it also protects the Ingress in Pulumi (see
	// [option-b.md](option-b.md#taking-down-a-protected-alb)).
	DeletionProtection bool `json:"deletionProtection"`
}

var (
	lbNameRe      = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,30}[A-Za-z0-9])?$`)
	successCodeRe = regexp.MustCompile(`^\d{3}(-\d{3})?$`)
)

func (i *IngressConfig) setDefaults() {
	*i = IngressConfig{Name: "retail-api", SuccessCodes: "200", IdleTimeoutSeconds: 60}
}

func (i *IngressConfig) validate(_ *Config, v *validator) {
	v.kube(k("ingress.name"), "Ingress name", i.Name, objectName)
	v.check(i.LoadBalancerName == "" || (lbNameRe.MatchString(i.LoadBalancerName) && !strings.HasPrefix(i.LoadBalancerName, "internal-")),
		k("ingress.loadBalancerName"),
		"must be at most 32 letters, digits and hyphens, not starting or ending with a hyphen, got %q", i.LoadBalancerName)
	v.check(validSuccessCodes(i.SuccessCodes), k("ingress.successCodes"),
		"must be HTTP codes from 200 to 499 like 200, 200,204 or 200-299 (what an ALB accepts), got %q", i.SuccessCodes)
	v.check(i.IdleTimeoutSeconds >= 1 && i.IdleTimeoutSeconds <= 4000, k("ingress.idleTimeoutSeconds"),
		"must be between 1 and 4000, got %d", i.IdleTimeoutSeconds)
}

func (*IngressConfig) inert() []inertRule {
	return []inertRule{
		{
			keys:   []string{"ingress.name"},
			active: func(c *Config) bool { return c.Exposure == ExposeIngress },
			needs:  func(*Config) string { return fmt.Sprintf("%s %s", k("exposure"), ExposeIngress) },
		},
		{
			// The ALB's settings: Option C's Gateway makes an ALB too.
			keys:   []string{"ingress.loadBalancerName", "ingress.successCodes", "ingress.idleTimeoutSeconds", "ingress.deletionProtection"},
			active: func(c *Config) bool { return c.usesController() },
			needs: func(*Config) string {
				return fmt.Sprintf("%s %s or %s (an ALB)", k("exposure"), ExposeIngress, ExposeGateway)
			},
		},
	}
}

// validSuccessCodes checks an ALB health check's success codes: 200-499, as single codes, a
// comma-separated list or one ascending range.
func validSuccessCodes(codes string) bool {
	for part := range strings.SplitSeq(codes, ",") {
		if !successCodeRe.MatchString(part) {
			return false
		}
		lo, hi, isRange := strings.Cut(part, "-")
		if !inSuccessRange(lo) || (isRange && (!inSuccessRange(hi) || hi <= lo)) {
			return false
		}
	}
	return true
}

func inSuccessRange(code string) bool { return code >= "200" && code <= "499" }

// autoModeClass names the stack's IngressClass and IngressClassParams on Auto Mode: cluster-wide
// objects, so one per stack. Stack names allow upper case and _, which Kubernetes names do not.
func autoModeClass(stack string) string {
	return strings.ReplaceAll(strings.ToLower(Project+"-"+stack), "_", "-")
}

// autoModeIgnores warns that the controller settings do nothing on a cluster detected to run Auto
// Mode's load balancing (with cluster.autoMode true the inert check refuses them instead).
func autoModeIgnores(ctx *pulumi.Context, cfg *Config) error {
	if cfg.Cluster.AutoMode != nil {
		return nil
	}
	return ctx.Log.Warn(fmt.Sprintf("EKS cluster %q runs Auto Mode's load balancing: Option B uses it through IngressClass %q "+
		"and installs no controller (the %s settings do nothing; set %s false to install the controller anyway)",
		cfg.Cluster.Name, autoModeClass(cfg.Stack), k("controller"), k("cluster.autoMode")), nil)
}
