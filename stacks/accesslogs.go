package stacks

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/mlops-retail/retail-api-edge/components/accesslogs"
	"github.com/mlops-retail/retail-api-edge/components/albingress"
	"github.com/mlops-retail/retail-api-edge/internal/cost"
)

// AccessLogsConfig is the `accessLogs` block: the ALB's access logs in S3.
type AccessLogsConfig struct {
	// The ALB's access logs, in a bucket this stack creates (`retail-api-edge-<stack>-logs-...`)
	// or in `accessLogs.bucket`.
	Enabled bool `json:"enabled"`
	// An existing bucket to log to instead of creating one, named by S3's full rules (3-63
	// characters, no `..`, not an IP address, none of S3's reserved prefixes and suffixes).
	// Default: a new bucket.
	Bucket string `json:"bucket"`
	// The key prefix of the logs: at most 512 of S3's safe characters, no `*` (a wildcard in the
	// bucket policy), no leading or trailing `/`, no `AWSLogs` (the ALB adds it).
	Prefix string `json:"prefix"`
	// How long the new bucket keeps a log, in days, 1-3650.
	RetentionDays int `json:"retentionDays"`
	// `true`: destroy empties and deletes the new bucket. `false`: destroy leaves it whole (with
	// its logs, expiry, encryption and policy) instead of failing on a non-empty bucket halfway;
	// delete it with `aws s3 rb --force s3://BUCKET` when you no longer need the logs.
	EmptyOnDestroy bool `json:"emptyOnDestroy"`
}

var (
	bucketNameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*[a-z0-9]$`)
	// logPrefixRe: S3's safe key characters, without * (a wildcard in the bucket policy's
	// resource) and without , = (the controller's attribute annotation is k=v,...).
	logPrefixRe = regexp.MustCompile(`^[A-Za-z0-9!_.'()-]+(/[A-Za-z0-9!_.'()-]+)*$`)
)

const (
	maxRetentionDays = 3650
	// maxLogPrefix leaves room, within S3's 1024-byte keys, for what the ALB appends.
	maxLogPrefix = 512
)

func (a *AccessLogsConfig) setDefaults() {
	*a = AccessLogsConfig{Prefix: "retail-api", RetentionDays: 30, EmptyOnDestroy: true}
}

func (a *AccessLogsConfig) feature() feature {
	return feature{
		key: "accessLogs.enabled", on: func(c *Config) bool { return c.AccessLogs.Enabled }, needsAWS: true, needsALB: true,
		cost:   func(c *Config, s *cost.Stack) { s.AccessLogs, s.RetentionDays = true, c.AccessLogs.RetentionDays },
		before: newLogBucket,
	}
}

func (a *AccessLogsConfig) validate(_ *Config, v *validator) {
	if a.Bucket != "" {
		if why := bucketNameProblem(a.Bucket); why != "" {
			v.check(false, k("accessLogs.bucket"), "%q is not an S3 bucket name: %s", a.Bucket, why)
		}
	}
	v.check(len(a.Prefix) <= maxLogPrefix && logPrefixRe.MatchString(a.Prefix) && !strings.Contains(a.Prefix, "AWSLogs"), k("accessLogs.prefix"),
		"must be a key prefix of at most %d letters, digits and !_.'()-/ (no * or spaces), without leading or trailing / and without \"AWSLogs\" (the ALB adds it), got %q",
		maxLogPrefix, a.Prefix)
	v.check(a.RetentionDays >= 1 && a.RetentionDays <= maxRetentionDays, k("accessLogs.retentionDays"),
		"must be between 1 and %d, got %d", maxRetentionDays, a.RetentionDays)
}

func (*AccessLogsConfig) inert() []inertRule {
	return []inertRule{
		{
			keys:   []string{"accessLogs.bucket", "accessLogs.prefix", "accessLogs.retentionDays", "accessLogs.emptyOnDestroy"},
			active: func(c *Config) bool { return c.AccessLogs.Enabled },
			needs:  func(*Config) string { return k("accessLogs.enabled") + " true" },
		},
		{
			keys:   []string{"accessLogs.retentionDays", "accessLogs.emptyOnDestroy"},
			active: func(c *Config) bool { return c.AccessLogs.Bucket == "" },
			needs: func(*Config) string {
				return "a bucket this stack creates (remove " + k("accessLogs.bucket") + ": an existing bucket is used as it is)"
			},
		},
	}
}

// bucketNameProblem says why S3 would refuse a general purpose bucket name, or "" when it would
// not, by the full rules of the S3 user guide ("General purpose bucket naming rules",
// docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
func bucketNameProblem(name string) string {
	switch {
	case len(name) < 3 || len(name) > 63:
		return "it must be 3 to 63 characters long"
	case !bucketNameRe.MatchString(name):
		return "it may hold only lower-case letters, digits, dots and hyphens, and must begin and end with a letter or digit"
	case strings.Contains(name, ".."):
		return "it must not have two dots in a row"
	case isIPv4(name):
		return "it must not look like an IP address"
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			return fmt.Sprintf("it must not start with %q (reserved by S3)", p)
		}
	}
	for _, sfx := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, sfx) {
			return fmt.Sprintf("it must not end with %q (reserved by S3)", sfx)
		}
	}
	return ""
}

func isIPv4(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is4()
}

func newLogBucket(ctx *pulumi.Context, cfg *Config, awsProvider pulumi.ProviderResource, e *edge) error {
	who, err := aws.GetCallerIdentity(ctx, &aws.GetCallerIdentityArgs{}, pulumi.Provider(awsProvider))
	if err != nil {
		return err
	}
	l := cfg.AccessLogs
	logs, err := accesslogs.NewBucket(ctx, AppName+"-alb-logs", &accesslogs.Args{
		ExistingBucket: l.Bucket, BucketPrefix: cfg.logBucketPrefix(), Prefix: l.Prefix, RetentionDays: l.RetentionDays, EmptyOnDestroy: l.EmptyOnDestroy,
		Partition: partition(cfg.Region), Region: cfg.Region, AccountID: who.AccountId,
	}, pulumi.Provider(awsProvider))
	if err != nil {
		return err
	}
	e.logs = &albingress.AccessLogs{Bucket: logs.BucketName, Prefix: l.Prefix}
	e.ready = append(e.ready, logs.Ready...)
	e.out["logBucket"] = logs.BucketName
	return nil
}
