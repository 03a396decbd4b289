package doctor

import (
	"fmt"
	"time"

	"k8s.io/client-go/dynamic"
	appsv1client "k8s.io/client-go/kubernetes/typed/apps/v1"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	discoveryv1client "k8s.io/client-go/kubernetes/typed/discovery/v1"
	networkingv1client "k8s.io/client-go/kubernetes/typed/networking/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// Kube reads the cluster through client-go's typed clients of the four API groups the checks
// read; the whole clientset would compile every group.
type Kube struct {
	Core      corev1client.CoreV1Interface
	Apps      appsv1client.AppsV1Interface
	Net       networkingv1client.NetworkingV1Interface
	Discovery discoveryv1client.DiscoveryV1Interface
	// Dynamic reads the Gateway API's objects (Option C).
	Dynamic dynamic.Interface
	// Host is the API server's URL, for the evidence.
	Host string
}

// NewKube finds the cluster as kubectl does (kubeconfig, else $KUBECONFIG, else ~/.kube/config;
// kubeContext, else the current context), exec credential plugins such as `aws eks get-token`
// included.
func NewKube(kubeconfig, kubeContext string) (*Kube, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = kubeconfig
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules,
		&clientcmd.ConfigOverrides{CurrentContext: kubeContext}).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("reading the kubeconfig: %w", err)
	}
	return KubeFor(cfg)
}

// KubeFor reads the cluster a REST config reaches.
func KubeFor(cfg *rest.Config) (*Kube, error) {
	cfg = rest.CopyConfig(cfg)
	if cfg.Timeout == 0 {
		cfg.Timeout = 20 * time.Second
	}
	k := &Kube{Host: cfg.Host}
	var err error
	if k.Core, err = corev1client.NewForConfig(cfg); err != nil {
		return nil, err
	}
	if k.Apps, err = appsv1client.NewForConfig(cfg); err != nil {
		return nil, err
	}
	if k.Net, err = networkingv1client.NewForConfig(cfg); err != nil {
		return nil, err
	}
	if k.Discovery, err = discoveryv1client.NewForConfig(cfg); err != nil {
		return nil, err
	}
	if k.Dynamic, err = dynamic.NewForConfig(cfg); err != nil {
		return nil, err
	}
	return k, nil
}
