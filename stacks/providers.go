package stacks

import (
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/components/cluster"
)

// The program makes its providers explicitly (Pulumi.yaml disables the default ones), and an
// explicit provider reads none of the stack's `aws:` or `kubernetes:` settings: Pulumi hands them
// only to default providers (pulumi docs, "Provider configuration": explicit providers take their
// arguments from the program). So each setting a stack may give is read here and passed on, and
// every other is refused by name instead of being ignored.

// AWSSettings are the `aws:` settings the program's AWS provider honours, besides aws:region. The
// names are pulumi-aws's (sdk/go/aws/config/config.go).
type AWSSettings struct {
	Profile                string         `json:"profile"`
	AllowedAccountIDs      []string       `json:"allowedAccountIds"`
	ForbiddenAccountIDs    []string       `json:"forbiddenAccountIds"`
	AssumeRole             *AWSAssumeRole `json:"assumeRole"`
	SharedConfigFiles      []string       `json:"sharedConfigFiles"`
	SharedCredentialsFiles []string       `json:"sharedCredentialsFiles"`
	MaxRetries             *int           `json:"maxRetries"`
	RetryMode              string         `json:"retryMode"`
	StsRegion              string         `json:"stsRegion"`
}

// AWSAssumeRole is aws:assumeRole: the role the provider, and `aws eks get-token`, assume.
type AWSAssumeRole struct {
	RoleArn     string `json:"roleArn"`
	SessionName string `json:"sessionName"`
	ExternalID  string `json:"externalId"`
	Duration    string `json:"duration"`
}

// refusedAWS says, per `aws:` setting the program does not pass on, what to use instead.
var refusedAWS = map[string]string{
	"defaultTags": "set the tags with " + Project + ":tags (they go on every AWS resource and on the load balancers the controllers make)",
	"accessKey":   "use the AWS credential chain (environment, aws:profile, SSO, an instance role), not keys in the stack",
	"secretKey":   "use the AWS credential chain (environment, aws:profile, SSO, an instance role), not keys in the stack",
	"token":       "use the AWS credential chain (environment, aws:profile, SSO, an instance role), not keys in the stack",
}

// decodeAWS reads the `aws:` settings into s; keys outside AWSSettings are refused.
func decodeAWS(raw map[string]string, s *AWSSettings) []error {
	allowed := jsonFields(s)
	var errs []error
	for _, key := range slices.Sorted(maps.Keys(raw)) {
		name, ours := strings.CutPrefix(key, "aws:")
		if !ours || key == RegionKey {
			continue
		}
		if instead, refused := refusedAWS[name]; refused {
			errs = append(errs, keyErr(key, "is not passed to this program's AWS provider: %s", instead))
			continue
		}
		if !slices.Contains(allowed, name) {
			errs = append(errs, keyErr(key, "is not passed to this program's AWS provider (it makes its own, which reads "+
				"only %s and the settings %s); remove it", RegionKey, strings.Join(prefixed("aws:", allowed), ", ")))
			continue
		}
		if err := decodeAWSValue(key, name, raw[key], s); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// decodeAWSValue decodes one setting the way the engine passes it: strings as they are, numbers as
// their text, lists and objects as JSON.
func decodeAWSValue(key, name, value string, s *AWSSettings) error {
	field := fieldByJSONName(reflect.ValueOf(s).Elem(), name)
	doc := value
	if field.Kind() == reflect.String {
		doc = strconv.Quote(value)
	}
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.DisallowUnknownFields()
	if err := dec.Decode(field.Addr().Interface()); err != nil {
		return keyErr(key, "must be %s: %v", typeName(field.Type()), err)
	}
	return nil
}

func prefixed(prefix string, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = prefix + n
	}
	return out
}

// providerArgs are the AWS provider's arguments: the region, the honoured settings and the tags.
func (c *Config) providerArgs() *aws.ProviderArgs {
	s := c.AWS
	args := &aws.ProviderArgs{
		Region:      pulumi.String(c.Region),
		DefaultTags: aws.ProviderDefaultTagsArgs{Tags: pulumi.ToStringMap(c.Tags)},
	}
	if s.Profile != "" {
		args.Profile = pulumi.String(s.Profile)
	}
	if len(s.AllowedAccountIDs) > 0 {
		args.AllowedAccountIds = pulumi.ToStringArray(s.AllowedAccountIDs)
	}
	if len(s.ForbiddenAccountIDs) > 0 {
		args.ForbiddenAccountIds = pulumi.ToStringArray(s.ForbiddenAccountIDs)
	}
	if r := s.AssumeRole; r != nil {
		args.AssumeRole = aws.ProviderAssumeRoleArgs{
			RoleArn: optional(r.RoleArn), SessionName: optional(r.SessionName),
			ExternalId: optional(r.ExternalID), Duration: optional(r.Duration),
		}
	}
	if len(s.SharedConfigFiles) > 0 {
		args.SharedConfigFiles = pulumi.ToStringArray(s.SharedConfigFiles)
	}
	if len(s.SharedCredentialsFiles) > 0 {
		args.SharedCredentialsFiles = pulumi.ToStringArray(s.SharedCredentialsFiles)
	}
	if s.MaxRetries != nil {
		args.MaxRetries = pulumi.Int(*s.MaxRetries)
	}
	args.RetryMode, args.StsRegion = optional(s.RetryMode), optional(s.StsRegion)
	return args
}

// validate refuses what the kubeconfig's `aws eks get-token` cannot do as the provider does.
func (s AWSSettings) validate(v *validator, c *Config) {
	r := s.AssumeRole
	if r == nil {
		return
	}
	v.check(roleArnRe.MatchString(r.RoleArn), "aws:assumeRole.roleArn", "%q is not an IAM role ARN", r.RoleArn)
	v.check(r.ExternalID == "" || c.Cluster.Kubeconfig != "", "aws:assumeRole.externalId",
		"the cluster is reached with `aws eks get-token --role-arn`, which cannot pass an external ID; "+
			"reach it with %s instead, or assume the role before running pulumi", k("cluster.kubeconfig"))
}

// identity is the principal `aws eks get-token` must act as: the provider's.
func (s AWSSettings) identity() cluster.Identity {
	id := cluster.Identity{Profile: s.Profile}
	if s.AssumeRole != nil {
		id.RoleArn = s.AssumeRole.RoleArn
	}
	return id
}

// optional is nil for "", so an unset setting stays out of the provider's inputs.
func optional(s string) pulumi.StringPtrInput {
	if s == "" {
		return nil
	}
	return pulumi.String(s)
}

// refuseKubernetes refuses `kubernetes:` settings: the program's Kubernetes providers are explicit
// and read none of them.
func refuseKubernetes(raw map[string]string) []error {
	var errs []error
	for _, key := range slices.Sorted(maps.Keys(raw)) {
		if strings.HasPrefix(key, "kubernetes:") {
			errs = append(errs, keyErr(key, "is not read by this program's Kubernetes providers, which it makes itself; "+
				"reach the cluster with %s (and %s), or by the EKS lookup of %s", k("cluster.kubeconfig"), k("cluster.context"), k("cluster.name")))
		}
	}
	return errs
}
