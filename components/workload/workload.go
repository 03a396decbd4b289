// Package workload optionally deploys the Retail API itself, for clusters where it is not
// deployed yet: a Deployment spread across zones with health probes, and a PodDisruptionBudget
// so node drains never take every replica at once.
//
// Inputs (Args): namespace, name, labels (also the selector), image, replicas, port, health path.
// Outputs: DeploymentName.
// Creates: `kubernetes:apps/v1:Deployment`, `kubernetes:policy/v1:PodDisruptionBudget`.
package workload

import (
	"errors"
	"fmt"
	"maps"

	appsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	policyv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/policy/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/internal/annotation"
)

// TypeToken is the component's type, fixed for life.
const TypeToken = "retail-api-edge:workload:Workload"

// zoneKey is the node label replicas are spread over.
const zoneKey = "topology.kubernetes.io/zone"

// minReplicas keeps the API up through a node or zone loss.
const minReplicas = 2

// Args describes the app Deployment.
type Args struct {
	Namespace  string
	Name       string
	Labels     map[string]string
	Image      string
	Replicas   int
	Port       int
	HealthPath string
	// Annotations go on the Deployment and its budget (the stack's ownership marker, say).
	Annotations map[string]string
	// Retain leaves them in the cluster when the stack is destroyed (they were handed over).
	Retain bool
	// DependsOn must exist before pods are created (e.g. the webhook that injects readiness gates).
	DependsOn []pulumi.Resource
}

// Workload is the app Deployment and its disruption budget.
type Workload struct {
	pulumi.ResourceState

	DeploymentName pulumi.StringOutput `pulumi:"deploymentName"`
}

func (a *Args) validate() error {
	switch {
	case a == nil:
		return errors.New("workload: args are required")
	case a.Namespace == "" || a.Name == "" || a.Image == "":
		return errors.New("workload: Namespace, Name and Image are required")
	case len(a.Labels) == 0:
		return errors.New("workload: Labels must not be empty (they are the pod selector)")
	case a.Replicas < minReplicas:
		return fmt.Errorf("workload: Replicas must be at least %d, got %d", minReplicas, a.Replicas)
	}
	return nil
}

// NewWorkload registers the Deployment and the PodDisruptionBudget.
func NewWorkload(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Workload, error) {
	if err := args.validate(); err != nil {
		return nil, err
	}
	w := &Workload{}
	if err := ctx.RegisterComponentResource(TypeToken, name, w, opts...); err != nil {
		return nil, err
	}
	labels := pulumi.ToStringMap(args.Labels)
	meta := metav1.ObjectMetaArgs{
		Name: pulumi.String(args.Name), Namespace: pulumi.String(args.Namespace), Labels: labels,
		Annotations: pulumi.ToStringMap(args.annotations()),
	}
	retain := pulumi.RetainOnDelete(args.Retain)
	dep, err := appsv1.NewDeployment(ctx, name+"-deployment", &appsv1.DeploymentArgs{
		Metadata: meta,
		Spec: appsv1.DeploymentSpecArgs{
			Replicas: pulumi.Int(args.Replicas),
			Selector: metav1.LabelSelectorArgs{MatchLabels: labels},
			Strategy: appsv1.DeploymentStrategyArgs{
				Type:          pulumi.String("RollingUpdate"),
				RollingUpdate: appsv1.RollingUpdateDeploymentArgs{MaxUnavailable: pulumi.Int(0), MaxSurge: pulumi.Int(1)},
			},
			Template: corev1.PodTemplateSpecArgs{
				Metadata: metav1.ObjectMetaArgs{Labels: labels},
				Spec:     args.podSpec(),
			},
		},
	}, pulumi.Parent(w), pulumi.DependsOn(args.DependsOn), retain)
	if err != nil {
		return nil, err
	}
	_, err = policyv1.NewPodDisruptionBudget(ctx, name+"-pdb", &policyv1.PodDisruptionBudgetArgs{
		Metadata: meta,
		Spec: policyv1.PodDisruptionBudgetSpecArgs{
			MinAvailable: pulumi.Int(1),
			Selector:     metav1.LabelSelectorArgs{MatchLabels: labels},
		},
	}, pulumi.Parent(w), retain)
	if err != nil {
		return nil, err
	}
	w.DeploymentName = dep.Metadata.Name().Elem()
	return w, ctx.RegisterResourceOutputs(w, pulumi.Map{"deploymentName": w.DeploymentName})
}

// annotations are the caller's plus patchForce: the Deployment may be adopted from a `kubectl
// apply`, whose field manager owns the fields this one sets, and server-side apply would otherwise
// refuse with a conflict (the Service and the Ingress do the same). Other stacks are kept off them
// by the ownership check.
func (a *Args) annotations() map[string]string {
	out := maps.Clone(a.Annotations)
	if out == nil {
		out = map[string]string{}
	}
	out[annotation.PatchForce] = "true"
	return out
}

func (a *Args) podSpec() corev1.PodSpecArgs {
	probe := func(initialDelay, failures int) corev1.ProbeArgs {
		return corev1.ProbeArgs{
			HttpGet:             corev1.HTTPGetActionArgs{Path: pulumi.String(a.HealthPath), Port: pulumi.String("http")},
			InitialDelaySeconds: pulumi.Int(initialDelay),
			PeriodSeconds:       pulumi.Int(10),
			FailureThreshold:    pulumi.Int(failures),
		}
	}
	return corev1.PodSpecArgs{
		TopologySpreadConstraints: corev1.TopologySpreadConstraintArray{corev1.TopologySpreadConstraintArgs{
			MaxSkew:           pulumi.Int(1),
			TopologyKey:       pulumi.String(zoneKey),
			WhenUnsatisfiable: pulumi.String("ScheduleAnyway"),
			LabelSelector:     metav1.LabelSelectorArgs{MatchLabels: pulumi.ToStringMap(a.Labels)},
		}},
		Containers: corev1.ContainerArray{corev1.ContainerArgs{
			Name:           pulumi.String(a.Name),
			Image:          pulumi.String(a.Image),
			Ports:          corev1.ContainerPortArray{corev1.ContainerPortArgs{Name: pulumi.String("http"), ContainerPort: pulumi.Int(a.Port)}},
			ReadinessProbe: probe(5, 3),
			LivenessProbe:  probe(15, 6),
			Resources: corev1.ResourceRequirementsArgs{
				Requests: pulumi.StringMap{"cpu": pulumi.String("250m"), "memory": pulumi.String("512Mi")},
				Limits:   pulumi.StringMap{"memory": pulumi.String("1Gi")},
			},
		}},
	}
}
