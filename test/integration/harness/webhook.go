package harness

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// The AWS Load Balancer Controller's Service mutator, as the chart registers it: the webhook
// `mservice.elbv2.k8s.aws` of the MutatingWebhookConfiguration `aws-load-balancer-webhook`, present
// only while the chart's enableServiceMutatorWebhook is true (chart templates/webhook.yaml).
const (
	WebhookConfig  = "aws-load-balancer-webhook"
	ServiceMutator = "mservice.elbv2.k8s.aws"
)

// Mutator serves the controller's Service mutator for the real API server: on CREATE of a
// LoadBalancer Service without a load balancer class it sets the controller's class, as
// webhooks/core/service_mutator.go does (v3.5.0: no annotation is looked at; UPDATEs keep a class
// the Service already had). The test chart renders the webhook entry exactly when the real chart
// would, pointed at a Service that has no pods here; the stand-in points it at this server instead
// (Redirect), so the API server itself calls it at admission.
type Mutator struct {
	url      string
	caBundle []byte
	server   *http.Server
}

// StartMutator listens on a loopback port with a certificate of its own, until ctx ends.
func StartMutator(ctx context.Context) (*Mutator, error) {
	cert, caPEM, err := selfSigned()
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	m := &Mutator{url: fmt.Sprintf("https://%s/mutate-v1-service", ln.Addr()), caBundle: caPEM}
	m.server = &http.Server{Handler: http.HandlerFunc(m.serve), ReadHeaderTimeout: 5 * time.Second,
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}}
	go func() { _ = m.server.ServeTLS(ln, "", "") }()
	go func() { <-ctx.Done(); _ = m.server.Close() }()
	return m, nil
}

func (m *Mutator) serve(w http.ResponseWriter, r *http.Request) {
	var review admissionv1.AdmissionReview
	if err := json.NewDecoder(r.Body).Decode(&review); err != nil || review.Request == nil {
		http.Error(w, "not an AdmissionReview", http.StatusBadRequest)
		return
	}
	resp := &admissionv1.AdmissionResponse{UID: review.Request.UID, Allowed: true}
	var svc corev1.Service
	if review.Request.Operation == admissionv1.Create && json.Unmarshal(review.Request.Object.Raw, &svc) == nil &&
		svc.Spec.Type == corev1.ServiceTypeLoadBalancer && (svc.Spec.LoadBalancerClass == nil || *svc.Spec.LoadBalancerClass == "") {
		patch, _ := json.Marshal([]map[string]any{{"op": "add", "path": "/spec/loadBalancerClass", "value": ControllerSvcClass}})
		pt := admissionv1.PatchTypeJSONPatch
		resp.Patch, resp.PatchType = patch, &pt
	}
	review.Response, review.Request = resp, nil
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(review)
}

// Redirect points the chart's Service mutator entry, when there is one, at this server.
func (m *Mutator) Redirect(ctx context.Context, client kubernetes.Interface) {
	api := client.AdmissionregistrationV1().MutatingWebhookConfigurations()
	cfg, err := api.Get(ctx, WebhookConfig, metav1.GetOptions{})
	if err != nil {
		return
	}
	changed := false
	for i := range cfg.Webhooks {
		h := &cfg.Webhooks[i]
		if h.Name != ServiceMutator || (h.ClientConfig.URL != nil && *h.ClientConfig.URL == m.url) {
			continue
		}
		url := m.url
		h.ClientConfig.Service, h.ClientConfig.URL, h.ClientConfig.CABundle = nil, &url, m.caBundle
		changed = true
	}
	if changed {
		_, _ = update(ctx, api.Update, cfg)
	}
}

// selfSigned is a certificate for 127.0.0.1 that is its own CA, and its PEM for caBundle.
func selfSigned() (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "service-mutator"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, caPEM, nil
}
