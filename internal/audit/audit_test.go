package audit

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	rgt "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
)

const (
	alb = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/k8s-mlops-retailap-abc/0123"
	tg  = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/k8s-mlops-retailap-abc/4567"
	sg  = "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0123456789abcdef0"
	clb = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/a0123456789abcdef"
	// other is another team's ALB in the same cluster: not ours to report.
	other = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/k8s-other-web-def/89ab"
)

type mapping struct {
	ResourceARN string
	Tags        []map[string]string
}

func tagged(arn string, kv ...string) mapping {
	m := mapping{ResourceARN: arn}
	for i := 0; i+1 < len(kv); i += 2 {
		m.Tags = append(m.Tags, map[string]string{"Key": kv[i], "Value": kv[i+1]})
	}
	return m
}

// server answers GetResources like the Tagging API: by the request's tag filter; or with an error.
func server(t *testing.T, resources []mapping, errType string) *rgt.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if got := r.Header.Get("X-Amz-Target"); got != "ResourceGroupsTaggingAPI_20170126.GetResources" {
			t.Errorf("unexpected call %s", got)
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if errType != "" {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"__type":"`+errType+`","Message":"from the test server"}`)
			return
		}
		var in struct {
			TagFilters []struct {
				Key    string
				Values []string
			}
		}
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &in)
		var out []mapping
		for _, m := range resources {
			for _, tg := range m.Tags {
				if tg["Key"] == in.TagFilters[0].Key && tg["Value"] == in.TagFilters[0].Values[0] {
					out = append(out, m)
				}
			}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"ResourceTagMappingList": out, "PaginationToken": ""})
	}))
	t.Cleanup(srv.Close)
	return rgt.New(rgt.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
	})
}

var target = Target{Cluster: "mlops-retail-cluster", Namespace: "mlops", Service: "retail-api-svc", Ingress: "retail-api", Gateway: "retail-api-gw"}

func TestFind(t *testing.T) {
	lbc := func(arn, stackKey, stack string) mapping {
		return tagged(arn, LBCClusterTag, "mlops-retail-cluster", stackKey, stack)
	}
	tests := []struct {
		name      string
		resources []mapping
		want      []string // ARNs in deletion order
	}{
		{"nothing left", nil, nil},
		{"ALB and its target group and security group left", []mapping{
			lbc(sg, LBCIngressStack, "mlops/retail-api"), lbc(tg, LBCIngressStack, "mlops/retail-api"), lbc(alb, LBCIngressStack, "mlops/retail-api"),
		}, []string{alb, tg, sg}},
		{"security group left alone", []mapping{lbc(sg, LBCServiceStack, "mlops/retail-api-svc")}, []string{sg}},
		{"in-tree classic ELB left", []mapping{tagged(clb, InTreeServiceTag, "mlops/retail-api-svc")}, []string{clb}},
		{"other apps' load balancers are not ours", []mapping{lbc(other, LBCIngressStack, "other/web")}, nil},
		{"the Gateway's ALB left (Option C)", []mapping{lbc(tg, LBCGatewayStack, "mlops/retail-api-gw"), lbc(alb, LBCGatewayStack, "mlops/retail-api-gw")},
			[]string{alb, tg}},
		{"another Gateway's ALB is not ours", []mapping{lbc(alb, LBCGatewayStack, "mlops/other-gw")}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Find(context.Background(), server(t, tt.resources, ""), target)
			if err != nil {
				t.Fatal(err)
			}
			var arns []string
			for _, l := range got {
				arns = append(arns, l.ARN)
				if !strings.Contains(l.Delete, "aws ") {
					t.Errorf("no delete command for %s", l.ARN)
				}
			}
			if strings.Join(arns, ",") != strings.Join(tt.want, ",") {
				t.Errorf("got %v, want %v", arns, tt.want)
			}
		})
	}
}

func TestFindAllReportsOtherApps(t *testing.T) {
	all := target
	all.All = true
	got, err := Find(context.Background(), server(t, []mapping{tagged(other, LBCClusterTag, "mlops-retail-cluster", LBCIngressStack, "other/web")}, ""), all)
	if err != nil || len(got) != 1 {
		t.Fatalf("--all must report every load balancer of the cluster: %v %v", got, err)
	}
}

func TestAPIErrors(t *testing.T) {
	for _, errType := range []string{"AccessDeniedException", "ThrottledException"} {
		t.Run(errType, func(t *testing.T) {
			_, err := Find(context.Background(), server(t, nil, errType), target)
			if err == nil || !strings.Contains(err.Error(), errType) || !strings.Contains(err.Error(), LBCClusterTag) {
				t.Fatalf("want the API error with what was being listed, got %v", err)
			}
		})
	}
}

func TestDeleteCommands(t *testing.T) {
	tests := map[string]string{
		alb: "aws elbv2 delete-load-balancer --load-balancer-arn " + alb,
		tg:  "aws elbv2 delete-target-group --target-group-arn " + tg,
		sg:  "aws ec2 delete-security-group --group-id sg-0123456789abcdef0",
		clb: "aws elb delete-load-balancer --load-balancer-name a0123456789abcdef",
		"arn:aws:elasticloadbalancing:us-east-1:1:listener/app/x/1/2":        "aws elbv2 delete-listener --listener-arn arn:aws:elasticloadbalancing:us-east-1:1:listener/app/x/1/2",
		"arn:aws:elasticloadbalancing:us-east-1:1:listener-rule/app/x/1/2/3": "aws elbv2 delete-rule --rule-arn arn:aws:elasticloadbalancing:us-east-1:1:listener-rule/app/x/1/2/3",
	}
	for arn, want := range tests {
		if _, got := deletion(arn); got != want {
			t.Errorf("%s: got %q, want %q", arn, got, want)
		}
	}
}
