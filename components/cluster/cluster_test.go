package cluster

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/internal/fielderr"
	"github.com/mlops-retail/retail-api-edge/internal/plan"
	"github.com/mlops-retail/retail-api-edge/internal/plantest"
	"github.com/mlops-retail/retail-api-edge/internal/typetoken"
)

func planCluster(t *testing.T, args *Args) *plan.Plan {
	t.Helper()
	p, err := plantest.RunWithAWS(func(ctx *pulumi.Context, aws pulumi.ProviderResource) (pulumi.Map, error) {
		c, err := NewCluster(ctx, "cluster", args, pulumi.Provider(aws))
		if err != nil {
			return nil, err
		}
		return pulumi.Map{"vpcId": c.VpcID, "oidcIssuer": c.OIDCIssuer, "oidcProviderArn": c.OIDCProviderArn, "name": c.Name}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func providers(t *testing.T, p *plan.Plan) (strict, adopt plan.Resource) {
	t.Helper()
	for _, r := range p.Find("pulumi:providers:kubernetes") {
		switch r.Name {
		case "cluster-k8s":
			strict = r
		case "cluster-k8s-adopt":
			adopt = r
		}
	}
	if strict.URN == "" || adopt.URN == "" {
		t.Fatalf("want both Kubernetes providers named from the component, got %+v", p.Find("pulumi:providers:kubernetes"))
	}
	return strict, adopt
}

// awsURN is the explicit AWS provider's URN in a component test's plan.
func awsURN(p *plan.Plan) string { return p.Find("pulumi:providers:aws")[0].URN }

func TestExistingCluster(t *testing.T) {
	p := planCluster(t, &Args{Name: "mlops-retail-cluster", Region: "eu-west-1"})
	comp := p.Find(TypeToken)[0]
	strict, adopt := providers(t, p)
	var kubeconfig map[string]any
	if err := json.Unmarshal([]byte(strict.Value("kubeconfig").(string)), &kubeconfig); err != nil {
		t.Fatalf("kubeconfig is not JSON: %v", err)
	}
	exec := kubeconfig["users"].([]any)[0].(map[string]any)["user"].(map[string]any)["exec"].(map[string]any)
	args := strings.Join(toStrings(exec["args"].([]any)), " ")
	checks := []struct {
		name string
		ok   bool
	}{
		{"providers are children of the component", strict.Parent == comp.URN && adopt.Parent == comp.URN},
		{"only the adopting provider upserts", strict.Value("upsertExistingObjects") == nil && adopt.Value("upsertExistingObjects") == true},
		{"both providers use the same kubeconfig", strict.Value("kubeconfig") == adopt.Value("kubeconfig")},
		{"token from aws eks get-token", exec["command"] == "aws" && args == "eks get-token --cluster-name mlops-retail-cluster --region eu-west-1 --output json"},
		{"no cluster is created", len(p.Find(typetoken.EKSCluster)) == 0 && len(p.Find(typetoken.Tag)) == 0},
		{"VPC from the cluster", p.Outputs["vpcId"].Value == plan.VpcID},
		{"OIDC issuer from the cluster", strings.HasPrefix(p.Outputs["oidcIssuer"].Value.(string), "https://oidc.eks.")},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s", c.name)
		}
	}
}

func TestNewCluster(t *testing.T) {
	p := planCluster(t, &Args{Name: "demo-cluster", Region: "us-east-1", Create: true, NeedOIDC: true, Partition: "aws", New: NewClusterArgs{
		KubernetesVersion: "1.35", InstanceType: "t3.medium", AMIType: "AL2023_x86_64_STANDARD", DesiredNodes: 2, MinNodes: 2, MaxNodes: 3,
		Tags: map[string]string{"owner": "me"},
	}})
	comp := p.Find(TypeToken)[0]
	eks := p.Find(typetoken.EKSCluster)
	tags := p.Find(typetoken.Tag)
	if len(eks) != 1 || len(tags) != len(plan.SubnetIDs) {
		t.Fatalf("want one EKS cluster and one tag per default subnet, got %d and %d", len(eks), len(tags))
	}
	c := eks[0]
	var tagged []string
	for _, tag := range tags {
		tagged = append(tagged, tag.Value("resourceId").(string))
		if tag.Value("key") != elbRoleTag || tag.Value("value") != "1" || tag.Parent != comp.URN {
			t.Errorf("subnet tag %s: %v", tag.Name, tag.Inputs)
		}
		if !slices.Contains(c.Dependencies, tag.URN) {
			t.Errorf("the cluster must wait for subnet tag %s", tag.Name)
		}
	}
	subnets := toStrings(c.Value("publicSubnetIds").([]any))
	checks := []struct {
		name string
		ok   bool
	}{
		{"cluster is a child of the component", c.Parent == comp.URN && c.Name == "cluster-eks"},
		// Remote components get only the providers their own registration names, not the parent's.
		{"pulumi-eks components get the AWS provider", c.Providers["aws"] == awsURN(p) &&
			p.Find("eks:index:ManagedNodeGroup")[0].Providers["aws"] == awsURN(p)},
		{"AWS children inherit the component's provider", tags[0].Provider == awsURN(p)},
		{"OIDC provider for IRSA", c.Value("createOidcProvider") == true},
		{"name and version", c.Value("name") == "demo-cluster" && c.Value("version") == "1.35"},
		// pulumi-eks v2's default node group uses a launch configuration and the AL2 AMI.
		{"no default node group", c.Value("skipDefaultNodeGroup") == true && c.Value("desiredCapacity") == nil},
		// pulumi-eks's own CNI manifest is applied with kubectl and predates AL2023.
		{"EKS's VPC CNI, no kubectl", c.Value("useDefaultVpcCni") == true},
		{"default VPC", c.Value("vpcId") == plan.VpcID},
		{"default subnets, all tagged", slices.Equal(subnets, plan.SubnetIDs) && slices.Equal(tagged, plan.SubnetIDs)},
		{"tags", c.Value("tags", "owner") == "me"},
		// Read from the OIDC provider pulumi-eks made, not looked up.
		{"issuer from pulumi-eks", p.Outputs["oidcIssuer"].Value == plan.OIDCIssuer("us-east-1")},
		{"provider ARN from pulumi-eks", p.Outputs["oidcProviderArn"].Value ==
			"arn:aws:iam::123456789012:oidc-provider/"+strings.TrimPrefix(plan.OIDCIssuer("us-east-1"), "https://")},
	}
	for _, ch := range checks {
		if !ch.ok {
			t.Errorf("%s: %v", ch.name, c.Inputs)
		}
	}
	checkNodes(t, p, c)
	providers(t, p)
}

// checkNodes: a managed node group on AL2023 with IMDSv2 (so a launch template), sized as asked,
// whose role carries the node policies and is the cluster's instance role; the add-ons, CoreDNS
// after the nodes.
func checkNodes(t *testing.T, p *plan.Plan, c plan.Resource) {
	t.Helper()
	groups, roles := p.Find("eks:index:ManagedNodeGroup"), p.Find(typetoken.Role)
	if len(groups) != 1 || len(roles) != 1 {
		t.Fatalf("want one managed node group and one role, got %d and %d", len(groups), len(roles))
	}
	ng, role := groups[0], roles[0]
	var policies []string
	for _, a := range p.Find(typetoken.RolePolicyAttachment) {
		policies = append(policies, a.Value("policyArn").(string))
		if !slices.Contains(ng.Dependencies, a.URN) {
			t.Errorf("the node group must wait for %s", a.Name)
		}
	}
	slices.Sort(policies)
	want := []string{"arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly", "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
		"arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"}
	checks := []struct {
		name string
		ok   bool
	}{
		{"AL2023 nodes", ng.Value("amiType") == "AL2023_x86_64_STANDARD"},
		{"IMDSv2 (pulumi-eks's launch template)", ng.Value("enableIMDSv2") == true},
		{"instance type", slices.Equal(toStrings(ng.Value("instanceTypes").([]any)), []string{"t3.medium"})},
		{"size", ng.Value("scalingConfig", "desiredSize") == 2.0 && ng.Value("scalingConfig", "minSize") == 2.0 && ng.Value("scalingConfig", "maxSize") == 3.0},
		{"node policies", slices.Equal(policies, want)},
		{"trusts EC2", strings.Contains(role.Value("assumeRolePolicy").(string), "ec2.amazonaws.com")},
		{"role joins through the cluster's instance roles", slices.Equal(toStrings(c.Value("instanceRoles").([]any)), []string{role.URN})},
	}
	for _, ch := range checks {
		if !ch.ok {
			t.Errorf("%s: %v", ch.name, ng.Inputs)
		}
	}
	var addons []string
	for _, a := range p.Find("aws:eks/addon:Addon") {
		addons = append(addons, a.Value("addonName").(string))
		if a.Value("resolveConflictsOnCreate") != "OVERWRITE" || a.Value("clusterName") != "demo-cluster" {
			t.Errorf("add-on %s: %v", a.Name, a.Inputs)
		}
		if waitsForNodes := slices.Contains(a.Dependencies, ng.URN); waitsForNodes != (a.Value("addonName") == "coredns") {
			t.Errorf("add-on %s waits for the nodes: %v (only CoreDNS runs on them)", a.Name, waitsForNodes)
		}
	}
	slices.Sort(addons)
	if !slices.Equal(addons, []string{"coredns", "kube-proxy", "vpc-cni"}) {
		t.Errorf("add-ons = %v", addons)
	}
}

func TestInvalidArgs(t *testing.T) {
	for name, a := range map[string]*Args{
		"no name":    {Region: "us-east-1"},
		"no region":  {Name: "x"},
		"no nodes":   {Name: "x", Region: "us-east-1", Create: true},
		"one subnet": {Name: "x", Region: "us-east-1", Create: true, New: NewClusterArgs{DesiredNodes: 1, VpcID: "vpc-1", PublicSubnetIDs: []string{"subnet-1"}}},
	} {
		t.Run(name, func(t *testing.T) {
			p, err := plantest.Run(func(ctx *pulumi.Context) (pulumi.Map, error) {
				_, err := NewCluster(ctx, "c", a)
				return nil, err
			})
			if err == nil {
				t.Fatal("want an error")
			}
			if len(p.Find(typetoken.EKSCluster)) != 0 || len(p.Find("pulumi:providers:kubernetes")) != 0 {
				t.Error("nothing may be created from invalid args")
			}
		})
	}
}

func toStrings(in []any) []string {
	out := make([]string, len(in))
	for i, v := range in {
		out[i], _ = v.(string)
	}
	return out
}

// An error the user fixes by setting an argument names it as {Field}, so the stack can call it by
// its config key; each such field must be one of Args' or NewClusterArgs'.
func TestErrorsNameTheArgThatFixesThem(t *testing.T) {
	existing := &Args{Name: "x", Region: "us-east-1", NeedOIDC: true}
	size := NewClusterArgs{KubernetesVersion: "1.35", InstanceType: "t3.medium", AMIType: "AL2023_x86_64_STANDARD", DesiredNodes: 1, MinNodes: 1, MaxNodes: 1}
	created := &Args{Name: "x", Region: "us-east-1", Create: true, New: size}
	oneSubnet := size
	oneSubnet.VpcID, oneSubnet.PublicSubnetIDs = "vpc-1", []string{"subnet-1"}
	tests := []struct {
		name    string
		args    *Args
		failing string
		want    string
	}{
		{"no IAM OIDC provider", existing, typetoken.GetOIDCProvider, "CreateOIDCProvider"},
		{"no default VPC", created, typetoken.GetVpc, "VpcID"},
		{"no default subnets", created, typetoken.GetSubnets, "PublicSubnetIDs"},
		{"one subnet", &Args{Name: "x", Region: "us-east-1", Create: true, New: oneSubnet}, "", "PublicSubnetIDs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := plantest.Options()
			opts.FailingLookups = map[string]string{tt.failing: "couldn't find resource"}
			_, err := plan.Run(opts,
				func(ctx *pulumi.Context) (pulumi.Map, error) {
					aws, err := plantest.AWSProvider(ctx)
					if err != nil {
						return nil, err
					}
					a := *tt.args
					_, err = NewCluster(ctx, "c", &a, pulumi.Provider(aws))
					return nil, err
				})
			if got := fielderr.Fields(err); !slices.Equal(got, []string{tt.want}) {
				t.Fatalf("want an error naming {%s}, got fields %v: %v", tt.want, got, err)
			}
			_, inArgs := reflect.TypeFor[Args]().FieldByName(tt.want)
			_, inNew := reflect.TypeFor[NewClusterArgs]().FieldByName(tt.want)
			if !inArgs && !inNew {
				t.Errorf("%s is not a field of Args or NewClusterArgs", tt.want)
			}
		})
	}
}
