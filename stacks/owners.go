package stacks

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/mlops-retail/retail-api-edge/components/albingress"
	"github.com/mlops-retail/retail-api-edge/components/cluster"
	"github.com/mlops-retail/retail-api-edge/components/lbcontroller"
	"github.com/mlops-retail/retail-api-edge/internal/ownership"
)

// ClusterReader opens a read-only view of the cluster a kubeconfig reaches (a path or contents,
// and a context). `pulumi up` uses ReadCluster; offline runs pass nil and skip the checks, which
// need the cluster.
type ClusterReader func(kubeconfig, kubeContext string) (ownership.Reader, error)

// ReadCluster reads the cluster through client-go, telling kubeconfig contents from a path as the
// Kubernetes providers' kubeconfig is told (cluster.InlineKubeconfig).
func ReadCluster(kubeconfig, kubeContext string) (ownership.Reader, error) {
	return ownership.NewKubeReader(kubeconfig, cluster.InlineKubeconfig(kubeconfig), kubeContext)
}

// owner is this stack's ownership marker.
func (c *Config) owner() string { return ownership.Owner(Project, c.Stack) }

// ownerMarker is the annotation every Kubernetes object the stack creates or adopts carries.
func (c *Config) ownerMarker() map[string]string {
	return map[string]string{ownership.Annotation: c.owner()}
}

// appMarker marks the app's Service and Deployment: for this stack, or, once handed over, for the
// stack that takes them.
func (c *Config) appMarker() map[string]string {
	if c.App.HandOverTo != "" {
		return map[string]string{ownership.Annotation: ownership.Owner(Project, c.App.HandOverTo)}
	}
	return c.ownerMarker()
}

// precheck refuses, before any Kubernetes object changes, to take an object another stack owns,
// and, for a stack that relies on another's controller, checks that it is there.
func precheck(cfg *Config, open ClusterReader) func(kubeconfig, kubeContext string, autoMode bool) error {
	if open == nil {
		return nil
	}
	return func(kubeconfig, kubeContext string, autoMode bool) error {
		r, err := open(kubeconfig, kubeContext)
		if err != nil {
			return err
		}
		ctx := context.Background()
		if err := ownership.Check(ctx, r, cfg.owner(), ownedObjects(cfg, autoMode)); err != nil {
			return err
		}
		if err := ownership.CheckBackends(ctx, r, cfg.owner(), routedServices(cfg)); err != nil {
			return err
		}
		return cfg.exposure().check(ctx, r, autoMode)
	}
}

// routedServices are the Services the routing rules forward to besides the app's, which the stack
// neither creates nor adopts, in the order the rules name them.
func routedServices(cfg *Config) []ownership.Backend {
	var out []ownership.Backend
	seen := map[string]int{}
	for i, rule := range cfg.Routing.Rules {
		for j, b := range rule.Backends {
			if b.Service == cfg.App.ServiceName {
				continue
			}
			n, ok := seen[b.Service]
			if !ok {
				n = len(out)
				seen[b.Service] = n
				out = append(out, ownership.Backend{Namespace: cfg.App.Namespace, Name: b.Service,
					Key: fmt.Sprintf("%s[%d].backends[%d]", k("routing.rules"), i, j)})
			}
			if !slices.Contains(out[n].Ports, b.Port) {
				out[n].Ports = append(out[n].Ports, b.Port)
			}
		}
	}
	return out
}

// ownedObjects are the Kubernetes objects the stack creates or adopts, each with the way out of a
// conflict with another stack.
func ownedObjects(cfg *Config, autoMode bool) []ownership.Object {
	a, me := cfg.App, cfg.Stack
	handOver := func(owner string) string {
		return fmt.Sprintf("To hand it over, run on stack %[1]q: `pulumi config set --path %[2]s %[3]s` and `pulumi up` "+
			"(that stack then leaves it to this one); or give this stack its own %[4]s or %[5]s.",
			stackOf(owner), k("app.handOverTo"), me, k("app.serviceName"), k("app.namespace"))
	}
	objects := []ownership.Object{{Kind: ownership.Service, Namespace: a.Namespace, Name: a.ServiceName, WayOut: handOver}}
	if a.Image != "" {
		objects = append(objects, ownership.Object{Kind: ownership.Deployment, Namespace: a.Namespace, Name: a.DeploymentName, WayOut: handOver})
	}
	if a.HandOverTo != "" {
		for i := range objects {
			objects[i].HandedTo = ownership.Owner(Project, a.HandOverTo)
		}
	}
	return append(objects, cfg.exposure().objects(autoMode)...)
}

// objects: the Ingress, and the controller's Deployment and service account when this stack
// installs it (never on Auto Mode, whose load balancing needs no controller).
func (i ingressExposure) objects(autoMode bool) []ownership.Object {
	cfg, a := i.cfg, i.cfg.App
	objects := []ownership.Object{{Kind: ownership.Ingress, Namespace: a.Namespace, Name: cfg.Ingress.Name,
		WayOut: func(owner string) string {
			return fmt.Sprintf("Give this stack its own %s, or destroy stack %q's Ingress first.", k("ingress.name"), stackOf(owner))
		}}}
	if c := cfg.Controller; c.Install && !autoMode {
		relyOn := func(owner string) string {
			return fmt.Sprintf("One stack per cluster owns the controller: rely on stack %q's with "+
				"`pulumi config set --path %s false` on this stack.", stackOf(owner), k("controller.install"))
		}
		objects = append(objects,
			ownership.Object{Kind: ownership.Deployment, Namespace: c.Namespace, Name: lbcontroller.ReleaseName, WayOut: relyOn},
			ownership.Object{Kind: ownership.ServiceAccount, Namespace: c.Namespace, Name: c.ServiceAccount, WayOut: relyOn})
	}
	return objects
}

// installedController is the installation a stack with controller.install true makes, and the way
// to use one that is already there.
func installedController(cfg *Config) ownership.Install {
	c := cfg.Controller
	return ownership.Install{
		Namespace: c.Namespace, Deployment: lbcontroller.ReleaseName, ServiceAccount: c.ServiceAccount,
		Release: lbcontroller.ReleaseName, IngressClass: albingress.ClassName, Webhooks: lbcontroller.WebhookName,
		Fix: fmt.Sprintf("To use the one that is there: `pulumi config set --path %s false` (this stack then checks, in "+
			"preview, that it comes from chart %s %s or later and serves IngressClass %s; set %s to the role it runs as "+
			"if you want that checked too). Or remove it from the cluster first.",
			k("controller.install"), lbcontroller.ChartName, c.ChartVersion, albingress.ClassName, k("controller.roleArn")),
	}
}

// reliedOnController is what a stack with controller.install false expects of the cluster's controller.
// Its role is checked only under IRSA, where the service account names it (eks.amazonaws.com/role-arn).
// Under Pod Identity the service account has no annotation: the role is in the EKS Pod Identity
// association, an EKS API object (ListPodIdentityAssociations) that pulumi-aws v6 has no function
// for and the preview's cluster reader, which reads Kubernetes objects, cannot see.
func reliedOnController(cfg *Config) ownership.Controller {
	c := cfg.Controller
	roleArn := c.RoleArn
	if c.Identity == lbcontroller.IdentityPodIdentity {
		roleArn = ""
	}
	return ownership.Controller{
		Namespace: c.Namespace, Deployment: lbcontroller.ReleaseName, Chart: lbcontroller.ChartName,
		MinVersion: c.ChartVersion, ServiceAccount: c.ServiceAccount, RoleArn: roleArn, IngressClass: albingress.ClassName,
		Fix: fmt.Sprintf("Run `pulumi up` on the stack that owns the controller (%s true) first, or set %s on this "+
			"stack to the version that is installed.", k("controller.install"), k("controller.chartVersion")),
	}
}

// stackOf is the stack part of an owner marker ("project/stack").
func stackOf(owner string) string {
	_, stack, ok := strings.Cut(owner, "/")
	if !ok {
		return owner
	}
	return stack
}
