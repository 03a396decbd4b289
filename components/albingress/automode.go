package albingress

import (
	"maps"
	"slices"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// EKS Auto Mode's ALBs: an IngressClass whose controller is Auto Mode's, configured by an
// IngressClassParams (awsdocs/amazon-eks-user-guide latest/ug/automode/auto-configure-alb.adoc:
// apiVersion eks.amazonaws.com/v1, fields scheme, ipAddressType, certificateARNs, tags and
// loadBalancerAttributes as {key, value} lists, as in the controller's own
// apis/elbv2/v1beta1/ingressclassparams_types.go).
const (
	AutoModeController = "eks.amazonaws.com/alb"
	autoModeGroup      = "eks.amazonaws.com"
	autoModeParamsAPI  = autoModeGroup + "/v1"
	autoModeParamsKind = "IngressClassParams"
)

// AutoMode makes the Ingress Auto Mode's: it gets its own IngressClass, named Class, with an
// IngressClassParams of the same name carrying what Auto Mode takes from there.
type AutoMode struct {
	Class string
}

// movedToParams are the annotations whose settings the IngressClassParams carries on Auto Mode,
// so the Ingress does not set them twice. (Auto Mode does not support group.name, waf-acl-id,
// web-acl-id, shield-advanced-protection or auth-type oidc on the Ingress, auto-configure-alb.adoc
// "Ingress annotations"; this program sets none of them. wafv2-acl-arn is supported and stays.)
var movedToParams = []string{
	Prefix + "scheme", Prefix + "ip-address-type", Prefix + "certificate-arn", Prefix + "tags",
	Prefix + "load-balancer-attributes",
}

// paramsSpec is the IngressClassParams spec for the settings and their resolved references. Two
// of its fields stay unset on purpose: group.name (it makes Ingresses of the class share one ALB;
// each stack has its own class with its one Ingress, and a group would only rename the ALB and
// change the ingress.k8s.aws/stack tag audit finds it by), and subnets (Auto Mode stacks run on
// existing clusters, whose subnets are found by their kubernetes.io/role/elb tag, which the
// preflight checks; cluster.publicSubnetIds applies only to a cluster the stack creates).
func (s Settings) paramsSpec(r refs) map[string]any {
	spec := s.loadBalancerSpec(r)
	if s.TLS != nil {
		spec["certificateARNs"] = []string{r.certificateArn}
	}
	if len(s.Tags) > 0 {
		spec["tags"] = keyValues(s.Tags)
	}
	return spec
}

// keyValues is m as the {key, value} list IngressClassParams and LoadBalancerConfiguration take,
// in key order.
func keyValues(m map[string]string) []map[string]string {
	var out []map[string]string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, map[string]string{"key": k, "value": m[k]})
	}
	return out
}

// autoModeClass registers the IngressClassParams and the IngressClass that names it. The Ingress
// depends on the class and the class on its parameters, so `pulumi destroy` removes the Ingress,
// then the IngressClass, then the IngressClassParams: the order AWS gives (auto-configure-alb.adoc,
// "Cleanup").
func (a *Args) autoModeClass(ctx *pulumi.Context, name string, parent pulumi.Resource) (pulumi.Resource, error) {
	s, class := a.Settings, a.AutoMode.Class
	params, err := apiextensions.NewCustomResource(ctx, name+"-class-params", &apiextensions.CustomResourceArgs{
		ApiVersion: pulumi.String(autoModeParamsAPI),
		Kind:       pulumi.String(autoModeParamsKind),
		Metadata:   metav1.ObjectMetaArgs{Name: pulumi.String(class), Annotations: pulumi.ToStringMap(a.Annotations)},
		OtherFields: kubernetes.UntypedArgs{"spec": a.refInputs().ApplyT(func(v []any) map[string]any {
			return s.paramsSpec(toRefs(v))
		})},
	}, pulumi.Parent(parent))
	if err != nil {
		return nil, err
	}
	return networkingv1.NewIngressClass(ctx, name+"-class", &networkingv1.IngressClassArgs{
		Metadata: metav1.ObjectMetaArgs{Name: pulumi.String(class), Annotations: pulumi.ToStringMap(a.Annotations)},
		Spec: networkingv1.IngressClassSpecArgs{
			Controller: pulumi.String(AutoModeController),
			Parameters: networkingv1.IngressClassParametersReferenceArgs{
				ApiGroup: pulumi.String(autoModeGroup), Kind: pulumi.String(autoModeParamsKind), Name: pulumi.String(class),
			},
		},
	}, pulumi.Parent(parent), pulumi.DependsOn([]pulumi.Resource{params}))
}
