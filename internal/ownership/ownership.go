// Package ownership marks the Kubernetes objects a stack creates or adopts with the stack that owns
// them, and decides, before anything changes, whether a stack may take an object: one it owns or
// one nobody marked (a kubectl-applied Service), never one another stack owns. It also checks a
// load balancer controller that another stack installed before a stack relies on it.
package ownership

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/mod/semver"
)

// Annotation holds the owner of an object: "<project>/<stack>".
const Annotation = "retail-api-edge.mlops.io/owner"

// ChartLabel is the label Helm charts put on what they install: "<chart>-<version>".
const ChartLabel = "helm.sh/chart"

// RoleAnnotation is the IAM role an IRSA service account assumes.
const RoleAnnotation = "eks.amazonaws.com/role-arn"

// Owner is the marker value for a stack of a project.
func Owner(project, stack string) string { return project + "/" + stack }

// Kind is a Kubernetes object kind the program reads.
type Kind string

// The kinds the program creates, adopts or relies on. IngressClass, the webhook configurations,
// CRDs and GatewayClasses are cluster-scoped: their namespace is "".
const (
	Service           Kind = "Service"
	Deployment        Kind = "Deployment"
	Ingress           Kind = "Ingress"
	ServiceAccount    Kind = "ServiceAccount"
	IngressClass      Kind = "IngressClass"
	MutatingWebhook   Kind = "MutatingWebhookConfiguration"
	ValidatingWebhook Kind = "ValidatingWebhookConfiguration"
	CRD               Kind = "CustomResourceDefinition"
	GatewayClass      Kind = "GatewayClass"
	Gateway           Kind = "Gateway"
	HTTPRoute         Kind = "HTTPRoute"
	// The AWS Load Balancer Controller's Gateway configuration kinds (apis/gateway/v1 at v3.5.0).
	LoadBalancerConfig Kind = "LoadBalancerConfiguration"
	TargetGroupConfig  Kind = "TargetGroupConfiguration"
	ListenerRuleConfig Kind = "ListenerRuleConfiguration"
)

// Object is one object a stack is about to create or adopt.
type Object struct {
	Kind      Kind
	Namespace string
	Name      string
	// HandedTo is another owner the object may already carry: the stack it was handed over to.
	HandedTo string
	// WayOut tells the user how to resolve a conflict with the owner (a "<project>/<stack>").
	WayOut func(owner string) string
}

func (o Object) String() string { return fmt.Sprintf("%s %s/%s", o.Kind, o.Namespace, o.Name) }

// Metadata is what the checks read of an object.
type Metadata struct {
	Annotations map[string]string
	Labels      map[string]string
	// Controller is an IngressClass's spec.controller or a GatewayClass's spec.controllerName.
	Controller string
	// Ports are a Service's spec.ports[].port.
	Ports []int
}

// Reader reads objects' metadata from the cluster; found is false when the object does not exist.
type Reader interface {
	Metadata(ctx context.Context, kind Kind, namespace, name string) (m Metadata, found bool, err error)
}

// Check returns one error naming every object in objects that a stack other than me owns; absent
// objects, unmarked ones, me's own and those me handed over pass.
func Check(ctx context.Context, r Reader, me string, objects []Object) error {
	var errs []error
	for _, o := range objects {
		m, found, err := r.Metadata(ctx, o.Kind, o.Namespace, o.Name)
		if err != nil {
			return fmt.Errorf("reading %s to check who owns it: %w", o, err)
		}
		owner := m.Annotations[Annotation]
		if !found || owner == "" || owner == me || (o.HandedTo != "" && owner == o.HandedTo) {
			continue
		}
		errs = append(errs, fmt.Errorf("%s belongs to stack %q (annotation %s), and this is stack %q: "+
			"it is left as it is, nothing was changed. %s", o, owner, Annotation, me, o.WayOut(owner)))
	}
	return errors.Join(errs...)
}

// Controller is a load balancer controller another stack (or a platform team) installed, which a
// stack relies on instead of installing its own.
type Controller struct {
	Namespace  string
	Deployment string
	// Chart is the chart's name; MinVersion the oldest chart version the stack works with.
	Chart      string
	MinVersion string
	// ServiceAccount and RoleArn, when RoleArn is set, are the IRSA role the controller must run as.
	ServiceAccount string
	RoleArn        string
	// IngressClass, when set, is the class the stack's Ingress names: it must exist and be this
	// controller's.
	IngressClass string
	// Fix says how to install it, for the error when it is missing or too old.
	Fix string
}

// CheckController returns an error unless the controller is installed, from its chart at MinVersion
// or later, serving IngressClass, running as RoleArn when one is expected.
func CheckController(ctx context.Context, r Reader, c Controller) error {
	m, found, err := r.Metadata(ctx, Deployment, c.Namespace, c.Deployment)
	if err != nil {
		return fmt.Errorf("reading the load balancer controller's Deployment %s/%s: %w", c.Namespace, c.Deployment, err)
	}
	if !found {
		return fmt.Errorf("this stack relies on a load balancer controller it does not install, and there is no "+
			"Deployment %s/%s in the cluster. %s", c.Namespace, c.Deployment, c.Fix)
	}
	version, ok := strings.CutPrefix(m.Labels[ChartLabel], c.Chart+"-")
	if !ok || !semver.IsValid("v"+version) || semver.Compare("v"+version, "v"+c.MinVersion) < 0 {
		return fmt.Errorf("the load balancer controller in %s/%s comes from chart %q (label %s), and this stack needs "+
			"%s %s or later. %s", c.Namespace, c.Deployment, m.Labels[ChartLabel], ChartLabel, c.Chart, c.MinVersion, c.Fix)
	}
	if err := checkClass(ctx, r, c); err != nil {
		return err
	}
	if c.RoleArn == "" {
		return nil
	}
	sa, found, err := r.Metadata(ctx, ServiceAccount, c.Namespace, c.ServiceAccount)
	if err != nil {
		return fmt.Errorf("reading the controller's service account %s/%s: %w", c.Namespace, c.ServiceAccount, err)
	}
	if got := sa.Annotations[RoleAnnotation]; !found || got != c.RoleArn {
		return fmt.Errorf("the load balancer controller's service account %s/%s runs as role %q, and this stack expects %q. %s",
			c.Namespace, c.ServiceAccount, got, c.RoleArn, c.Fix)
	}
	return nil
}

// Backend is a Service a stack routes to without creating or changing it (a canary's Service).
type Backend struct {
	Namespace, Name string
	Ports           []int
	// Key is the setting that names it, for the message.
	Key string
}

// CheckBackends returns one error naming every backend that is missing, lacks a port it is routed
// on, or belongs to a stack other than me (whose destroy would take it away from under the route).
func CheckBackends(ctx context.Context, r Reader, me string, backends []Backend) error {
	var errs []error
	for _, b := range backends {
		m, found, err := r.Metadata(ctx, Service, b.Namespace, b.Name)
		if err != nil {
			return fmt.Errorf("reading Service %s/%s, a backend of %s: %w", b.Namespace, b.Name, b.Key, err)
		}
		if !found {
			errs = append(errs, fmt.Errorf("%s routes to Service %s/%s, which does not exist: deploy it first (the ALB would "+
				"answer 503 on that share of requests), or remove it from %s", b.Key, b.Namespace, b.Name, b.Key))
			continue
		}
		for _, p := range b.Ports {
			if !slices.Contains(m.Ports, p) {
				errs = append(errs, fmt.Errorf("%s routes to port %d of Service %s/%s, which serves %v: use one of its ports",
					b.Key, p, b.Namespace, b.Name, m.Ports))
			}
		}
		if owner := m.Annotations[Annotation]; owner != "" && owner != me {
			errs = append(errs, fmt.Errorf("%s routes to Service %s/%s, which belongs to stack %q (annotation %s): that stack's "+
				"destroy would remove it from under this stack's rule; route to a Service no other stack owns", b.Key, b.Namespace, b.Name, owner, Annotation))
		}
	}
	return errors.Join(errs...)
}
