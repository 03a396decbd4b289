// Package servicelb owns the app's Kubernetes Service in both exposures: type LoadBalancer with
// explicit AWS annotations in Option A, ClusterIP behind the ALB in Option B. Keeping it one
// resource with one name means switching options updates the Service in place.
//
// Inputs (Args): namespace, name, selector, ports, and LoadBalancer settings (nil = ClusterIP).
// Outputs: ServiceName, Namespace, Hostname (the load balancer's DNS name; "" for ClusterIP).
// Creates: one `kubernetes:core/v1:Service`, adopting a same-named one that already exists.
package servicelb

import (
	"errors"
	"fmt"
	"maps"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/internal/annotation"
	"github.com/mlops-retail/retail-api-edge/internal/fielderr"
	"github.com/mlops-retail/retail-api-edge/internal/lbkind"
)

// TypeToken is the component's type, fixed for life.
const TypeToken = "retail-api-edge:servicelb:AppService"

// patchForce lets server-side apply take over fields another manager (kubectl) owns.
const patchForce = annotation.PatchForce

// Args describes the Service.
type Args struct {
	Namespace  string
	Name       string
	Selector   map[string]string
	Port       int
	TargetPort int
	// LoadBalancer makes the Service type LoadBalancer; nil keeps it ClusterIP.
	LoadBalancer *LoadBalancer
	// SourceRanges limits who may reach the load balancer (CIDRs); empty means everyone.
	SourceRanges []string
	Labels       map[string]string
	// Annotations are added to the Service's own (the stack's ownership marker, say).
	Annotations map[string]string
	// Retain leaves the Service in the cluster when the stack is destroyed (it was handed over).
	Retain bool
	// DependsOn must exist before the Service is created (e.g. a webhook that admits Services).
	DependsOn []pulumi.Resource
}

// AppService is the app Service component.
type AppService struct {
	pulumi.ResourceState

	ServiceName pulumi.StringOutput `pulumi:"serviceName"`
	Namespace   pulumi.StringOutput `pulumi:"namespace"`
	Hostname    pulumi.StringOutput `pulumi:"hostname"`
}

func (a *Args) validate() error {
	switch {
	case a == nil:
		return errors.New("servicelb: args are required")
	case a.Namespace == "" || a.Name == "":
		return errors.New("servicelb: Namespace and Name are required")
	case len(a.Selector) == 0:
		return errors.New("servicelb: Selector must not be empty")
	case a.Port < 1 || a.Port > 65535 || a.TargetPort < 1 || a.TargetPort > 65535:
		return fmt.Errorf("servicelb: ports must be 1-65535, got %d->%d", a.Port, a.TargetPort)
	case a.LoadBalancer == nil && len(a.SourceRanges) > 0:
		return errors.New("servicelb: SourceRanges need a LoadBalancer")
	case a.LoadBalancer != nil:
		if err := a.LoadBalancer.Validate(); err != nil {
			return fmt.Errorf("servicelb: %w", err)
		}
	}
	return nil
}

// Validate says whether the load balancer can be made: its kind, and on EKS Auto Mode an NLB
// only (auto-configure-nlb.adoc: Auto Mode's load balancing makes NLBs; a classic ELB is the
// in-tree provider's, which Auto Mode leaves no room for). Its errors name the fields as {Kind}
// and {AutoMode} (internal/fielderr), for the caller to rename; the first field is the one to fix.
func (lb LoadBalancer) Validate() error {
	switch {
	case lb.Kind != lbkind.NLB && lb.Kind != lbkind.Classic:
		return fielderr.New(fmt.Sprintf("{Kind} must be %q (Network Load Balancer) or %q (Classic Load Balancer), got %q",
			lbkind.NLB, lbkind.Classic, lb.Kind))
	case lb.AutoMode && lb.Kind != lbkind.NLB:
		return fielderr.New(fmt.Sprintf("{Kind} is %q, but EKS Auto Mode's load balancing makes NLBs only: set it to %q, "+
			"or {AutoMode} to false to have the in-tree provider make it", lb.Kind, lbkind.NLB))
	}
	return nil
}

// NewAppService registers the Service. Pass the provider that adopts existing objects.
func NewAppService(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*AppService, error) {
	if err := args.validate(); err != nil {
		return nil, err
	}
	s := &AppService{}
	if err := ctx.RegisterComponentResource(TypeToken, name, s, opts...); err != nil {
		return nil, err
	}
	svc, err := corev1.NewService(ctx, name+"-svc", &corev1.ServiceArgs{
		Metadata: metav1.ObjectMetaArgs{
			Name:        pulumi.String(args.Name),
			Namespace:   pulumi.String(args.Namespace),
			Labels:      pulumi.ToStringMap(args.Labels),
			Annotations: pulumi.ToStringMap(args.annotations()),
		},
		Spec: args.spec(),
	}, append(args.replaceOnKindChange(), pulumi.Parent(s), pulumi.DependsOn(args.DependsOn), pulumi.RetainOnDelete(args.Retain))...)
	if err != nil {
		return nil, err
	}
	s.ServiceName = svc.Metadata.Name().Elem()
	s.Namespace = svc.Metadata.Namespace().Elem()
	s.Hostname = svc.Status.ApplyT(hostname).(pulumi.StringOutput)
	return s, ctx.RegisterResourceOutputs(s, pulumi.Map{
		"serviceName": s.ServiceName, "namespace": s.Namespace, "hostname": s.Hostname,
	})
}

// TypeAnnotation says which kind of load balancer the in-tree provider makes: "nlb", or a classic
// ELB without it.
const TypeAnnotation = Prefix + "type"

// replaceOnKindChange replaces a load balancer Service whose kind changes (NLB to classic or back):
// the in-tree provider refuses to change the type of an existing load balancer ("cannot update
// Load Balancer Type annotation ... after creation", cloud-provider-aws
// pkg/providers/v1/aws_validations.go) and keeps the old one. The Service has a fixed name, so the
// old one must go first; the Kubernetes provider sets that only for replacements it decides itself.
// A ClusterIP Service (Option B) registers neither, so switching to Option B updates it in place.
func (a *Args) replaceOnKindChange() []pulumi.ResourceOption {
	if a.LoadBalancer == nil {
		return nil
	}
	// spec.loadBalancerClass cannot change once set (the API server refuses it: k8s.io/kubernetes
	// pkg/apis/core/validation ValidateServiceUpdate), so moving to or from Auto Mode replaces too.
	return []pulumi.ResourceOption{
		pulumi.ReplaceOnChanges([]string{fmt.Sprintf("metadata.annotations[%q]", TypeAnnotation), "spec.loadBalancerClass"}),
		pulumi.DeleteBeforeReplace(true),
	}
}

func (a *Args) annotations() map[string]string {
	out := map[string]string{patchForce: "true"}
	maps.Copy(out, a.Annotations)
	if a.LoadBalancer != nil {
		maps.Copy(out, a.LoadBalancer.Annotations())
	}
	return out
}

func (a *Args) spec() corev1.ServiceSpecArgs {
	spec := corev1.ServiceSpecArgs{
		Type:     pulumi.String("ClusterIP"),
		Selector: pulumi.ToStringMap(a.Selector),
		Ports: corev1.ServicePortArray{corev1.ServicePortArgs{
			Name:       pulumi.String("http"),
			Protocol:   pulumi.String("TCP"),
			Port:       pulumi.Int(a.Port),
			TargetPort: pulumi.Int(a.TargetPort),
		}},
	}
	if a.LoadBalancer != nil {
		spec.Type = pulumi.String("LoadBalancer")
		spec.LoadBalancerSourceRanges = pulumi.ToStringArray(a.SourceRanges)
		if a.LoadBalancer.AutoMode {
			spec.LoadBalancerClass = pulumi.String(AutoModeClass)
		}
	}
	return spec
}

// hostname is the load balancer's DNS name once AWS has made it; "" for ClusterIP.
func hostname(st *corev1.ServiceStatus) string {
	if st == nil || st.LoadBalancer == nil || len(st.LoadBalancer.Ingress) == 0 || st.LoadBalancer.Ingress[0].Hostname == nil {
		return ""
	}
	return *st.LoadBalancer.Ingress[0].Hostname
}
