package harness

import (
	"context"
	"slices"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"
)

var controller = types.NamespacedName{Namespace: "kube-system", Name: "aws-load-balancer-controller"}

func lbService(class string, finalizers []string, deleting bool) *corev1.Service {
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "svc", Namespace: "app", UID: "svc-uid", Finalizers: finalizers},
		Spec:       corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer},
	}
	if class != "" {
		svc.Spec.LoadBalancerClass = &class
	}
	if deleting {
		svc.DeletionTimestamp = &metav1.Time{Time: time.Now()}
	}
	return svc
}

func albIngress(finalizers []string, deleting bool) *networkingv1.Ingress {
	ing := &networkingv1.Ingress{
		ObjectMeta: metav1.ObjectMeta{Name: "ing", Namespace: "app", UID: "ing-uid", Finalizers: finalizers},
		Spec:       networkingv1.IngressSpec{IngressClassName: new("alb")},
	}
	if deleting {
		ing.DeletionTimestamp = &metav1.Time{Time: time.Now()}
	}
	return ing
}

func controllerDeployment() *appsv1.Deployment {
	return &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: controller.Name, Namespace: controller.Namespace}}
}

// TestStandInFinalizers checks the rules the integration scenarios rely on: who serves what,
// and that a controller-owned load balancer is only deleted while the controller exists.
func TestStandInFinalizers(t *testing.T) {
	tests := []struct {
		name           string
		objects        []runtime.Object
		wantFinalizers []string // on the Service or Ingress afterwards
		wantLive       int
	}{
		{"class-less Service: the cloud provider serves it", []runtime.Object{lbService("", nil, false)},
			[]string{CloudSvcFinalizer}, 1},
		{"controller-class Service without the controller: untouched", []runtime.Object{lbService(ControllerSvcClass, nil, false)},
			nil, 0},
		{"controller-class Service with the controller", []runtime.Object{lbService(ControllerSvcClass, nil, false), controllerDeployment()},
			[]string{ControllerSvcFinalize}, 1},
		{"alb Ingress without the controller: no address", []runtime.Object{albIngress(nil, false)},
			nil, 0},
		{"alb Ingress with the controller", []runtime.Object{albIngress(nil, false), controllerDeployment()},
			[]string{IngressFinalizer}, 1},
		{"deleted Ingress, controller gone: the finalizer stays", []runtime.Object{albIngress([]string{IngressFinalizer}, true)},
			[]string{IngressFinalizer}, 0},
		{"deleted Ingress, controller running: finalizer removed", []runtime.Object{albIngress([]string{IngressFinalizer}, true), controllerDeployment()},
			nil, 0},
		{"deleted class-less Service: the cloud provider cleans up", []runtime.Object{lbService("", []string{CloudSvcFinalizer}, true)},
			nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			client := fake.NewClientset(tt.objects...)
			s := NewStandIn(client, controller)
			s.DeleteTime = 0
			s.deleting = map[types.UID]time.Time{}
			for range 3 { // a deletion starts on one pass and completes on a later one
				s.reconcile(ctx)
			}
			var got []string
			if svc, err := client.CoreV1().Services("app").Get(ctx, "svc", metav1.GetOptions{}); err == nil {
				got = append(got, svc.Finalizers...)
				if len(svc.Finalizers) > 0 && svc.DeletionTimestamp == nil && len(svc.Status.LoadBalancer.Ingress) != 1 {
					t.Error("a served Service must get a hostname")
				}
			}
			if ing, err := client.NetworkingV1().Ingresses("app").Get(ctx, "ing", metav1.GetOptions{}); err == nil {
				got = append(got, ing.Finalizers...)
			}
			if !slices.Equal(got, tt.wantFinalizers) {
				t.Errorf("finalizers = %v, want %v", got, tt.wantFinalizers)
			}
			if live := s.Ledger.Live(); len(live) != tt.wantLive {
				t.Errorf("live load balancers = %v, want %d", live, tt.wantLive)
			}
		})
	}
}

func TestLedgerKeepsOneLoadBalancerPerObject(t *testing.T) {
	l := &Ledger{}
	a := l.ensure("nlb", "cloud-provider", "service app/svc", "uid-1")
	if b := l.ensure("nlb", "cloud-provider", "service app/svc", "uid-1"); b != a {
		t.Error("a second reconcile of the same object made a second load balancer")
	}
	l.remove("uid-1")
	c := l.ensure("nlb", "cloud-provider", "service app/svc", "uid-1")
	if c == a || c.Hostname == a.Hostname {
		t.Error("a load balancer made after deletion must be a new one")
	}
	if len(l.All()) != 2 || len(l.Live()) != 1 {
		t.Errorf("all %d, live %d; want 2 and 1", len(l.All()), len(l.Live()))
	}
}

// TestKindIsFixedOnceMade: like the in-tree provider, the stand-in keeps the load balancer a
// Service got when its type annotation changes; only a new Service gets the new kind.
func TestKindIsFixedOnceMade(t *testing.T) {
	ctx := context.Background()
	svc := lbService("", nil, false)
	svc.Annotations = map[string]string{"service.beta.kubernetes.io/aws-load-balancer-type": "nlb"}
	client := fake.NewClientset(svc)
	s := NewStandIn(client, controller)
	s.reconcile(ctx)
	got, err := client.CoreV1().Services("app").Get(ctx, "svc", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	delete(got.Annotations, "service.beta.kubernetes.io/aws-load-balancer-type")
	if _, err := client.CoreV1().Services("app").Update(ctx, got, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	s.reconcile(ctx)
	if live := s.Ledger.Live(); len(live) != 1 || live[0].Kind != "nlb" {
		t.Errorf("after the type annotation changed: %+v, want the NLB kept", live)
	}
}

// TestWebACLAssociation: the controller attaches the ACL the annotation names, detaches on
// "none", leaves the association alone without the annotation, and the ALB's deletion takes it.
func TestWebACLAssociation(t *testing.T) {
	ctx := context.Background()
	const key = "alb.ingress.kubernetes.io/wafv2-acl-arn"
	steps := []struct {
		name       string
		annotation *string // nil: absent
		deleting   bool
		want       string
	}{
		{"ARN", new("arn:acl"), false, "arn:acl"},
		{"annotation removed: kept", nil, false, "arn:acl"},
		{"none: detached", new("none"), false, ""},
		{"ARN again", new("arn:acl"), false, "arn:acl"},
		{"Ingress deleted: gone with the ALB", new("arn:acl"), true, ""},
	}
	ing := albIngress(nil, false)
	client := fake.NewClientset(ing, controllerDeployment())
	s := NewStandIn(client, controller)
	s.DeleteTime, s.deleting = 0, map[types.UID]time.Time{}
	acls := map[string]string{}
	s.OnWebACL = func(host, acl string) { acls[host] = acl }
	for _, step := range steps {
		cur, err := client.NetworkingV1().Ingresses("app").Get(ctx, "ing", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		cur.Annotations = map[string]string{}
		if step.annotation != nil {
			cur.Annotations[key] = *step.annotation
		}
		if step.deleting {
			cur.DeletionTimestamp = &metav1.Time{Time: time.Now()}
		}
		if _, err := client.NetworkingV1().Ingresses("app").Update(ctx, cur, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
		for range 3 {
			s.reconcile(ctx)
		}
		var got string
		for _, a := range acls {
			got += a
		}
		if got != step.want {
			t.Errorf("%s: web ACL %q, want %q", step.name, got, step.want)
		}
	}
}
