package doctor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// Names the AWS Load Balancer Controller and EKS Auto Mode use, checked against their sources.
const (
	// IngressClass controllers: the controller's (pkg/ingress/class_loader.go, "ingress.k8s.aws/alb")
	// and Auto Mode's (EKS user guide, auto-configure-alb.md).
	lbcClassController      = "ingress.k8s.aws/alb"
	autoModeClassController = "eks.amazonaws.com/alb"
	// webhookService is the chart's webhook Service by default: namePrefix (nameOverride, else the
	// chart name without "-controller") + "-webhook-service" (chart templates/service.yaml,
	// _helpers.tpl); webhookSuffix finds it under a nameOverride.
	webhookService = "aws-load-balancer-webhook-service"
	webhookSuffix  = "-webhook-service"
	// controllerContainer is the chart's container name (templates/deployment.yaml).
	controllerContainer = "aws-load-balancer-controller"
	// readinessGateLabel and readinessGatePrefix: the namespace label that turns on the
	// controller's pod readiness gate injection, and the gates' condition type
	// (docs/deploy/pod_readiness_gate.md; pkg/k8s/pod_utils.go).
	readinessGateLabel  = "elbv2.k8s.aws/pod-readiness-gate-inject"
	readinessGatePrefix = "target-health.elbv2.k8s.aws/"
	// serviceNameLabel ties an EndpointSlice to its Service (k8s.io/api discovery/v1 LabelServiceName).
	serviceNameLabel = discoveryv1.LabelServiceName
)

// findings are what checks learn for later ones.
type findings struct {
	service        *corev1.Service
	pods           []corev1.Pod
	ingress        *networkingv1.Ingress
	autoMode       bool
	controllerPods []corev1.Pod
	// controllerVpc is the VPC the controller was started with (--aws-vpc-id).
	controllerVpc string
	// controllerLabels are its pods' labels, by which its webhook Service selects them.
	controllerLabels map[string]string
	// hostname is the load balancer's DNS name as the Service or Ingress reports it.
	hostname string
	lb       *loadBalancer
}

func kubeChecks() []check {
	return []check{
		{id: "cluster", run: checkCluster},
		{id: "service", needs: []string{"cluster"}, run: checkService},
		{id: "pods", needs: []string{"service"}, run: checkPods},
		{id: "endpoints", needs: []string{"pods"}, run: checkEndpoints},
		{id: "routed-services", needs: []string{"cluster"}, applies: func(t Target) bool { return t.Ingress && len(t.Routed) > 0 }, run: checkRouted},
		{id: "service-address", needs: []string{"service"}, applies: optionA, run: checkServiceAddress},
		{id: "ingress-class", needs: []string{"cluster"}, applies: ingressOnly, run: checkIngressClass},
		{id: "gateway-class", needs: []string{"cluster"}, applies: optionC, run: checkGatewayClass},
		{id: "controller", needs: []string{"ingress-class"}, applies: optionB, run: checkController},
		{id: "webhook", needs: []string{"ingress-class"}, applies: optionB, run: checkWebhook},
		// Not behind "controller": a crash-looping controller fails that check, and its log is
		// then what tells why.
		{id: "controller-log", needs: []string{"ingress-class"}, applies: optionB, run: checkControllerLog},
		{id: "readiness-gate", needs: []string{"pods", "ingress-class"}, applies: optionB, run: checkReadinessGate},
		{id: "ingress-address", needs: []string{"ingress-class"}, applies: ingressOnly, run: checkIngressAddress},
		{id: "gateway-address", needs: []string{"gateway-class"}, applies: optionC, run: checkGatewayAddress},
		{id: "events", needs: []string{"cluster"}, run: checkEvents},
	}
}

func checkCluster(ctx context.Context, d *diagnosis) Result {
	k := d.env.Kube
	if k == nil {
		return fail("point --kubeconfig/--context at the cluster, or run: aws eks update-kubeconfig --name "+d.Cluster+" --region "+d.Region,
			"cannot read the cluster: %v", d.env.KubeErr)
	}
	v, err := k.Core.RESTClient().Get().AbsPath("/version").DoRaw(ctx)
	if err != nil {
		return kubeFailure(d, err, "reading the API server's version at "+k.Host)
	}
	var version struct{ GitVersion string }
	_ = json.Unmarshal(v, &version)
	return ok("API server %s answers (Kubernetes %s)", k.Host, version.GitVersion)
}

// kubeFailure turns an API error into the failure a user can act on.
func kubeFailure(d *diagnosis, err error, doing string) Result {
	switch {
	case apierrors.IsUnauthorized(err):
		return fail("renew the credentials: aws eks update-kubeconfig --name "+d.Cluster+" --region "+d.Region,
			"%s: the API server does not accept these credentials: %v", doing, err)
	case apierrors.IsForbidden(err):
		return fail("grant this identity read access in the cluster (an EKS access entry with AmazonEKSViewPolicy, or RBAC)",
			"%s: forbidden: %v", doing, err)
	case errors.Is(err, context.DeadlineExceeded):
		return fail("check the cluster endpoint is reachable from here (VPN, endpoint public access)", "%s: timed out", doing)
	}
	return fail("check the kubeconfig's cluster and that the endpoint is reachable from here", "%s: %v", doing, err)
}

func checkService(ctx context.Context, d *diagnosis) Result {
	svc, err := d.env.Kube.Core.Services(d.Namespace).Get(ctx, d.Service, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return fail("deploy the app (or set app.serviceName/app.namespace to where it runs), then pulumi up",
			"Service %s/%s does not exist", d.Namespace, d.Service)
	}
	if err != nil {
		return kubeFailure(d, err, "reading Service "+d.Namespace+"/"+d.Service)
	}
	d.found.service = svc
	evidence := fmt.Sprintf("Service %s/%s: type %s, ports %s, selector %s", d.Namespace, d.Service, svc.Spec.Type,
		servicePorts(svc), labels.SelectorFromSet(svc.Spec.Selector))
	if len(svc.Spec.Selector) == 0 {
		return fail("give the Service a selector matching the app's pods (app.selector)", "%s: it selects no pods", evidence)
	}
	if r, stuck := deletion(svc.ObjectMeta, "Service", time.Now()); stuck {
		return r
	}
	if optionA(d.Target) && svc.Spec.Type != corev1.ServiceTypeLoadBalancer {
		return fail("pulumi up (exposure: service makes it type LoadBalancer)", "%s, not LoadBalancer", evidence)
	}
	return ok("%s", evidence)
}

func servicePorts(svc *corev1.Service) string {
	var ps []string
	for _, p := range svc.Spec.Ports {
		ps = append(ps, fmt.Sprintf("%d->%s", p.Port, p.TargetPort.String()))
	}
	return strings.Join(ps, ",")
}

func checkPods(ctx context.Context, d *diagnosis) Result {
	sel := labels.SelectorFromSet(d.found.service.Spec.Selector).String()
	pods, err := d.env.Kube.Core.Pods(d.Namespace).List(ctx, metav1.ListOptions{LabelSelector: sel})
	if err != nil {
		return kubeFailure(d, err, "listing pods "+sel)
	}
	if len(pods.Items) == 0 {
		return fail(fmt.Sprintf("compare `kubectl -n %s get pods --show-labels` with the selector (app.selector), or scale the app up", d.Namespace),
			"selector %s matches no pod in %s", sel, d.Namespace)
	}
	d.found.pods = pods.Items
	running := 0
	for _, p := range pods.Items {
		if p.Status.Phase == corev1.PodRunning {
			running++
		}
	}
	return ok("selector %s matches %d pods (%d running)", sel, len(pods.Items), running)
}

func checkEndpoints(ctx context.Context, d *diagnosis) Result {
	ready, notReady, err := endpoints(ctx, d.env.Kube, d.Namespace, d.Service)
	if err != nil {
		return kubeFailure(d, err, "listing the EndpointSlices of "+d.Service)
	}
	evidence := fmt.Sprintf("%d ready, %d not ready", len(ready), len(notReady))
	if len(notReady) > 0 {
		evidence += "; not ready: " + d.whyNotReady(ctx, notReady)
	}
	// Only ready pods are registered as targets (controller pkg/backend/endpoint_resolver.go), so
	// with none ready the target group is empty and the load balancer answers 503.
	fix := fmt.Sprintf("the readiness probe fails: kubectl -n %s describe pod %s; kubectl -n %s logs %s",
		d.Namespace, first(notReady), d.Namespace, first(notReady))
	switch {
	case len(ready) == 0 && len(notReady) == 0:
		return fail(fmt.Sprintf("the Service's targetPort must be a port the pods listen on: kubectl -n %s get endpointslices -l %s=%s",
			d.Namespace, serviceNameLabel, d.Service), "no endpoints: the Service's ports match no pod")
	case len(ready) == 0:
		return fail(fix, "%s: the load balancer has no target to send to", evidence)
	case len(notReady) > 0:
		return warn(fix, "%s", evidence)
	}
	return ok("%s", evidence)
}

// checkRouted checks the routing block's other Services: a missing one, or one without a ready
// endpoint, answers its share of the rule's requests with 503 (a weighted canary's new model,
// say), while the app Service's own checks all pass.
func checkRouted(ctx context.Context, d *diagnosis) Result {
	var lines []string
	status, fix := OK, ""
	for _, name := range d.Routed {
		_, err := d.env.Kube.Core.Services(d.Namespace).Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			lines, status = append(lines, name+" does not exist"), Fail
			fix = "deploy it, or take it out of routing.rules[].backends"
			continue
		}
		if err != nil {
			return kubeFailure(d, err, "reading Service "+d.Namespace+"/"+name)
		}
		ready, notReady, err := endpoints(ctx, d.env.Kube, d.Namespace, name)
		if err != nil {
			return kubeFailure(d, err, "listing the EndpointSlices of "+name)
		}
		lines = append(lines, fmt.Sprintf("%s: %d ready, %d not ready", name, len(ready), len(notReady)))
		switch {
		case len(ready) == 0:
			status = Fail
			fix = fmt.Sprintf("its pods are not ready (kubectl -n %s describe service %s), or set its weight to 0 until they are", d.Namespace, name)
		case len(notReady) > 0:
			status = worse(status, Warn)
		}
	}
	if status == Warn && fix == "" {
		fix = "kubectl -n " + d.Namespace + " get pods: some of the routed Services' pods are not ready"
	}
	return Result{Status: status, Evidence: strings.Join(lines, "; "), Fix: fix}
}

// endpoints are the names (pod names, else addresses) of a Service's ready and not-ready endpoints.
func endpoints(ctx context.Context, k *Kube, namespace, service string) (ready, notReady []string, err error) {
	slices, err := k.Discovery.EndpointSlices(namespace).List(ctx, metav1.ListOptions{LabelSelector: serviceNameLabel + "=" + service})
	if err != nil {
		return nil, nil, err
	}
	for _, s := range slices.Items {
		for _, e := range s.Endpoints {
			name := strings.Join(e.Addresses, ",")
			if e.TargetRef != nil {
				name = e.TargetRef.Name
			}
			// A nil ready condition means ready (discovery/v1 EndpointConditions).
			if e.Conditions.Ready == nil || *e.Conditions.Ready {
				ready = append(ready, name)
			} else {
				notReady = append(notReady, name)
			}
		}
	}
	sort.Strings(ready)
	sort.Strings(notReady)
	return ready, notReady, nil
}

// whyNotReady names up to three not-ready pods with their last probe failure, from the kubelet's
// Unhealthy events.
func (d *diagnosis) whyNotReady(ctx context.Context, pods []string) string {
	var parts []string
	for i, p := range pods {
		if i == 3 {
			parts = append(parts, fmt.Sprintf("and %d more", len(pods)-3))
			break
		}
		why := "no probe failure reported"
		if ev := lastEvent(ctx, d.env.Kube, d.Namespace, "Pod", p, func(e corev1.Event) bool { return e.Reason == "Unhealthy" }); ev != nil {
			why = strings.TrimSpace(ev.Message)
		}
		parts = append(parts, p+" ("+why+")")
	}
	return strings.Join(parts, ", ")
}

func first(names []string) string {
	if len(names) == 0 {
		return "<pod>"
	}
	return names[0]
}

func checkServiceAddress(_ context.Context, d *diagnosis) Result {
	if h := lbHostname(d.found.service.Status.LoadBalancer.Ingress); h != "" {
		d.found.hostname = h
		return ok("the Service reports load balancer %s", h)
	}
	return fail("see the events check; kubectl -n "+d.Namespace+" describe service "+d.Service,
		"the Service has no load balancer address yet")
}

func lbHostname(ing []corev1.LoadBalancerIngress) string {
	for _, i := range ing {
		if i.Hostname != "" {
			return i.Hostname
		}
	}
	return ""
}

func checkIngressClass(ctx context.Context, d *diagnosis) Result {
	ing, err := d.env.Kube.Net.Ingresses(d.Namespace).Get(ctx, d.IngressName, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return fail("pulumi up (exposure: ingress creates it)", "Ingress %s/%s does not exist", d.Namespace, d.IngressName)
	}
	if err != nil {
		return kubeFailure(d, err, "reading Ingress "+d.Namespace+"/"+d.IngressName)
	}
	d.found.ingress = ing
	if ing.Spec.IngressClassName == nil {
		return fail("pulumi up (the program sets ingressClassName)", "Ingress %s/%s names no IngressClass", d.Namespace, d.IngressName)
	}
	name := *ing.Spec.IngressClassName
	class, err := d.env.Kube.Net.IngressClasses().Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return fail("pulumi up (the controller's chart, or on Auto Mode the program, creates it)",
			"IngressClass %s does not exist: no controller serves the Ingress", name)
	}
	if err != nil {
		return kubeFailure(d, err, "reading IngressClass "+name)
	}
	switch class.Spec.Controller {
	case autoModeClassController:
		d.found.autoMode = true
	case lbcClassController:
	default:
		return fail("set ingressClassName to a class of the AWS Load Balancer Controller (pulumi up)",
			"IngressClass %s belongs to %s, not the AWS Load Balancer Controller", name, class.Spec.Controller)
	}
	if r, stuck := deletion(ing.ObjectMeta, "Ingress", time.Now()); stuck {
		return r
	}
	evidence := fmt.Sprintf("Ingress %s/%s, class %s (%s)", d.Namespace, d.IngressName, name, class.Spec.Controller)
	if d.AutoMode != nil && *d.AutoMode != d.found.autoMode {
		return warn("set cluster.autoMode to match the cluster, or remove it to detect", "%s, but cluster.autoMode is %t", evidence, *d.AutoMode)
	}
	return ok("%s", evidence)
}

func checkController(ctx context.Context, d *diagnosis) Result {
	if d.found.autoMode {
		return ok("EKS Auto Mode serves the Ingress: no controller runs in the cluster")
	}
	dep, err := d.env.Kube.Apps.Deployments(d.ControllerNamespace).Get(ctx, d.ControllerDeployment, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return fail("controller.install: true installs it (pulumi up); an existing controller elsewhere: --controller-namespace, --controller-deployment",
			"Deployment %s/%s does not exist", d.ControllerNamespace, d.ControllerDeployment)
	}
	if err != nil {
		return kubeFailure(d, err, "reading Deployment "+d.ControllerNamespace+"/"+d.ControllerDeployment)
	}
	d.found.controllerVpc = argValue(dep, "--aws-vpc-id")
	d.found.controllerLabels = dep.Spec.Template.Labels
	sel, _ := metav1.LabelSelectorAsSelector(dep.Spec.Selector)
	if pods, err := d.env.Kube.Core.Pods(d.ControllerNamespace).List(ctx, metav1.ListOptions{LabelSelector: sel.String()}); err == nil {
		d.found.controllerPods = pods.Items
	}
	want := int32(1)
	if dep.Spec.Replicas != nil {
		want = *dep.Spec.Replicas
	}
	evidence := fmt.Sprintf("Deployment %s/%s %s: %d of %d available", d.ControllerNamespace, d.ControllerDeployment,
		imageVersion(dep), dep.Status.AvailableReplicas, want)
	fix := fmt.Sprintf("kubectl -n %s describe deployment %s; kubectl -n %s get pods -l %s", d.ControllerNamespace,
		d.ControllerDeployment, d.ControllerNamespace, sel)
	if dep.Status.AvailableReplicas == 0 {
		return fail(fix, "%s%s", evidence, waiting(d.found.controllerPods))
	}
	if dep.Status.AvailableReplicas < want {
		return warn(fix, "%s%s", evidence, waiting(d.found.controllerPods))
	}
	return ok("%s", evidence)
}

// imageVersion is the controller container's image tag (its version).
func imageVersion(dep *appsv1.Deployment) string {
	for _, c := range dep.Spec.Template.Spec.Containers {
		if c.Name == controllerContainer {
			if i := strings.LastIndex(c.Image, ":"); i > 0 {
				return c.Image[i+1:]
			}
		}
	}
	return "(version unknown)"
}

func argValue(dep *appsv1.Deployment, flag string) string {
	for _, c := range dep.Spec.Template.Spec.Containers {
		for _, a := range c.Args {
			if v, found := strings.CutPrefix(a, flag+"="); found {
				return v
			}
		}
	}
	return ""
}

// waiting names why the pods are not available: their containers' waiting reasons
// (ImagePullBackOff, CrashLoopBackOff, ...), or running but not ready.
func waiting(pods []corev1.Pod) string {
	var why []string
	for _, p := range pods {
		for _, s := range p.Status.ContainerStatuses {
			reason := "running, not ready"
			if s.State.Waiting != nil {
				reason = s.State.Waiting.Reason
			} else if s.Ready {
				continue
			}
			if !slices.Contains(why, reason) {
				why = append(why, reason)
			}
		}
	}
	if len(why) == 0 {
		return ""
	}
	return " (pods waiting: " + strings.Join(why, ", ") + ")"
}

func checkWebhook(ctx context.Context, d *diagnosis) Result {
	if d.found.autoMode {
		return ok("EKS Auto Mode: no controller webhook in the cluster")
	}
	name, err := d.webhookService(ctx)
	if err != nil {
		return kubeFailure(d, err, "listing the Services of "+d.ControllerNamespace)
	}
	ready, notReady, err := endpoints(ctx, d.env.Kube, d.ControllerNamespace, name)
	if err != nil {
		return kubeFailure(d, err, "listing the EndpointSlices of "+name)
	}
	// With no endpoint, the webhooks whose failurePolicy is Fail make the API server refuse what
	// they guard: "failed calling webhook ... no endpoints available for service" (LBC #4140).
	// That error goes to the client that made the change, not to an event.
	if len(ready) == 0 {
		return fail(fmt.Sprintf("the controller pods must be ready (see the controller check); nodes must accept TCP 9443 from the control plane: kubectl -n %s get endpointslices -l %s=%s",
			d.ControllerNamespace, serviceNameLabel, name),
			"Service %s/%s has no ready endpoint (%d not ready): changes its webhooks guard are refused (\"no endpoints available for service\")",
			d.ControllerNamespace, name, len(notReady))
	}
	return ok("Service %s/%s has %d ready endpoints", d.ControllerNamespace, name, len(ready))
}

// webhookService is the controller's webhook Service: the one named *-webhook-service that
// selects the controller's pods (a nameOverride renames it), else the chart's default name.
func (d *diagnosis) webhookService(ctx context.Context) (string, error) {
	if d.found.controllerLabels == nil {
		return webhookService, nil
	}
	svcs, err := d.env.Kube.Core.Services(d.ControllerNamespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return "", err
	}
	for _, s := range svcs.Items {
		if strings.HasSuffix(s.Name, webhookSuffix) && len(s.Spec.Selector) > 0 &&
			labels.SelectorFromSet(s.Spec.Selector).Matches(labels.Set(d.found.controllerLabels)) {
			return s.Name, nil
		}
	}
	return webhookService, nil
}

func checkReadinessGate(ctx context.Context, d *diagnosis) Result {
	ns, err := d.env.Kube.Core.Namespaces().Get(ctx, d.Namespace, metav1.GetOptions{})
	if err != nil {
		return kubeFailure(d, err, "reading namespace "+d.Namespace)
	}
	if ns.Labels[readinessGateLabel] != "enabled" {
		return warn("pulumi up (the program labels the namespace), then restart the app's pods",
			"namespace %s lacks %s=enabled: a rolling update can take every target out of service", d.Namespace, readinessGateLabel)
	}
	if d.found.autoMode {
		return ok("namespace %s has %s=enabled", d.Namespace, readinessGateLabel)
	}
	without := 0
	for _, p := range d.found.pods {
		if !slices.ContainsFunc(p.Spec.ReadinessGates, func(g corev1.PodReadinessGate) bool {
			return strings.HasPrefix(string(g.ConditionType), readinessGatePrefix)
		}) {
			without++
		}
	}
	if without > 0 {
		// The controller's pod webhook injects the gate only into pods created after the label.
		return warn(fmt.Sprintf("kubectl -n %s rollout restart deployment (pods made before the label carry no gate)", d.Namespace),
			"namespace %s has %s=enabled, but %d of %d pods carry no target-health gate", d.Namespace, readinessGateLabel, without, len(d.found.pods))
	}
	return ok("namespace %s has %s=enabled and every pod carries the target-health gate", d.Namespace, readinessGateLabel)
}

func checkIngressAddress(_ context.Context, d *diagnosis) Result {
	for _, i := range d.found.ingress.Status.LoadBalancer.Ingress {
		if i.Hostname != "" {
			d.found.hostname = i.Hostname
			return ok("the Ingress reports load balancer %s", i.Hostname)
		}
	}
	return fail("see the events and subnets checks (untagged public subnets and missing controller permissions are the usual causes)",
		"the Ingress has no load balancer address")
}

func labelsString(m map[string]string) string { return labels.SelectorFromSet(m).String() }

// stuckAfter is how long a deletion may wait on finalizers before doctor calls it stuck: the
// controllers delete a load balancer in a minute or two.
const stuckAfter = 5 * time.Minute

// deletion reports an object that is being deleted and waits on finalizers (a `pulumi destroy`
// that hangs): the controller that set them removes them once its load balancer is gone, so it
// must be running with its permissions. Removing them by hand first leaves the load balancer behind.
func deletion(m metav1.ObjectMeta, kind string, now time.Time) (Result, bool) {
	if m.DeletionTimestamp == nil {
		return Result{}, false
	}
	waited := now.Sub(m.DeletionTimestamp.Time).Round(time.Second)
	evidence := fmt.Sprintf("%s %s/%s is being deleted (for %s), waiting on finalizers %s", kind, m.Namespace, m.Name,
		waited, strings.Join(m.Finalizers, ", "))
	fix := "the controller that set the finalizer deletes the load balancer, then removes it: it must be running (see the controller check). " +
		"If it is gone for good: delete the load balancer (edgectl audit lists it), then kubectl -n " + m.Namespace + " patch " +
		strings.ToLower(kind) + " " + m.Name + ` --type=merge -p '{"metadata":{"finalizers":null}}'`
	if waited < stuckAfter {
		return warn(fix, "%s", evidence), true
	}
	return fail(fix, "%s", evidence), true
}
