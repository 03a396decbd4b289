package awsstandin

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/mlops-retail/retail-api-edge/internal/typetoken"
)

// kind is what the stand-in knows of one pulumi-aws resource type: which input changes replace the
// object (the provider schema's ForceNew), what AWS rejects, and what AWS assigns.
type kind struct {
	// replaceOn are the inputs whose change replaces the object.
	replaceOn []string
	// autoname is the input the provider fills from the logical name when it is not set.
	autoname string
	// check returns what AWS would reject in these (known) inputs, one message per problem.
	check func(in map[string]any) []string
	// create checks the object against the live ones (what exists, what conflicts) and returns
	// its ID and the outputs AWS assigns.
	create func(c *createContext) (string, map[string]any, error)
	// untagged types take no tags, so they report no tagsAll (the provider's default tags).
	untagged bool
}

// createContext is what creating one object sees.
type createContext struct {
	in     map[string]any
	name   string // logical name
	region string
	world  World
	ledger *Ledger
}

var (
	iamNameRe   = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	policyRe    = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)
	roleArnRe   = regexp.MustCompile(`^arn:aws[\w-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$`)
	wafNameRe   = regexp.MustCompile(`^[\w-]{1,128}$`)
	metricRe    = regexp.MustCompile(`^[\w#:.\-/]{1,255}$`)
	bucketRe    = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	dnsLabelsRe = regexp.MustCompile(`^(\*\.)?([a-z0-9_]([a-z0-9-_]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.?$`)
)

// kinds are the resource types this program creates.
var kinds = map[string]kind{
	typetoken.Role: {
		replaceOn: []string{"name", "namePrefix", "path"}, autoname: "name",
		check: func(in map[string]any) []string {
			return problems(
				!iamNameRe.MatchString(str(in, "name")), "ValidationError: role name must match [\\w+=,.@-]{1,64}",
				!policyDoc(str(in, "assumeRolePolicy")), "MalformedPolicyDocument: assumeRolePolicy is not a policy document",
				len(str(in, "description")) > 1000, "ValidationError: description is longer than 1000 characters")
		},
		create: func(c *createContext) (string, map[string]any, error) {
			name := str(c.in, "name")
			if c.ledger.find(typetoken.Role, func(o Object) bool { return str(o.Props, "name") == name }) != nil {
				return "", nil, fmt.Errorf("EntityAlreadyExists: Role with name %s already exists", name)
			}
			return name, map[string]any{"arn": c.arn("iam", "", "role/"+name), "uniqueId": "AROA" + token(8)}, nil
		},
	},
	typetoken.Policy: {
		replaceOn: []string{"name", "namePrefix", "path"}, autoname: "name",
		check: func(in map[string]any) []string {
			compact := strings.Join(strings.Fields(str(in, "policy")), "")
			return problems(
				!policyRe.MatchString(str(in, "name")), "ValidationError: policy name must match [\\w+=,.@-]{1,128}",
				!policyDoc(str(in, "policy")), "MalformedPolicyDocument: policy is not a policy document",
				len(compact) > 6144, fmt.Sprintf("LimitExceeded: policy is %d characters, the limit is 6144", len(compact)))
		},
		create: func(c *createContext) (string, map[string]any, error) {
			arn := c.arn("iam", "", "policy/"+str(c.in, "name"))
			return arn, map[string]any{"arn": arn, "policyId": "ANPA" + token(8)}, nil
		},
	},
	typetoken.RolePolicyAttachment: {
		untagged:  true,
		replaceOn: []string{"role", "policyArn"},
		create: func(c *createContext) (string, map[string]any, error) {
			role, arn := str(c.in, "role"), str(c.in, "policyArn")
			if c.ledger.find(typetoken.Role, func(o Object) bool { return str(o.Props, "name") == role }) == nil {
				return "", nil, fmt.Errorf("NoSuchEntity: the role with name %s cannot be found", role)
			}
			if c.ledger.find(typetoken.Policy, func(o Object) bool { return o.ID == arn }) == nil && !strings.Contains(arn, ":aws:policy/") {
				return "", nil, fmt.Errorf("NoSuchEntity: policy %s does not exist or is not attachable", arn)
			}
			return role + "-" + token(8), nil, nil
		},
	},
	typetoken.OIDCProvider: {
		replaceOn: []string{"url"},
		check: func(in map[string]any) []string {
			return problems(!strings.HasPrefix(str(in, "url"), "https://"), "ValidationError: url must begin with https://",
				len(list(in, "clientIdLists")) == 0, "ValidationError: clientIdLists must name at least one audience")
		},
		create: func(c *createContext) (string, map[string]any, error) {
			url := str(c.in, "url")
			if c.world.hasOIDC(url) || c.ledger.oidc(url) != nil {
				return "", nil, fmt.Errorf("EntityAlreadyExists: Provider with url %s already exists", url)
			}
			arn := c.arn("iam", "", "oidc-provider/"+strings.TrimPrefix(url, "https://"))
			return arn, map[string]any{"arn": arn}, nil
		},
	},
	typetoken.Certificate: {
		replaceOn: []string{"domainName", "subjectAlternativeNames", "validationMethod", "keyAlgorithm"},
		check: func(in map[string]any) []string {
			var out []string
			domain := str(in, "domainName")
			out = append(out, problems(len(domain) > 64, "ValidationException: the first domain name can be at most 64 characters",
				len(list(in, "subjectAlternativeNames")) > 9, "LimitExceededException: at most 10 domain names per certificate",
				str(in, "validationMethod") != "DNS" && str(in, "validationMethod") != "EMAIL", "ValidationException: validationMethod must be DNS or EMAIL")...)
			for _, n := range append([]string{domain}, strs(list(in, "subjectAlternativeNames"))...) {
				if len(n) > 253 || !dnsLabelsRe.MatchString(n) {
					out = append(out, fmt.Sprintf("ValidationException: %q is not a valid domain name", n))
				}
			}
			return out
		},
		create: func(c *createContext) (string, map[string]any, error) {
			arn := c.arn("acm", c.region, "certificate/"+token(16))
			var options []any
			seen := map[string]bool{}
			for _, n := range append([]string{str(c.in, "domainName")}, strs(list(c.in, "subjectAlternativeNames"))...) {
				base := strings.TrimPrefix(n, "*.")
				if seen[base] {
					continue
				}
				seen[base] = true
				options = append(options, map[string]any{
					"domainName": n, "resourceRecordName": "_" + hash(base) + "." + base + ".",
					"resourceRecordType": "CNAME", "resourceRecordValue": "_" + hash(arn+base) + ".acm-validations.aws.",
				})
			}
			return arn, map[string]any{"arn": arn, "domainValidationOptions": options, "status": "PENDING_VALIDATION"}, nil
		},
	},
	typetoken.CertificateValidation: {
		untagged:  true,
		replaceOn: []string{"certificateArn", "validationRecordFqdns"},
		create:    createValidation,
	},
	typetoken.Record: {
		untagged:  true,
		replaceOn: []string{"zoneId", "name", "type", "setIdentifier"},
		check: func(in map[string]any) []string {
			aliases, records := list(in, "aliases"), list(in, "records")
			return problems(
				!slices.Contains([]string{"A", "AAAA", "CNAME", "TXT", "MX", "NS", "CAA"}, str(in, "type")), "InvalidInput: unsupported record type "+str(in, "type"),
				len(str(in, "name")) > 255 || !dnsLabelsRe.MatchString(strings.ToLower(str(in, "name"))), fmt.Sprintf("InvalidInput: %q is not a valid record name", str(in, "name")),
				(len(aliases) > 0) == (len(records) > 0), "InvalidInput: a record has either records or an alias",
				len(records) > 0 && in["ttl"] == nil, "InvalidInput: a record with records needs a ttl")
		},
		create: createRecord,
	},
	typetoken.WebACL: {
		replaceOn: []string{"name", "scope"},
		check:     checkWebACL,
		create: func(c *createContext) (string, map[string]any, error) {
			id := token(8) + "-" + token(4) + "-" + token(4)
			arn := c.arn("wafv2", c.region, "regional/webacl/"+str(c.in, "name")+"/"+id)
			return id, map[string]any{"arn": arn, "capacity": 1000, "lockToken": token(8)}, nil
		},
	},
	typetoken.MetricAlarm: {
		replaceOn: []string{"name"}, autoname: "name",
		check: checkMetricAlarm,
		create: func(c *createContext) (string, map[string]any, error) {
			name := str(c.in, "name")
			return name, map[string]any{"arn": c.arn("cloudwatch", c.region, "alarm:"+name)}, nil
		},
	},
	typetoken.Topic: {
		replaceOn: []string{"name", "namePrefix", "fifoTopic"}, autoname: "name",
		create: func(c *createContext) (string, map[string]any, error) {
			arn := c.arn("sns", c.region, str(c.in, "name"))
			return arn, map[string]any{"arn": arn}, nil
		},
	},
	typetoken.Bucket: {
		replaceOn: []string{"bucket", "bucketPrefix"},
		check: func(in map[string]any) []string {
			return problems(len(str(in, "bucketPrefix")) > 37, "InvalidBucketName: bucketPrefix can be at most 37 characters",
				str(in, "bucket") != "" && !bucketRe.MatchString(str(in, "bucket")), "InvalidBucketName: "+str(in, "bucket"))
		},
		create: func(c *createContext) (string, map[string]any, error) {
			name := str(c.in, "bucket")
			if name == "" {
				name = str(c.in, "bucketPrefix") + token(13)
			}
			if !bucketRe.MatchString(name) {
				return "", nil, fmt.Errorf("InvalidBucketName: %s", name)
			}
			return name, map[string]any{"bucket": name, "arn": "arn:aws:s3:::" + name, "region": c.region,
				"bucketDomainName": name + ".s3.amazonaws.com"}, nil
		},
	},
	typetoken.PublicAccessBlock: bucketSetting(nil),
	typetoken.OwnershipControls: bucketSetting(func(in map[string]any) []string {
		own := str(obj(in, "rule"), "objectOwnership")
		return problems(!slices.Contains([]string{"BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter"}, own),
			"InvalidArgument: objectOwnership "+own)
	}),
	typetoken.Encryption: bucketSetting(func(in map[string]any) []string {
		var out []string
		for _, r := range list(in, "rules") {
			alg := str(obj(asMap(r), "applyServerSideEncryptionByDefault"), "sseAlgorithm")
			out = append(out, problems(!slices.Contains([]string{"AES256", "aws:kms", "aws:kms:dsse"}, alg), "MalformedXML: sseAlgorithm "+alg)...)
		}
		return out
	}),
	typetoken.Lifecycle: bucketSetting(func(in map[string]any) []string {
		var out []string
		for _, r := range list(in, "rules") {
			rule := asMap(r)
			days, _ := obj(rule, "expiration")["days"].(float64)
			out = append(out, problems(len(str(rule, "id")) > 255, "InvalidArgument: rule id is longer than 255 characters",
				!slices.Contains([]string{"Enabled", "Disabled"}, str(rule, "status")), "MalformedXML: status "+str(rule, "status"),
				obj(rule, "expiration") != nil && days < 1, "InvalidArgument: expiration days must be a positive integer")...)
		}
		return out
	}),
	typetoken.BucketPolicy: bucketSetting(func(in map[string]any) []string {
		doc := str(in, "policy")
		return problems(!policyDoc(doc), "MalformedPolicy: policy is not a policy document",
			policyDoc(doc) && !strings.Contains(doc, "arn:aws:s3:::"+str(in, "bucket")), "MalformedPolicy: Policy has invalid resource")
	}),
	typetoken.EKSAddon:               addonKind,
	typetoken.PodIdentityAssociation: podIdentityAssociationKind,
	typetoken.Tag: {
		untagged:  true,
		replaceOn: []string{"resourceId", "key"},
		create: func(c *createContext) (string, map[string]any, error) {
			return str(c.in, "resourceId") + "," + str(c.in, "key"), nil, nil
		},
	},
}

// bucketSetting is one of a bucket's configuration resources: it needs the bucket, and a new
// bucket replaces it.
func bucketSetting(check func(map[string]any) []string) kind {
	return kind{
		replaceOn: []string{"bucket", "expectedBucketOwner"},
		check:     check,
		untagged:  true,
		create: func(c *createContext) (string, map[string]any, error) {
			bucket := str(c.in, "bucket")
			if c.ledger.find(typetoken.Bucket, func(o Object) bool { return o.ID == bucket }) == nil {
				return "", nil, fmt.Errorf("NoSuchBucket: the specified bucket %s does not exist", bucket)
			}
			return bucket, nil, nil
		},
	}
}

func (c *createContext) arn(service, region, resource string) string {
	return fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, region, c.world.Account, resource)
}

func (w World) hasOIDC(url string) bool { return slices.Contains(w.OIDCProviders, url) }

func (l *Ledger) find(typ string, match func(Object) bool) *Object {
	for _, o := range l.Objects {
		if o.Type == typ && match(o) {
			return &o
		}
	}
	return nil
}

func (l *Ledger) oidc(url string) *Object {
	return l.find(typetoken.OIDCProvider, func(o Object) bool { return str(o.Props, "url") == url })
}

func policyDoc(doc string) bool {
	var p struct {
		Version   string `json:"Version"`
		Statement []any  `json:"Statement"`
	}
	return json.Unmarshal([]byte(doc), &p) == nil && p.Version == "2012-10-17" && len(p.Statement) > 0
}

// problems returns the messages whose condition holds; args alternate condition and message.
func problems(args ...any) []string {
	var out []string
	for i := 0; i+1 < len(args); i += 2 {
		if bad, _ := args[i].(bool); bad {
			out = append(out, args[i+1].(string))
		}
	}
	return out
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

func list(m map[string]any, k string) []any {
	l, _ := m[k].([]any)
	return l
}

func obj(m map[string]any, k string) map[string]any { return asMap(m[k]) }

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func strs(l []any) []string {
	out := make([]string, 0, len(l))
	for _, v := range l {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func token(n int) string {
	b := make([]byte, (n+1)/2)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)[:n]
}

func hash(s string) string {
	h := uint32(2166136261)
	for _, c := range []byte(s) {
		h = (h ^ uint32(c)) * 16777619
	}
	return fmt.Sprintf("%08x", h)
}

var comparisons = []string{"GreaterThanThreshold", "GreaterThanOrEqualToThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"}

// checkMetricAlarm is what PutMetricAlarm rejects: a metric math or Metrics Insights alarm needs
// exactly one query that returns data, each query either a metric or an expression, and no more
// datapoints to alarm than periods evaluated.
func checkMetricAlarm(in map[string]any) []string {
	queries, returning := list(in, "metricQueries"), 0
	var out []string
	for _, q := range queries {
		m := asMap(q)
		if m["returnData"] == true {
			returning++
		}
		hasMetric, hasExpr := obj(m, "metric") != nil, str(m, "expression") != ""
		out = append(out, problems(hasMetric == hasExpr, "ValidationError: each metric query has either a metric or an expression")...)
	}
	periods, _ := in["evaluationPeriods"].(float64)
	points, ok := in["datapointsToAlarm"].(float64)
	return append(out, problems(
		len(queries) > 0 && returning != 1, "ValidationError: exactly one metric query must return data",
		len(queries) == 0 && str(in, "metricName") == "", "ValidationError: a metric or metric queries are required",
		!slices.Contains(comparisons, str(in, "comparisonOperator")), "ValidationError: comparisonOperator "+str(in, "comparisonOperator"),
		periods < 1, "ValidationError: evaluationPeriods must be at least 1",
		ok && points > periods, "ValidationError: datapointsToAlarm cannot exceed evaluationPeriods")...)
}
