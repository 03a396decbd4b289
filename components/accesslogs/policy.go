package accesslogs

import (
	"encoding/json"
	"fmt"
	"slices"
)

// logDeliveryService is the principal ALBs deliver access logs as in every region opened since
// August 2022 (and, besides the regional ELB account, in the older ones).
const logDeliveryService = "logdelivery.elasticloadbalancing.amazonaws.com"

// legacyRegions are the regions opened before August 2022: only there do ALBs deliver logs as a
// regional ELB account (which aws:elb/getServiceAccount knows). AWS's list; it does not grow.
var legacyRegions = []string{
	"us-east-1", "us-east-2", "us-west-1", "us-west-2", "af-south-1", "ap-east-1", "ap-south-1",
	"ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2",
	"ap-southeast-3", "ca-central-1", "eu-central-1", "eu-west-1", "eu-west-2", "eu-west-3",
	"eu-south-1", "eu-north-1", "me-south-1", "sa-east-1", "us-gov-west-1", "us-gov-east-1",
	"cn-north-1", "cn-northwest-1",
}

// hasELBAccount says whether a region delivers logs as a regional ELB account.
func hasELBAccount(region string) bool { return slices.Contains(legacyRegions, region) }

// bucketPolicy lets the region's load balancer log delivery write under prefix, and nothing else
// in, and refuses every request that does not use TLS. elbAccountArn is the regional ELB account,
// or "" in a region that has none.
func bucketPolicy(partition, bucket, prefix, accountID, elbAccountArn string) string {
	bucketArn := fmt.Sprintf("arn:%s:s3:::%s", partition, bucket)
	logs := fmt.Sprintf("%s/%s/AWSLogs/%s/*", bucketArn, prefix, accountID)
	writers := []any{map[string]any{
		"Sid": "LogDeliveryWritesLogs", "Effect": "Allow",
		"Principal": map[string]any{"Service": logDeliveryService},
		"Action":    "s3:PutObject", "Resource": logs,
	}}
	if elbAccountArn != "" {
		writers = append([]any{map[string]any{
			"Sid": "ELBAccountWritesLogs", "Effect": "Allow",
			"Principal": map[string]any{"AWS": elbAccountArn},
			"Action":    "s3:PutObject", "Resource": logs,
		}}, writers...)
	}
	doc := map[string]any{
		"Version": "2012-10-17",
		"Statement": append(writers, map[string]any{
			"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
			"Resource":  []string{bucketArn, bucketArn + "/*"},
			"Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
		}),
	}
	b, err := json.Marshal(doc)
	if err != nil {
		panic(err) // strings and maps only
	}
	return string(b)
}
