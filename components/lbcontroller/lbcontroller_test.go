package lbcontroller

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/components/irsa"
	"github.com/mlops-retail/retail-api-edge/components/podidentity"
	"github.com/mlops-retail/retail-api-edge/internal/plan"
	"github.com/mlops-retail/retail-api-edge/internal/plantest"
	"github.com/mlops-retail/retail-api-edge/internal/typetoken"
)

type fakeProvider struct{ pulumi.ProviderResourceState }

func planController(t *testing.T, mutate func(*Args)) *plan.Plan {
	t.Helper()
	p, err := plantest.Run(func(ctx *pulumi.Context) (pulumi.Map, error) {
		var aws, k8s fakeProvider
		if err := ctx.RegisterResource("pulumi:providers:aws", "aws", pulumi.Map{}, &aws); err != nil {
			return nil, err
		}
		if err := ctx.RegisterResource("pulumi:providers:kubernetes", "k8s", pulumi.Map{}, &k8s); err != nil {
			return nil, err
		}
		args := testArgs()
		if mutate != nil {
			mutate(args)
		}
		c, err := NewController(ctx, "lb-controller", args, pulumi.Providers(&aws, &k8s))
		if err != nil {
			return nil, err
		}
		return pulumi.Map{"roleArn": c.RoleArn}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func one(t *testing.T, p *plan.Plan, typ string) plan.Resource {
	t.Helper()
	rs := p.Find(typ)
	if len(rs) != 1 {
		t.Fatalf("want one %s, got %d", typ, len(rs))
	}
	return rs[0]
}

func TestController(t *testing.T) {
	p := planController(t, nil)
	comp := one(t, p, TypeToken)
	policy := one(t, p, typetoken.Policy)
	role := one(t, p, typetoken.Role)
	att := one(t, p, typetoken.RolePolicyAttachment)
	sa := one(t, p, "kubernetes:core/v1:ServiceAccount")
	rel := one(t, p, typetoken.HelmRelease)
	checks := []struct {
		name string
		ok   bool
	}{
		{"policy is the official document", policy.Value("policy") == controllerPolicy("aws").JSON()},
		{"policy attached to the role", att.Value("policyArn") == "arn:aws:iam::123456789012:policy/lb-controller-policy-example"},
		{"role trusts the controller's service account", strings.Contains(role.Value("assumeRolePolicy").(string),
			"system:serviceaccount:kube-system:aws-load-balancer-controller")},
		{"service account annotated with the role", sa.Value("metadata", "annotations", RoleArnAnnotation) ==
			"arn:aws:iam::123456789012:role/lb-controller-irsa-role-example"},
		{"service account in kube-system", sa.Value("metadata", "namespace") == "kube-system"},
		{"chart pinned", rel.Value("chart") == "aws-load-balancer-controller" && rel.Value("version") == "3.5.0"},
		{"eks-charts repository", rel.Value("repositoryOpts", "repo") == "https://aws.github.io/eks-charts"},
		{"release in kube-system", rel.Value("namespace") == "kube-system"},
		{"values: cluster", rel.Value("values", "clusterName") == "mlops-retail-cluster"},
		{"values: region", rel.Value("values", "region") == "us-east-1"},
		{"values: vpc", rel.Value("values", "vpcId") == "vpc-1"},
		{"values: our service account", rel.Value("values", "serviceAccount", "create") == false &&
			rel.Value("values", "serviceAccount", "name") == "aws-load-balancer-controller"},
		{"values: two replicas", rel.Value("values", "replicaCount") == float64(2)},
		{"values: modern TLS default", rel.Value("values", "defaultSSLPolicy") == "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"},
		{"values: webhook cert kept", rel.Value("values", "keepTLSSecret") == true},
		// On, the chart's mutator gives every new LoadBalancer Service in the cluster the
		// controller's class (internal NLB), other stacks' and teams' included.
		{"values: Service mutator off", rel.Value("values", "enableServiceMutatorWebhook") == false},
		// IRSA injects the role at pod creation: a replaced role must restart the pods.
		{"values: the role on the pods", rel.Value("values", "podAnnotations", rolePodAnnotation) ==
			"arn:aws:iam::123456789012:role/lb-controller-irsa-role-example"},
		{"values: PDB, one pod down at a time", rel.Value("values", "podDisruptionBudget", "maxUnavailable") == float64(1)},
		{"values: spread across zones, matching the chart's selector labels", spreadsByZone(rel.Value("values", "topologySpreadConstraints"))},
		{"waits for readiness", rel.Value("skipAwait") == nil && rel.Value("timeout") == float64(600)},
		{"same plugin as the typed Kubernetes SDK", rel.Version != "" && rel.Version == sa.Version},
		{"children of the component", policy.Parent == comp.URN && sa.Parent == comp.URN && rel.Parent == comp.URN},
		{"role inside the IRSA child", one(t, p, irsa.TypeToken).Parent == comp.URN},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s", c.name)
		}
	}
}

// TestReleaseDestroyOrder: the release is created after, and deleted before, the role, its policy
// attachment and the service account, so the controller can clean up load balancers on its way out.
func TestReleaseDestroyOrder(t *testing.T) {
	p := planController(t, nil)
	rel := one(t, p, typetoken.HelmRelease)
	for _, typ := range []string{typetoken.Role, typetoken.RolePolicyAttachment, "kubernetes:core/v1:ServiceAccount"} {
		if dep := one(t, p, typ); !slices.Contains(rel.Dependencies, dep.URN) {
			t.Errorf("the release must depend on %s (%s)", typ, dep.URN)
		}
	}
}

func TestLocalChart(t *testing.T) {
	p := planController(t, func(a *Args) { a.Chart, a.Repository = "./charts/aws-load-balancer-controller", "" })
	if rel := one(t, p, typetoken.HelmRelease); rel.Value("repositoryOpts") != nil || rel.Value("chart") != "./charts/aws-load-balancer-controller" {
		t.Errorf("a local chart needs no repository: %v", rel.Inputs)
	}
}

// spreadsByZone says whether the constraints spread the chart's pods (selected as the chart's
// selectorLabels do: name and release instance) across zones.
func spreadsByZone(v any) bool {
	cs, _ := v.([]any)
	if len(cs) != 1 {
		return false
	}
	c, _ := cs[0].(map[string]any)
	labels, _ := c["labelSelector"].(map[string]any)["matchLabels"].(map[string]any)
	return c["topologyKey"] == "topology.kubernetes.io/zone" && c["maxSkew"] == float64(1) &&
		labels["app.kubernetes.io/name"] == "aws-load-balancer-controller" && labels["app.kubernetes.io/instance"] == "aws-load-balancer-controller"
}

// The slow-release hint points at the namespace the controller is installed in, and at where its
// pods get their role: IRSA's role and annotation, or Pod Identity's association and agent (which
// has no annotation and no OIDC trust to check).
func TestInstallHint(t *testing.T) {
	for _, tt := range []struct {
		name      string
		namespace string
		identity  Identity
		want      []string
		not       []string
	}{
		{"IRSA", "kube-system", IdentityIRSA,
			[]string{"IRSA role", "OIDC provider", RoleArnAnnotation + " annotation on service account kube-system/aws-load-balancer-controller"},
			[]string{"Pod Identity", "eks-pod-identity-agent"}},
		{"IRSA, another namespace", "lb-system", "", []string{"IRSA role", "service account lb-system/aws-load-balancer-controller"}, nil},
		{"Pod Identity", "lb-system", IdentityPodIdentity,
			[]string{"EKS Pod Identity association for lb-system/aws-load-balancer-controller",
				"aws eks list-pod-identity-associations --cluster-name mlops-retail-cluster --namespace lb-system --service-account aws-load-balancer-controller",
				"kubectl -n kube-system rollout status ds/eks-pod-identity-agent"},
			[]string{"IRSA", RoleArnAnnotation, "OIDC"}},
	} {
		a := &Args{ClusterName: "mlops-retail-cluster", Namespace: tt.namespace, ServiceAccount: "aws-load-balancer-controller", Identity: tt.identity}
		hint := a.install().Check
		for _, w := range append(tt.want, "kubectl -n "+tt.namespace+" rollout status deploy/"+ReleaseName) {
			if !strings.Contains(hint, w) {
				t.Errorf("%s: hint must say %q: %s", tt.name, w, hint)
			}
		}
		for _, n := range tt.not {
			if strings.Contains(hint, n) {
				t.Errorf("%s: hint must not say %q: %s", tt.name, n, hint)
			}
		}
	}
}

func podIdentity(a *Args) {
	a.Identity = IdentityPodIdentity
	a.OIDCProviderArn, a.OIDCIssuer = nil, nil // Pod Identity needs no OIDC provider
	a.PodIdentity = podidentity.Args{ClusterName: pulumi.String("mlops-retail-cluster"), AgentCluster: "mlops-retail-cluster"}
	a.RoleName = "retail-api-edge-prod-lb-controller"
}

// TestPodIdentity: the role trusts EKS Pod Identity, the association names the controller's
// service account and the role, the service account carries no IRSA annotation, and the release
// waits for the role, its policy attachment and the association (so destroy removes the release
// first, then the association, then the role).
func TestPodIdentity(t *testing.T) {
	p := planController(t, podIdentity)
	role, att := one(t, p, typetoken.Role), one(t, p, typetoken.RolePolicyAttachment)
	assoc, sa, rel := one(t, p, typetoken.PodIdentityAssociation), one(t, p, "kubernetes:core/v1:ServiceAccount"), one(t, p, typetoken.HelmRelease)
	arn := "arn:aws:iam::123456789012:role/retail-api-edge-prod-lb-controller"
	_, annotated := sa.Value("metadata", "annotations").(map[string]any)[RoleArnAnnotation]
	checks := []struct {
		name string
		ok   bool
	}{
		{"role trusts pods.eks.amazonaws.com", role.Value("assumeRolePolicy") == podidentity.TrustPolicy("kube-system", "aws-load-balancer-controller")},
		{"role keeps the IRSA role's name", role.Value("name") == "retail-api-edge-prod-lb-controller"},
		{"official policy attached", att.Value("policyArn") == "arn:aws:iam::123456789012:policy/lb-controller-policy-example"},
		{"association for kube-system/aws-load-balancer-controller", assoc.Value("namespace") == "kube-system" &&
			assoc.Value("serviceAccount") == "aws-load-balancer-controller" && assoc.Value("clusterName") == "mlops-retail-cluster"},
		{"association for the role", assoc.Value("roleArn") == arn},
		{"no eks.amazonaws.com/role-arn on the service account", !annotated},
		{"the pods carry the role and the identity", rel.Value("values", "podAnnotations", rolePodAnnotation) == arn &&
			rel.Value("values", "podAnnotations", identityPodAnnotation) == string(IdentityPodIdentity)},
		{"release waits for the association", slices.Contains(rel.Dependencies, assoc.URN)},
		{"release waits for the role and its policy", slices.Contains(rel.Dependencies, role.URN) && slices.Contains(rel.Dependencies, att.URN)},
		{"release waits for the service account", slices.Contains(rel.Dependencies, sa.URN)},
		{"association waits for the role", slices.Contains(assoc.Dependencies, role.URN)},
		{"no OIDC trust anywhere", !strings.Contains(role.Value("assumeRolePolicy").(string), "AssumeRoleWithWebIdentity")},
	}
	for _, c := range checks {
		if !c.ok {
			t.Error(c.name)
		}
	}
	if len(p.Find(irsa.TypeToken)) != 0 {
		t.Error("Pod Identity must not make an IRSA role")
	}
}

// TestIdentitySwitchKeepsTheRole: switching IRSA <-> Pod Identity must update the role and its
// attachment in place. The role's name is fixed, so a new role could not be created beside the old
// one, and a new attachment of the same policy would be detached when the old one is deleted. The
// two role components alias each other; the engine then maps each child onto the other's by the
// inherited child alias (pulumi sdk go/pulumi/alias.go inheritedChildAlias: the parent's name
// prefix of the child's name replaced by the alias's). This test applies that mapping to one
// identity's URNs and finds the other identity's. It also checks that the pod template changes
// (the role ARN does not), so the pods restart onto the new credentials.
func TestIdentitySwitchKeepsTheRole(t *testing.T) {
	irsaPlan := planController(t, func(a *Args) { a.RoleName = "retail-api-edge-prod-lb-controller" })
	podPlan := planController(t, podIdentity)
	mapped := func(from *plan.Plan, fromType, fromName, toType, toName string) map[string]string {
		out := map[string]string{}
		for _, r := range from.Resources {
			comp := "$" + fromType + "::" + fromName
			if r.Type == fromType {
				if !slices.Contains(r.AliasNames, toName) {
					t.Errorf("%s must alias %s", r.URN, toName)
				}
				continue
			}
			if !strings.Contains(r.URN, strings.TrimSuffix(comp, "::"+fromName)+"$") || !strings.HasPrefix(r.Name, fromName) {
				continue
			}
			urn := strings.Replace(r.URN, "$"+fromType+"$", "$"+toType+"$", 1)
			urn = strings.TrimSuffix(urn, "::"+r.Name) + "::" + toName + strings.TrimPrefix(r.Name, fromName)
			out[r.Type] = urn
		}
		return out
	}
	for _, dir := range []struct {
		name                               string
		from, to                           *plan.Plan
		fromType, fromName, toType, toName string
	}{
		{"IRSA to Pod Identity", irsaPlan, podPlan, podidentity.TypeToken, "lb-controller-podidentity", irsa.TypeToken, "lb-controller-irsa"},
		{"Pod Identity to IRSA", podPlan, irsaPlan, irsa.TypeToken, "lb-controller-irsa", podidentity.TypeToken, "lb-controller-podidentity"},
	} {
		t.Run(dir.name, func(t *testing.T) {
			// The new program's children, mapped through the aliases, must be the old state's URNs.
			m := mapped(dir.to, dir.fromType, dir.fromName, dir.toType, dir.toName)
			for _, typ := range []string{typetoken.Role, typetoken.RolePolicyAttachment} {
				old := one(t, dir.from, typ)
				if m[typ] != old.URN {
					t.Errorf("%s: the alias maps to %q, want the existing %q", typ, m[typ], old.URN)
				}
			}
			if one(t, dir.from, typetoken.Role).Value("name") != one(t, dir.to, typetoken.Role).Value("name") {
				t.Error("the role keeps its name, so it is updated, not replaced")
			}
		})
	}
	a := one(t, irsaPlan, typetoken.HelmRelease).Value("values", "podAnnotations")
	b := one(t, podPlan, typetoken.HelmRelease).Value("values", "podAnnotations")
	if reflect.DeepEqual(a, b) {
		t.Errorf("the pod template must change with the identity (the role ARN stays): %v", a)
	}
}

// testArgs are valid IRSA args for the cluster the tests use.
func testArgs() *Args {
	return &Args{
		ClusterName: "mlops-retail-cluster", Region: "us-east-1", Partition: "aws", VpcID: pulumi.String("vpc-1"),
		OIDCProviderArn: pulumi.String("arn:aws:iam::123456789012:oidc-provider/oidc.example/id/X"),
		OIDCIssuer:      pulumi.String("https://oidc.example/id/X"),
		Namespace:       "kube-system", ServiceAccount: "aws-load-balancer-controller",
		Chart: "aws-load-balancer-controller", ChartVersion: "3.5.0", Repository: "https://aws.github.io/eks-charts",
		Replicas: 2, DefaultSSLPolicy: "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
	}
}
