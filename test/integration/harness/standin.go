package harness

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/mlops-retail/retail-api-edge/components/albingress"
	"github.com/mlops-retail/retail-api-edge/components/servicelb"
	"github.com/mlops-retail/retail-api-edge/internal/lbkind"
)

// Finalizers the AWS side puts on what it provisions for. The in-tree cloud provider (EKS's cloud
// controller) serves LoadBalancer Services without a class; the AWS Load Balancer Controller serves
// `alb` Ingresses and Services of class service.k8s.aws/nlb, and only while it runs.
const (
	IngressFinalizer      = "ingress.k8s.aws/resources"
	ControllerSvcFinalize = "service.k8s.aws/resources"
	CloudSvcFinalizer     = "service.kubernetes.io/load-balancer-cleanup"
	ControllerSvcClass    = "service.k8s.aws/nlb"
)

// EKS Auto Mode's load balancing, when the stand-in plays an Auto Mode cluster: Services of class
// eks.amazonaws.com/nlb, and Ingresses whose IngressClass names its controller and an
// IngressClassParams that exists. AWS publishes neither its code nor its finalizers: the Service
// one is what Auto Mode clusters show (`kubectl get svc -o yaml`), the Ingress one is assumed to
// follow it as the controller's pair does; the scenarios depend only on there being one.
const (
	AutoModeIngressFinalizer = "ingress.eks.amazonaws.com/resources"
	AutoModeSvcFinalizer     = "service.eks.amazonaws.com/resources"
)

// IngressClassParamsResource is Auto Mode's IngressClassParams (cluster-scoped).
var IngressClassParamsResource = schema.GroupVersionResource{Group: "eks.amazonaws.com", Version: "v1", Resource: "ingressclassparams"}

// LoadBalancer is one load balancer the stand-in "created".
type LoadBalancer struct {
	Kind     lbkind.Kind
	Owner    string // "cloud-provider" or "controller"
	Object   string // "service mlops/retail-api-svc"
	UID      types.UID
	Hostname string
	Created  time.Time
	Deleted  time.Time // zero while it lives
}

// Ledger records every load balancer created and deleted; it outlives stand-in restarts.
type Ledger struct {
	mu  sync.Mutex
	all []*LoadBalancer
}

// All returns a copy of every load balancer ever created, in creation order.
func (l *Ledger) All() []LoadBalancer {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]LoadBalancer, len(l.all))
	for i, lb := range l.all {
		out[i] = *lb
	}
	return out
}

// Live returns the load balancers not deleted yet.
func (l *Ledger) Live() []LoadBalancer {
	return slices.DeleteFunc(l.All(), func(lb LoadBalancer) bool { return !lb.Deleted.IsZero() })
}

func (l *Ledger) live(uid types.UID) *LoadBalancer {
	for _, lb := range l.all {
		if lb.UID == uid && lb.Deleted.IsZero() {
			return lb
		}
	}
	return nil
}

// ensure returns the live load balancer of an object, creating it if there is none.
func (l *Ledger) ensure(kind lbkind.Kind, owner, object string, uid types.UID) *LoadBalancer {
	l.mu.Lock()
	defer l.mu.Unlock()
	if lb := l.live(uid); lb != nil {
		return lb
	}
	name := strings.NewReplacer("/", "-", " ", "-").Replace(object)
	lb := &LoadBalancer{
		Kind: kind, Owner: owner, Object: object, UID: uid, Created: time.Now(),
		Hostname: fmt.Sprintf("k8s-%s-%s-%d.elb.us-east-1.amazonaws.com", kind, name, len(l.all)+1),
	}
	l.all = append(l.all, lb)
	return lb
}

// liveOf is a copy of the live load balancer of an object, or nil.
func (l *Ledger) liveOf(uid types.UID) *LoadBalancer {
	l.mu.Lock()
	defer l.mu.Unlock()
	if lb := l.live(uid); lb != nil {
		c := *lb
		return &c
	}
	return nil
}

func (l *Ledger) remove(uid types.UID) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if lb := l.live(uid); lb != nil {
		lb.Deleted = time.Now()
	}
}

// StandIn plays the AWS side: it gives LoadBalancer Services and alb Ingresses a load balancer
// (a ledger entry and a status hostname) behind the finalizer the real owner uses, and deletes
// it, removing the finalizer, when the object goes or stops asking for one. What the controller
// owns is served only while the controller's Deployment exists, as on a real cluster, and
// deleting a load balancer takes DeleteTime, as it takes AWS seconds: a controller removed in
// the meantime leaves the finalizer, and `pulumi destroy` waiting on it.
type StandIn struct {
	Ledger     *Ledger
	DeleteTime time.Duration
	// Mutator, when set, serves the controller's Service mutator wherever the chart registers it.
	Mutator *Mutator
	// OnWebACL, when set, hears each change of an ALB's web ACL: the controller associates the ACL
	// an Ingress's wafv2-acl-arn names, detaches on "none", and leaves the association as it is when
	// the annotation is absent (pkg/ingress/model_build_load_balancer_addons.go at v3.5.0); acl is ""
	// once detached or once the ALB is gone.
	OnWebACL func(hostname, acl string)
	// Dynamic reads IngressClassParams; without it no Ingress is Auto Mode's.
	Dynamic    dynamic.Interface
	autoMode   atomic.Bool
	acls       map[string]string // hostname -> ACL last reported
	client     kubernetes.Interface
	controller types.NamespacedName
	mu         sync.Mutex
	stop       context.CancelFunc
	done       chan struct{}
	deleting   map[types.UID]time.Time // when each deletion started, per run
}

// NewStandIn returns a stopped stand-in watching for the controller Deployment named controller.
func NewStandIn(client kubernetes.Interface, controller types.NamespacedName) *StandIn {
	return &StandIn{Ledger: &Ledger{}, DeleteTime: 2 * time.Second, client: client, controller: controller}
}

// Start runs the stand-in until Stop; it is a no-op when it is running.
func (s *StandIn) Start(ctx context.Context) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stop != nil {
		return
	}
	ctx, s.stop = context.WithCancel(ctx)
	s.done = make(chan struct{})
	s.deleting = map[types.UID]time.Time{}
	go func() {
		defer close(s.done)
		for {
			s.reconcile(ctx)
			select {
			case <-ctx.Done():
				return
			case <-time.After(250 * time.Millisecond):
			}
		}
	}()
}

// SetAutoMode makes the cluster run EKS Auto Mode's load balancing, or stop running it.
func (s *StandIn) SetAutoMode(on bool) { s.autoMode.Store(on) }

// Stop halts the stand-in, as if the cloud side stopped answering, and waits until it has.
func (s *StandIn) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stop == nil {
		return
	}
	s.stop()
	<-s.done
	s.stop = nil
}

func (s *StandIn) reconcile(ctx context.Context) {
	running := s.controllerRunning(ctx)
	if s.Mutator != nil {
		s.Mutator.Redirect(ctx, s.client)
	}
	if svcs, err := s.client.CoreV1().Services("").List(ctx, metav1.ListOptions{}); err == nil {
		for i := range svcs.Items {
			s.service(ctx, &svcs.Items[i], running)
		}
	}
	if ings, err := s.client.NetworkingV1().Ingresses("").List(ctx, metav1.ListOptions{}); err == nil {
		for i := range ings.Items {
			s.ingress(ctx, &ings.Items[i], running)
		}
	}
	s.gateways(ctx, running)
}

func (s *StandIn) controllerRunning(ctx context.Context) bool {
	d, err := s.client.AppsV1().Deployments(s.controller.Namespace).Get(ctx, s.controller.Name, metav1.GetOptions{})
	return err == nil && d.DeletionTimestamp == nil
}

func (s *StandIn) service(ctx context.Context, svc *corev1.Service, controllerRunning bool) {
	owner, finalizer := "cloud-provider", CloudSvcFinalizer
	if svc.Spec.LoadBalancerClass != nil {
		switch *svc.Spec.LoadBalancerClass {
		case ControllerSvcClass:
			owner, finalizer = "controller", ControllerSvcFinalize
			if !controllerRunning {
				return
			}
		case servicelb.AutoModeClass:
			owner, finalizer = "auto-mode", AutoModeSvcFinalizer
			if !s.autoMode.Load() {
				return
			}
		default:
			return // someone else's
		}
	}
	want := svc.Spec.Type == corev1.ServiceTypeLoadBalancer && svc.DeletionTimestamp == nil
	object := "service " + svc.Namespace + "/" + svc.Name
	api := s.client.CoreV1().Services(svc.Namespace)
	if want {
		kind := serviceKind(svc)
		if lb := s.Ledger.liveOf(svc.UID); lb != nil && lb.Kind != kind {
			// The in-tree provider refuses to change an existing load balancer's type ("cannot
			// update Load Balancer Type annotation ... after creation", cloud-provider-aws
			// pkg/providers/v1/aws_validations.go) and keeps the one it made.
			return
		}
		if addFinalizer(&svc.ObjectMeta, finalizer) {
			if svc, _ = update(ctx, api.Update, svc); svc == nil {
				return
			}
		}
		lb := s.Ledger.ensure(kind, owner, object, svc.UID)
		if ing := svc.Status.LoadBalancer.Ingress; len(ing) != 1 || ing[0].Hostname != lb.Hostname {
			svc.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{Hostname: lb.Hostname}}
			_, _ = update(ctx, api.UpdateStatus, svc)
		}
		return
	}
	if !slices.Contains(svc.Finalizers, finalizer) || !s.deleted(svc.UID) {
		return
	}
	s.Ledger.remove(svc.UID)
	if len(svc.Status.LoadBalancer.Ingress) > 0 {
		svc.Status.LoadBalancer.Ingress = nil
		if svc, _ = update(ctx, api.UpdateStatus, svc); svc == nil {
			return
		}
	}
	svc.Finalizers = slices.DeleteFunc(svc.Finalizers, func(f string) bool { return f == finalizer })
	_, _ = update(ctx, api.Update, svc)
}

// serviceKind is the load balancer a Service gets: the controller makes NLBs only, the in-tree
// provider an NLB for type "nlb" and a classic ELB otherwise (aws.go, isNLB).
func serviceKind(svc *corev1.Service) lbkind.Kind {
	if svc.Spec.LoadBalancerClass != nil || svc.Annotations[servicelb.TypeAnnotation] == string(lbkind.NLB) {
		return lbkind.NLB
	}
	return lbkind.Classic
}

// webACL reports the web ACL an Ingress asks for, as the controller applies it.
func (s *StandIn) webACL(ing *networkingv1.Ingress, hostname string) {
	acl, set := ing.Annotations["alb.ingress.kubernetes.io/wafv2-acl-arn"]
	if !set || s.OnWebACL == nil {
		return
	}
	if acl == "none" {
		acl = ""
	}
	s.reportACL(hostname, acl)
}

func (s *StandIn) reportACL(hostname, acl string) {
	if s.OnWebACL == nil || s.acls[hostname] == acl {
		return
	}
	if s.acls == nil {
		s.acls = map[string]string{}
	}
	s.acls[hostname] = acl
	s.OnWebACL(hostname, acl)
}

func (s *StandIn) ingress(ctx context.Context, ing *networkingv1.Ingress, controllerRunning bool) {
	owner, finalizer, wants, serving := s.ingressServer(ctx, ing, controllerRunning)
	if !serving {
		return
	}
	api := s.client.NetworkingV1().Ingresses(ing.Namespace)
	if wants && ing.DeletionTimestamp == nil {
		if addFinalizer(&ing.ObjectMeta, finalizer) {
			if ing, _ = update(ctx, api.Update, ing); ing == nil {
				return
			}
		}
		lb := s.Ledger.ensure(lbkind.ALB, owner, "ingress "+ing.Namespace+"/"+ing.Name, ing.UID)
		s.webACL(ing, lb.Hostname)
		if st := ing.Status.LoadBalancer.Ingress; len(st) != 1 || st[0].Hostname != lb.Hostname {
			ing.Status.LoadBalancer.Ingress = []networkingv1.IngressLoadBalancerIngress{{Hostname: lb.Hostname}}
			_, _ = update(ctx, api.UpdateStatus, ing)
		}
		return
	}
	if !slices.Contains(ing.Finalizers, finalizer) || !s.deleted(ing.UID) {
		return
	}
	if lb := s.Ledger.liveOf(ing.UID); lb != nil {
		s.reportACL(lb.Hostname, "") // a deleted ALB takes its association with it
	}
	s.Ledger.remove(ing.UID)
	ing.Finalizers = slices.DeleteFunc(ing.Finalizers, func(f string) bool { return f == finalizer })
	_, _ = update(ctx, api.Update, ing)
}

// ingressServer says who owns an Ingress's ALB (by its class, or by the finalizer left from
// one), whether the Ingress asks for one, and whether its owner serves it now: the controller
// while it runs; Auto Mode while the cluster runs it and the Ingress's IngressClass and
// IngressClassParams exist, also while the Ingress is deleted (it finds its ALB's settings
// there, which is why AWS's cleanup order removes the Ingress first: auto-configure-alb.adoc,
// "Cleanup").
func (s *StandIn) ingressServer(ctx context.Context, ing *networkingv1.Ingress, controllerRunning bool) (owner, finalizer string, wants, serving bool) {
	class := ""
	if ing.Spec.IngressClassName != nil {
		class = *ing.Spec.IngressClassName
	}
	switch {
	case class == albingress.ClassName || slices.Contains(ing.Finalizers, IngressFinalizer):
		return "controller", IngressFinalizer, class == albingress.ClassName, controllerRunning
	case slices.Contains(ing.Finalizers, AutoModeIngressFinalizer):
		return "auto-mode", AutoModeIngressFinalizer, true, s.autoMode.Load() && s.autoModeClass(ctx, class)
	case s.autoMode.Load() && s.autoModeClass(ctx, class):
		return "auto-mode", AutoModeIngressFinalizer, true, true
	}
	return "", "", false, false
}

// autoModeClass reports whether an IngressClass is Auto Mode's and its parameters exist.
func (s *StandIn) autoModeClass(ctx context.Context, name string) bool {
	if name == "" || s.Dynamic == nil {
		return false
	}
	ic, err := s.client.NetworkingV1().IngressClasses().Get(ctx, name, metav1.GetOptions{})
	if err != nil || ic.Spec.Controller != albingress.AutoModeController || ic.Spec.Parameters == nil {
		return false
	}
	p := ic.Spec.Parameters
	if p.APIGroup == nil || *p.APIGroup != IngressClassParamsResource.Group || p.Kind != "IngressClassParams" {
		return false
	}
	_, err = s.Dynamic.Resource(IngressClassParamsResource).Get(ctx, p.Name, metav1.GetOptions{})
	return err == nil
}

// deleted starts deleting an object's load balancer, or reports that DeleteTime has passed since.
func (s *StandIn) deleted(uid types.UID) bool {
	start, ok := s.deleting[uid]
	if !ok {
		s.deleting[uid] = time.Now()
		return false
	}
	return time.Since(start) >= s.DeleteTime
}

func addFinalizer(m *metav1.ObjectMeta, f string) bool {
	if slices.Contains(m.Finalizers, f) {
		return false
	}
	m.Finalizers = append(m.Finalizers, f)
	return true
}

// update calls an Update or UpdateStatus; conflicts and not-founds are left to the next pass.
func update[T any](ctx context.Context, call func(context.Context, T, metav1.UpdateOptions) (T, error), obj T) (T, error) {
	out, err := call(ctx, obj, metav1.UpdateOptions{})
	if err != nil {
		if !passing(err) {
			fmt.Printf("stand-in: update: %v\n", err)
		}
		var zero T
		return zero, err
	}
	return out, nil
}
