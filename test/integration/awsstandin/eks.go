package awsstandin

import (
	"fmt"
	"slices"
	"time"

	"github.com/mlops-retail/retail-api-edge/internal/typetoken"
)

// EKS add-ons and Pod Identity associations, as terraform-provider-aws (which pulumi-aws v6
// wraps) makes them: internal/service/eks/addon.go (schema: addon_name, cluster_name and
// namespace_config ForceNew, the rest updated by UpdateAddon; ID "<cluster>:<addon>", the
// addonResourceIDSeparator) and internal/service/eks/pod_identity_association.go (cluster_name,
// namespace and service_account RequiresReplace, role_arn updated by
// UpdatePodIdentityAssociation; ID the association ID; association_arn and association_id
// computed).

var addonKind = kind{
	replaceOn: []string{"addonName", "clusterName", "namespaceConfig"},
	check: func(in map[string]any) []string {
		onCreate, onUpdate := str(in, "resolveConflictsOnCreate"), str(in, "resolveConflictsOnUpdate")
		// addon.go: resolve_conflicts_on_create is NONE or OVERWRITE (PRESERVE only on update).
		return problems(
			str(in, "addonName") == "", "ValidationError: addonName must not be empty",
			onCreate != "" && !slices.Contains([]string{"NONE", "OVERWRITE"}, onCreate), "ValidationError: resolveConflictsOnCreate "+onCreate,
			onUpdate != "" && !slices.Contains([]string{"NONE", "OVERWRITE", "PRESERVE"}, onUpdate), "ValidationError: resolveConflictsOnUpdate "+onUpdate)
	},
	create: func(c *createContext) (string, map[string]any, error) {
		cluster, name := str(c.in, "clusterName"), str(c.in, "addonName")
		if _, ok := c.world.Clusters[cluster]; !ok {
			return "", nil, fmt.Errorf("ResourceNotFoundException: No cluster found for name: %s", cluster)
		}
		if c.world.hasAddon(cluster, name) || c.ledger.addon(cluster, name) != nil {
			return "", nil, fmt.Errorf("ResourceInUseException: Addon already exists: %s on cluster %s", name, cluster)
		}
		return cluster + ":" + name, addonOutputs(c.world, c.region, cluster, name, c.in), nil
	},
}

var podIdentityAssociationKind = kind{
	replaceOn: []string{"clusterName", "namespace", "serviceAccount"},
	check: func(in map[string]any) []string {
		return problems(str(in, "namespace") == "", "InvalidParameterException: namespace must not be empty",
			str(in, "serviceAccount") == "", "InvalidParameterException: serviceAccount must not be empty",
			!roleArnRe.MatchString(str(in, "roleArn")), fmt.Sprintf("ValidationError: roleArn %q is not an IAM role ARN", str(in, "roleArn")))
	},
	create: func(c *createContext) (string, map[string]any, error) {
		cluster, ns, sa, role := str(c.in, "clusterName"), str(c.in, "namespace"), str(c.in, "serviceAccount"), str(c.in, "roleArn")
		if _, ok := c.world.Clusters[cluster]; !ok {
			return "", nil, fmt.Errorf("ResourceNotFoundException: No cluster found for name: %s", cluster)
		}
		// The provider retries this one for the IAM propagation timeout, then fails with it.
		if c.ledger.find(typetoken.Role, func(o Object) bool { return str(o.Props, "arn") == role }) == nil {
			return "", nil, fmt.Errorf("InvalidParameterException: Role provided in the request does not exist (%s)", role)
		}
		// EKS keeps one association per cluster, namespace and service account.
		if o := c.ledger.find(typetoken.PodIdentityAssociation, func(o Object) bool {
			return str(o.Props, "clusterName") == cluster && str(o.Props, "namespace") == ns && str(o.Props, "serviceAccount") == sa
		}); o != nil {
			return "", nil, fmt.Errorf("ResourceInUseException: Association already exists: %s for %s/%s in cluster %s", o.ID, ns, sa, cluster)
		}
		id := "a-" + token(17)
		// The ARN's form is the one addon.go's flattenAddonPodIdentityAssociations parses.
		arn := c.arn("eks", c.region, "podidentityassociation/"+cluster+"/"+id)
		return id, map[string]any{"associationId": id, "associationArn": arn}, nil
	},
}

// addonOutputs are what DescribeAddon reports of an add-on.
func addonOutputs(w World, region, cluster, name string, in map[string]any) map[string]any {
	version := str(in, "addonVersion")
	if version == "" {
		version = "v1.3.8-eksbuild.2" // without one, EKS installs the cluster's default version
	}
	now := time.Now().UTC().Format(time.RFC3339)
	return map[string]any{
		"arn":          fmt.Sprintf("arn:aws:eks:%s:%s:addon/%s/%s/%s", region, w.Account, cluster, name, token(8)),
		"addonVersion": version, "configurationValues": str(in, "configurationValues"),
		"createdAt": now, "modifiedAt": now,
	}
}

// getAddon answers aws:eks/getAddon from the add-ons the world's clusters have and those stacks
// made. DescribeAddon's ResourceNotFoundException (no such add-on, or no such cluster) becomes the
// provider's not-found error: addon_data_source.go wraps findAddonByTwoPartKey's
// retry.NotFoundError, whose text is "couldn't find resource" (internal/retry).
func getAddon(w World, l Ledger, region string, args map[string]any) (map[string]any, error) {
	cluster, name := str(args, "clusterName"), str(args, "addonName")
	id := cluster + ":" + name
	var props map[string]any
	switch o := l.addon(cluster, name); {
	case o != nil:
		props = o.Props
	case w.hasAddon(cluster, name):
		props = addonOutputs(w, region, cluster, name, nil)
	default:
		return nil, fmt.Errorf("reading EKS Add-On (%s): couldn't find resource", id)
	}
	return map[string]any{
		"id": id, "clusterName": cluster, "addonName": name, "arn": props["arn"], "addonVersion": props["addonVersion"],
		"configurationValues": props["configurationValues"], "createdAt": props["createdAt"], "modifiedAt": props["modifiedAt"],
		"serviceAccountRoleArn": str(props, "serviceAccountRoleArn"), "podIdentityAssociations": []any{}, "tags": map[string]any{},
	}, nil
}

func (w World) hasAddon(cluster, name string) bool {
	c, ok := w.Clusters[cluster]
	return ok && slices.Contains(c.Addons, name)
}

func (l *Ledger) addon(cluster, name string) *Object {
	return l.find(typetoken.EKSAddon, func(o Object) bool {
		return str(o.Props, "clusterName") == cluster && str(o.Props, "addonName") == name
	})
}
