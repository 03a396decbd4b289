package ownership

import (
	"context"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// resources maps the kinds the program reads to their API resources; IngressClass, the webhook
// configurations, CRDs and GatewayClasses are cluster-scoped (read with namespace "").
var resources = map[Kind]schema.GroupVersionResource{
	Service:           {Version: "v1", Resource: "services"},
	ServiceAccount:    {Version: "v1", Resource: "serviceaccounts"},
	Deployment:        {Group: "apps", Version: "v1", Resource: "deployments"},
	Ingress:           {Group: "networking.k8s.io", Version: "v1", Resource: "ingresses"},
	IngressClass:      {Group: "networking.k8s.io", Version: "v1", Resource: "ingressclasses"},
	MutatingWebhook:   {Group: "admissionregistration.k8s.io", Version: "v1", Resource: "mutatingwebhookconfigurations"},
	ValidatingWebhook: {Group: "admissionregistration.k8s.io", Version: "v1", Resource: "validatingwebhookconfigurations"},
	CRD:               {Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"},
	GatewayClass:      {Group: "gateway.networking.k8s.io", Version: "v1", Resource: "gatewayclasses"},
	Gateway:           {Group: "gateway.networking.k8s.io", Version: "v1", Resource: "gateways"},
	HTTPRoute:         {Group: "gateway.networking.k8s.io", Version: "v1", Resource: "httproutes"},
	// The controller's CRDs, served at v1 (config/crd/gateway/gateway.k8s.aws_<plural>.yaml).
	LoadBalancerConfig: {Group: "gateway.k8s.aws", Version: "v1", Resource: "loadbalancerconfigurations"},
	TargetGroupConfig:  {Group: "gateway.k8s.aws", Version: "v1", Resource: "targetgroupconfigurations"},
	ListenerRuleConfig: {Group: "gateway.k8s.aws", Version: "v1", Resource: "listenerruleconfigurations"},
}

// kubeReader reads objects with client-go's dynamic client: it needs no API types, and the checks
// read metadata and, of an IngressClass, its controller.
type kubeReader struct{ client dynamic.Interface }

// NewKubeReader reads the cluster a kubeconfig reaches (the file's contents when inline, else its
// path), through kubeContext or, when empty, its current context.
func NewKubeReader(kubeconfig string, inline bool, kubeContext string) (Reader, error) {
	var cfg *clientcmdapi.Config
	var err error
	if inline {
		cfg, err = clientcmd.Load([]byte(kubeconfig))
	} else {
		cfg, err = clientcmd.LoadFromFile(kubeconfig)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the kubeconfig: %w", err)
	}
	overrides := &clientcmd.ConfigOverrides{CurrentContext: kubeContext}
	rest, err := clientcmd.NewNonInteractiveClientConfig(*cfg, kubeContext, overrides, nil).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("reading the kubeconfig: %w", err)
	}
	rest.Timeout = 30 * time.Second
	client, err := dynamic.NewForConfig(rest)
	if err != nil {
		return nil, err
	}
	return kubeReader{client: client}, nil
}

func (k kubeReader) Metadata(ctx context.Context, kind Kind, namespace, name string) (Metadata, bool, error) {
	gvr, ok := resources[kind]
	if !ok {
		return Metadata{}, false, fmt.Errorf("ownership: unknown kind %q", kind)
	}
	obj, err := k.client.Resource(gvr).Namespace(namespace).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return Metadata{}, false, nil
	}
	if err != nil {
		return Metadata{}, false, err
	}
	m := Metadata{Annotations: obj.GetAnnotations(), Labels: obj.GetLabels()}
	switch kind {
	case IngressClass:
		m.Controller, _, _ = unstructured.NestedString(obj.Object, "spec", "controller")
	case GatewayClass:
		m.Controller, _, _ = unstructured.NestedString(obj.Object, "spec", "controllerName")
	case Service:
		ports, _, _ := unstructured.NestedSlice(obj.Object, "spec", "ports")
		for _, p := range ports {
			if port, ok, _ := unstructured.NestedInt64(p.(map[string]any), "port"); ok {
				m.Ports = append(m.Ports, int(port))
			}
		}
	}
	return m, true, nil
}
