package accesslogs

import (
	"encoding/json"
	"fmt"
)

// BucketPolicy lets the region's load balancer log delivery write under prefix, and nothing else
// in, and refuses every request that does not use TLS.
func BucketPolicy(partition, bucket, prefix, accountID, elbAccountArn string) string {
	bucketArn := fmt.Sprintf("arn:%s:s3:::%s", partition, bucket)
	logs := fmt.Sprintf("%s/%s/AWSLogs/%s/*", bucketArn, prefix, accountID)
	doc := map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{
			// Regions opened before August 2022 deliver as the regional ELB account...
			map[string]any{
				"Sid": "ELBAccountWritesLogs", "Effect": "Allow",
				"Principal": map[string]any{"AWS": elbAccountArn},
				"Action":    "s3:PutObject", "Resource": logs,
			},
			// ...newer ones as the log delivery service.
			map[string]any{
				"Sid": "LogDeliveryWritesLogs", "Effect": "Allow",
				"Principal": map[string]any{"Service": "logdelivery.elasticloadbalancing.amazonaws.com"},
				"Action":    "s3:PutObject", "Resource": logs,
			},
			map[string]any{
				"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
				"Resource":  []string{bucketArn, bucketArn + "/*"},
				"Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
			},
		},
	}
	b, err := json.Marshal(doc)
	if err != nil {
		panic(err) // strings and maps only
	}
	return string(b)
}
