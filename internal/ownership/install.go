package ownership

import (
	"context"
	"fmt"
	"strings"
)

// Helm's own annotations on what a release installed (Helm 3 adds them to every object it
// creates; "invalid ownership metadata" is its refusal to take an object without them).
const (
	HelmReleaseName      = "meta.helm.sh/release-name"
	HelmReleaseNamespace = "meta.helm.sh/release-namespace"
)

// ControllerClass is the IngressClass controller of the AWS Load Balancer Controller; AutoModeClass
// is EKS Auto Mode's own load balancing (EKS user guide, "Create an IngressClass to configure an
// Application Load Balancer").
const (
	ControllerClass = "ingress.k8s.aws/alb"
	AutoModeClass   = "eks.amazonaws.com/alb"
)

// Install is the controller installation a stack is about to make: its Deployment and service
// account (which carry the stack's marker), and what its Helm release puts in the cluster beside
// them (the IngressClass and the webhook configurations, which carry Helm's annotations only).
type Install struct {
	Namespace, Deployment, ServiceAccount, Release string
	IngressClass                                   string
	// Webhooks is the name of the chart's mutating and validating webhook configurations.
	Webhooks string
	// Fix is how to use the controller that is there instead, for the error.
	Fix string
}

// CheckInstall refuses to install a controller where one that is not this stack's (me) already
// runs: an unmarked controller Deployment or service account (eksctl, another team's Helm release),
// or an IngressClass or webhook configuration that no release of this stack's made (EKS Auto
// Mode's class, a leftover). Installing over them fails only after the IAM role is made, with
// "already exists" or Helm's "invalid ownership metadata"; the webhooks of a second controller
// would also answer for the first's objects. Objects another stack marked are Check's to refuse.
func CheckInstall(ctx context.Context, r Reader, me string, in Install) error {
	dep, ours, err := in.ownDeployment(ctx, r, me)
	if err != nil {
		return err
	}
	var found []string
	if dep != "" {
		found = append(found, dep)
	}
	sa, exists, err := r.Metadata(ctx, ServiceAccount, in.Namespace, in.ServiceAccount)
	if err != nil {
		return fmt.Errorf("reading ServiceAccount %s/%s: %w", in.Namespace, in.ServiceAccount, err)
	}
	if exists && sa.Annotations[Annotation] == "" {
		found = append(found, fmt.Sprintf("ServiceAccount %s/%s (%s)", in.Namespace, in.ServiceAccount, origin(sa)))
	}
	for _, o := range []struct {
		kind Kind
		name string
	}{{IngressClass, in.IngressClass}, {MutatingWebhook, in.Webhooks}, {ValidatingWebhook, in.Webhooks}} {
		m, exists, err := r.Metadata(ctx, o.kind, "", o.name)
		if err != nil {
			return fmt.Errorf("reading %s %s: %w", o.kind, o.name, err)
		}
		if exists && (!ours || !in.fromRelease(m)) {
			found = append(found, fmt.Sprintf("%s %s (%s)", o.kind, o.name, describe(o.kind, m)))
		}
	}
	if len(found) == 0 {
		return nil
	}
	return fmt.Errorf("this stack would install the AWS Load Balancer Controller, and the cluster already has one it did "+
		"not install: %s. A second installation would fail after its IAM role is made, and two controllers would fight "+
		"over the same objects; nothing was changed. %s", strings.Join(found, "; "), in.Fix)
}

// ownDeployment reads the controller Deployment: it describes it when it is there and unmarked,
// and says whether it is this stack's.
func (in Install) ownDeployment(ctx context.Context, r Reader, me string) (foreign string, ours bool, err error) {
	m, found, err := r.Metadata(ctx, Deployment, in.Namespace, in.Deployment)
	if err != nil {
		return "", false, fmt.Errorf("reading Deployment %s/%s: %w", in.Namespace, in.Deployment, err)
	}
	switch owner := m.Annotations[Annotation]; {
	case !found:
		return "", false, nil
	case owner == me:
		return "", true, nil
	case owner != "":
		return "", false, nil // another stack's: Check names it, with the way out
	}
	return fmt.Sprintf("Deployment %s/%s (%s)", in.Namespace, in.Deployment, origin(m)), false, nil
}

// fromRelease says whether Helm installed the object with this stack's release.
func (in Install) fromRelease(m Metadata) bool {
	return m.Annotations[HelmReleaseName] == in.Release && m.Annotations[HelmReleaseNamespace] == in.Namespace
}

// origin says where an object came from, as far as its labels and annotations tell.
func origin(m Metadata) string {
	var parts []string
	if chart := m.Labels[ChartLabel]; chart != "" {
		parts = append(parts, "chart "+chart)
	}
	if rel := m.Annotations[HelmReleaseName]; rel != "" {
		parts = append(parts, fmt.Sprintf("Helm release %s in %s", rel, m.Annotations[HelmReleaseNamespace]))
	}
	if by := m.Labels["app.kubernetes.io/managed-by"]; by != "" && by != "Helm" {
		parts = append(parts, "managed by "+by)
	}
	if len(parts) == 0 {
		return "no Helm release or owner marker"
	}
	return strings.Join(parts, ", ")
}

func describe(kind Kind, m Metadata) string {
	if kind != IngressClass {
		return origin(m)
	}
	if m.Controller == AutoModeClass {
		return "controller " + AutoModeClass + ": EKS Auto Mode's own load balancing"
	}
	return "controller " + m.Controller + ", " + origin(m)
}

// checkClass refuses a controller without the IngressClass its Ingress names, or whose class is
// served by another controller (EKS Auto Mode's).
func checkClass(ctx context.Context, r Reader, c Controller) error {
	if c.IngressClass == "" {
		return nil
	}
	m, found, err := r.Metadata(ctx, IngressClass, "", c.IngressClass)
	switch {
	case err != nil:
		return fmt.Errorf("reading IngressClass %s: %w", c.IngressClass, err)
	case !found:
		return fmt.Errorf("the load balancer controller in %s/%s serves no IngressClass %s (the chart's "+
			"createIngressClassResource was off?): an Ingress of that class would never get an ALB. %s",
			c.Namespace, c.Deployment, c.IngressClass, c.Fix)
	case m.Controller != ControllerClass:
		return fmt.Errorf("IngressClass %s is served by %s, not by the AWS Load Balancer Controller (%s): %s. %s",
			c.IngressClass, m.Controller, ControllerClass, describe(IngressClass, m), c.Fix)
	}
	return nil
}
