//go:build integration

package integration

import (
	"context"
	"strings"
	"testing"

	admissionv1 "k8s.io/api/admissionregistration/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/mlops-retail/retail-api-edge/components/albingress"
	"github.com/mlops-retail/retail-api-edge/components/lbcontroller"
	"github.com/mlops-retail/retail-api-edge/internal/ownership"
)

// preflight runs the preview refusals that cli-foreign-controller, cli-untagged-subnets and
// cli-pod-identity do not: each breaks one thing prod needs, and prod's preview must stop with the
// message naming what it found and the fix, and change nothing in AWS or the cluster.
func (c *cliWorld) preflight(t *testing.T) {
	cases := []struct {
		name   string
		breaks func(t *testing.T)
		says   []string
	}{
		{"no public hosted zone", func(t *testing.T) {
			w := c.aws
			w.Zones = nil
			c.useWorld(t, w)
		}, []string{"found no public Route53 hosted zone", "aws route53 create-hosted-zone", "retail-api-edge:domain.zoneName"}},
		{"IRSA without the cluster's IAM OIDC provider", c.withoutOIDCProviders,
			[]string{"has no IAM OIDC provider", "eksctl utils associate-iam-oidc-provider", "cluster.createOidcProvider"}},
		{"webhook configurations left by another installation", c.leftoverWebhooks,
			[]string{"already has one it did not install", "MutatingWebhookConfiguration " + lbcontroller.WebhookName,
				"ValidatingWebhookConfiguration " + lbcontroller.WebhookName, "retail-api-edge:controller.install false"}},
		{"EKS Auto Mode's alb class where the stack installs the controller", c.autoModeALBClass,
			[]string{"IngressClass alb (controller " + ownership.AutoModeClass + ": EKS Auto Mode's own load balancing)"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.stackInit(t, "prod")
			c.localChart(t, "prod")
			tc.breaks(t)
			ops := len(c.ledger(t).Ops)
			_, err := c.cli.Run(c.cliCtx(t), "preview", "--stack", "prod")
			for _, want := range tc.says {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Fatalf("prod's preview must stop, saying %q; got %v", want, err)
				}
			}
			c.assertRefusedPreview(t, ops)
		})
	}
}

// leftoverWebhooks leaves the chart's webhook configurations without their controller, as a
// failed `helm uninstall` or a hand-made install does: a new controller's would clash with them.
func (c *cliWorld) leftoverWebhooks(t *testing.T) {
	meta := metav1.ObjectMeta{Name: lbcontroller.WebhookName, Labels: map[string]string{ownership.ChartLabel: "aws-load-balancer-controller-2.7.1"}}
	api := c.k8s.AdmissionregistrationV1()
	if _, err := api.MutatingWebhookConfigurations().Create(c.ctx, &admissionv1.MutatingWebhookConfiguration{ObjectMeta: meta}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := api.ValidatingWebhookConfigurations().Create(c.ctx, &admissionv1.ValidatingWebhookConfiguration{ObjectMeta: meta}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = api.MutatingWebhookConfigurations().Delete(context.Background(), lbcontroller.WebhookName, metav1.DeleteOptions{})
		_ = api.ValidatingWebhookConfigurations().Delete(context.Background(), lbcontroller.WebhookName, metav1.DeleteOptions{})
	})
}

// autoModeALBClass makes the IngressClass alb EKS Auto Mode's, as on a cluster whose operators
// made it the Auto Mode class, while the stack (autoMode detected off) would install the controller.
func (c *cliWorld) autoModeALBClass(t *testing.T) {
	class := &networkingv1.IngressClass{ObjectMeta: metav1.ObjectMeta{Name: albingress.ClassName},
		Spec: networkingv1.IngressClassSpec{Controller: ownership.AutoModeClass}}
	if _, err := c.k8s.NetworkingV1().IngressClasses().Create(c.ctx, class, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = c.k8s.NetworkingV1().IngressClasses().Delete(context.Background(), albingress.ClassName, metav1.DeleteOptions{})
	})
}
