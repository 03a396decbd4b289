// Package albingress exposes the app Service through an internet-facing ALB made by the AWS Load
// Balancer Controller: one Ingress of class `alb`, with typed settings turned into annotations.
//
// Inputs (Args): namespace, name, the backend Service and port, Settings, Routes, and the resources the
// Ingress must wait for (the controller release).
// Outputs: Hostname (the ALB's DNS name, from the Ingress status).
// Creates: `kubernetes:networking.k8s.io/v1:Ingress`, and a `kubernetes:core/v1:NamespacePatch` that labels
// the namespace for pod readiness gates, so a rolling update never removes an old pod before the
// ALB has marked its replacement healthy. With AutoMode (EKS Auto Mode's load balancing) also a
// `kubernetes:networking.k8s.io/v1:IngressClass` for `eks.amazonaws.com/alb` and its
// `kubernetes:eks.amazonaws.com/v1:IngressClassParams`, which the Ingress names instead of `alb`.
package albingress

import (
	"errors"
	"fmt"
	"maps"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/internal/annotation"
	"github.com/mlops-retail/retail-api-edge/internal/slowstep"
)

// TypeToken is the component's type, fixed for life.
const TypeToken = "retail-api-edge:albingress:Ingress"

// provisioning bounds the wait for the ALB's address, and on delete the wait for the controller to
// remove the ALB and the Ingress's finalizer.
var provisioning = slowstep.Step{Timeout: "15m", Delete: "15m",
	Check: "check `kubectl -n <namespace> describe ingress <name>` for FailedBuildModel/FailedDeployModel events: public " +
		"subnets tagged kubernetes.io/role/elb=1 in two zones, the controller's role, the certificate and web ACL it names"}

// ClassName is the IngressClass the controller's chart installs.
const ClassName = "alb"

// ReadinessGateLabel turns on the controller's pod readiness gate injection for a namespace.
const ReadinessGateLabel = "elbv2.k8s.aws/pod-readiness-gate-inject"

// maxLoadBalancerName is AWS's limit on ALB names.
const maxLoadBalancerName = 32

// Args describe the Ingress.
type Args struct {
	Namespace   string
	Name        string
	ServiceName pulumi.StringInput
	ServicePort int
	Settings    Settings
	// Protect makes `pulumi destroy` refuse up front while the ALB has deletion protection on:
	// the controller could not delete it, and the Ingress would hang on its finalizer.
	Protect bool
	// ControllerElsewhere says the controller is not this stack's (another stack installed it), so
	// DependsOn holds no release.
	ControllerElsewhere bool
	// Annotations are added to the controller's (the stack's ownership marker, say).
	Annotations map[string]string
	// AutoMode hands the Ingress to EKS Auto Mode's load balancing, through an IngressClass of its
	// own; no controller release is then involved.
	AutoMode *AutoMode
	// Routes are the ALB's listener rules in priority order; none sends / to the Service.
	Routes []Route
	// DependsOn holds what must exist before the Ingress and outlive it: the controller release,
	// and the certificate validation, web ACL and log bucket policy the ALB refers to.
	DependsOn []pulumi.Resource
}

// refInputs are the features' references (each "" when off), resolved together.
func (a *Args) refInputs() pulumi.ArrayOutput { return a.Settings.refInputs() }

func (s Settings) refInputs() pulumi.ArrayOutput {
	var cert, acl, bucket pulumi.StringInput = pulumi.String(""), pulumi.String(""), pulumi.String("")
	if s.TLS != nil {
		cert = s.TLS.CertificateArn
	}
	if s.WAF != nil {
		acl = s.WAF.WebACLArn
	}
	if s.AccessLogs != nil {
		bucket = s.AccessLogs.Bucket
	}
	return pulumi.All(cert, acl, bucket)
}

func toRefs(v []any) refs {
	return refs{certificateArn: v[0].(string), webACLArn: v[1].(string), logBucket: v[2].(string)}
}

// Refs are the features' references once their resources exist ("" for a feature that is off),
// for another rendering of the same settings (a Gateway's LoadBalancerConfiguration).
type Refs struct{ CertificateArn, WebACLArn, LogBucket string }

// Resolve calls render with the settings' references once they are known.
func (s Settings) Resolve(render func(Refs) map[string]any) pulumi.MapOutput {
	return s.refInputs().ApplyT(func(v []any) map[string]any {
		r := toRefs(v)
		return render(Refs{CertificateArn: r.certificateArn, WebACLArn: r.webACLArn, LogBucket: r.logBucket})
	}).(pulumi.MapOutput)
}

// LoadBalancerSpec is what Auto Mode's IngressClassParams and the controller's Gateway
// LoadBalancerConfiguration both take of the ALB, under the same field names: the scheme, the
// address type and the attributes as {key, value} pairs, every one explicit (as the Ingress's
// annotations have them).
func (s Settings) LoadBalancerSpec(r Refs) map[string]any {
	return s.loadBalancerSpec(refs{certificateArn: r.CertificateArn, webACLArn: r.WebACLArn, logBucket: r.LogBucket})
}

func (s Settings) loadBalancerSpec(r refs) map[string]any {
	spec := map[string]any{
		"scheme":                 "internet-facing",
		"ipAddressType":          "ipv4",
		"loadBalancerAttributes": keyValues(s.attributeMap(r)),
	}
	if s.DualStack {
		spec["ipAddressType"] = "dualstack"
	}
	return spec
}

// annotations renders the annotations once the references are known; on Auto Mode without those
// its IngressClassParams carries.
func (a *Args) annotations(routes map[string]string) pulumi.StringMapOutput {
	return a.refInputs().ApplyT(func(v []any) map[string]string {
		out := a.Settings.annotations(toRefs(v))
		maps.Copy(out, routes)
		if a.AutoMode != nil {
			for _, k := range movedToParams {
				delete(out, k)
			}
		}
		maps.Copy(out, a.Annotations)
		out[annotation.PatchForce] = "true"
		return out
	}).(pulumi.StringMapOutput)
}

// Ingress is the ALB Ingress component.
type Ingress struct {
	pulumi.ResourceState

	Hostname pulumi.StringOutput `pulumi:"hostname"`
	// Ready is what the app's pods wait for to get their readiness gate: the namespace label and
	// the Ingress. The controller's pod webhook injects a gate only at pod creation, only in a
	// labelled namespace, and only for a Service that an ip TargetGroupBinding already refers to
	// (pkg/inject/pod_readiness_gate.go; docs/deploy/pod_readiness_gate.md: "create your Ingress or
	// Service and label the namespace before creating the pods"); the controller makes that binding
	// before it reports the ALB's address, which the Ingress waits for.
	Ready []pulumi.Resource `pulumi:"-"`
}

func (a *Args) validate() error {
	switch {
	case a == nil:
		return errors.New("albingress: args are required")
	case a.Namespace == "" || a.Name == "" || a.ServiceName == nil:
		return errors.New("albingress: Namespace, Name and ServiceName are required")
	case a.ServicePort < 1 || a.ServicePort > 65535:
		return errors.New("albingress: ServicePort must be 1-65535")
	}
	if err := a.Settings.Validate(); err != nil {
		return fmt.Errorf("albingress: %w", err)
	}
	switch {
	case a.AutoMode != nil && a.AutoMode.Class == "":
		return errors.New("albingress: AutoMode needs its Class name")
	case len(a.DependsOn) == 0 && !a.ControllerElsewhere && a.AutoMode == nil:
		return errors.New("albingress: DependsOn must name the controller release (destroy order), or set ControllerElsewhere")
	}
	return ValidateRoutes(a.Routes)
}

// Validate checks what the settings' renderings rely on: an ALB name AWS takes, and each feature
// that is on with its reference.
func (s Settings) Validate() error {
	switch {
	case len(s.LoadBalancerName) > maxLoadBalancerName:
		return errors.New("LoadBalancerName is longer than 32 characters")
	case s.TLS != nil && s.TLS.CertificateArn == nil, s.WAF != nil && s.WAF.WebACLArn == nil,
		s.AccessLogs != nil && s.AccessLogs.Bucket == nil:
		return errors.New("Settings.TLS, WAF and AccessLogs need their CertificateArn, WebACLArn and Bucket")
	}
	return nil
}

// NewIngress registers the Ingress after everything in args.DependsOn.
func NewIngress(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Ingress, error) {
	if err := args.validate(); err != nil {
		return nil, err
	}
	routes, err := routeAnnotations(args.Routes)
	if err != nil {
		return nil, err
	}
	in := &Ingress{}
	if err := ctx.RegisterComponentResource(TypeToken, name, in, opts...); err != nil {
		return nil, err
	}
	gate, err := corev1.NewNamespacePatch(ctx, name+"-readiness-gate", &corev1.NamespacePatchArgs{
		Metadata: metav1.ObjectMetaPatchArgs{
			Name:   pulumi.String(args.Namespace),
			Labels: pulumi.StringMap{ReadinessGateLabel: pulumi.String("enabled")},
		},
	}, pulumi.Parent(in))
	if err != nil {
		return nil, err
	}
	class, deps := ClassName, append([]pulumi.Resource{gate}, args.DependsOn...)
	if args.AutoMode != nil {
		ic, err := args.autoModeClass(ctx, name, in)
		if err != nil {
			return nil, err
		}
		class, deps = args.AutoMode.Class, append(deps, ic)
	}
	ing, err := networkingv1.NewIngress(ctx, name+"-ingress", &networkingv1.IngressArgs{
		Metadata: metav1.ObjectMetaArgs{
			Name:        pulumi.String(args.Name),
			Namespace:   pulumi.String(args.Namespace),
			Annotations: args.annotations(routes),
		},
		Spec: networkingv1.IngressSpecArgs{
			IngressClassName: pulumi.String(class),
			Rules:            args.ingressRules(),
		},
	}, pulumi.Parent(in), pulumi.DependsOn(deps), pulumi.Protect(args.Protect),
		provisioning.Option())
	if err != nil {
		return nil, err
	}
	if err := provisioning.Announce(ctx, ing); err != nil {
		return nil, err
	}
	in.Hostname = ing.Status.ApplyT(hostname).(pulumi.StringOutput)
	in.Ready = []pulumi.Resource{gate, ing}
	return in, ctx.RegisterResourceOutputs(in, pulumi.Map{"hostname": in.Hostname})
}

// hostname is the ALB's DNS name once the controller has made it.
func hostname(st *networkingv1.IngressStatus) string {
	if st == nil || st.LoadBalancer == nil || len(st.LoadBalancer.Ingress) == 0 || st.LoadBalancer.Ingress[0].Hostname == nil {
		return ""
	}
	return *st.LoadBalancer.Ingress[0].Hostname
}
