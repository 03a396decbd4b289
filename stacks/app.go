package stacks

import (
	"maps"
	"regexp"
	"slices"

	"k8s.io/apimachinery/pkg/api/validate/content"
)

// AppConfig is the `app` block: where the API runs and, optionally, how to deploy it.
type AppConfig struct {
	// The namespace of the app.
	Namespace string `json:"namespace"`
	// The app's Service, which this stack owns.
	ServiceName string `json:"serviceName"`
	// The pod labels the Service selects (a stack's map replaces the default whole).
	Selector map[string]string `json:"selector"`
	// The Service's port.
	Port int `json:"port"`
	// The container port the Service sends to.
	TargetPort int `json:"targetPort"`
	// The health-check path for probes and load balancers: an RFC 3986 path of at most 1024
	// characters (no spaces, control characters, query or fragment).
	HealthPath string `json:"healthPath"`
	// A container image: set it to have the program deploy the API too (a Deployment and its
	// PodDisruptionBudget).
	Image string `json:"image"`
	// With `app.image`: the Deployment's replicas, 2-50.
	Replicas int `json:"replicas"`
	// With `app.image`: the Deployment's name.
	DeploymentName string `json:"deploymentName"`
	// Another stack of this project that takes over the app's Service (and Deployment): this stack
	// stops exposing them (the Service goes back to ClusterIP), marks them for that stack, and
	// leaves them in place on destroy; see [deploying.md](deploying.md#one-cluster-several-stacks).
	HandOverTo string `json:"handOverTo"`
}

var (
	imageRe     = regexp.MustCompile(`^[a-z0-9][a-zA-Z0-9._/:@-]*$`)
	stackNameRe = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,100}$`)
)

// maxReplicas bounds the app's and the alarms' target counts.
const maxReplicas = 50

func (a *AppConfig) setDefaults() {
	*a = AppConfig{
		Namespace:      "mlops",
		ServiceName:    "retail-api-svc",
		Port:           80,
		TargetPort:     8000,
		HealthPath:     "/health",
		Replicas:       2,
		DeploymentName: "retail-api",
	}
}

func (a *AppConfig) complete(*Config) {
	if a.Selector == nil {
		a.Selector = map[string]string{"app": "retail-api"}
	}
}

func (a *AppConfig) validate(c *Config, v *validator) {
	v.kube(k("app.namespace"), "namespace name", a.Namespace, namespaceName)
	v.kube(k("app.serviceName"), "Service name", a.ServiceName, serviceName)
	v.check(len(a.Selector) > 0, k("app.selector"), "must have at least one label, or the Service selects no pods")
	for _, key := range slices.Sorted(maps.Keys(a.Selector)) {
		v.kube(k("app.selector"), "label key", key, content.IsLabelKey)
		v.kube(k("app.selector")+"."+key, "label value", a.Selector[key], content.IsLabelValue)
	}
	validPort(v, k("app.port"), a.Port)
	validPort(v, k("app.targetPort"), a.TargetPort)
	if why := urlPathProblem(a.HealthPath); why != "" {
		v.check(false, k("app.healthPath"), "%q is not a health-check path: %s", a.HealthPath, why)
	}
	v.check(a.HandOverTo == "" || (stackNameRe.MatchString(a.HandOverTo) && a.HandOverTo != c.Stack), k("app.handOverTo"),
		"must name another stack of this project (letters, digits, -, _ and .), got %q", a.HandOverTo)
	if a.Image == "" {
		return
	}
	v.check(imageRe.MatchString(a.Image), k("app.image"), "%q is not a container image reference", a.Image)
	v.check(a.Replicas >= 2 && a.Replicas <= maxReplicas, k("app.replicas"),
		"must be between 2 (one per zone, for availability) and %d, got %d", maxReplicas, a.Replicas)
	v.kube(k("app.deploymentName"), "Deployment name", a.DeploymentName, objectName)
}

func (*AppConfig) inert() []inertRule {
	return []inertRule{{
		keys:   []string{"app.replicas", "app.deploymentName"},
		active: func(c *Config) bool { return c.App.Image != "" },
		needs:  func(*Config) string { return k("app.image") + " (they shape the Deployment this stack then makes)" },
	}}
}
