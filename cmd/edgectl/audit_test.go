package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// tagging stands in for the Tagging API: it answers every GetResources with body (an error when
// the body names an error type, as AWS's JSON protocol does).
func tagging(t *testing.T, body string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if strings.Contains(body, "__type") {
			w.WriteHeader(http.StatusBadRequest)
		}
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	return srv.URL
}

func TestAuditCommand(t *testing.T) {
	const alb = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/k8s-mlops-retailap-abc/0123"
	left := `{"ResourceTagMappingList":[{"ResourceARN":"` + alb + `","Tags":[` +
		`{"Key":"elbv2.k8s.aws/cluster","Value":"mlops-retail-cluster"},{"Key":"ingress.k8s.aws/stack","Value":"mlops/retail-api"}]}]}`
	tests := []struct {
		name    string
		body    string
		args    []string
		wantOut string
		wantErr string
	}{
		{"nothing left", `{"ResourceTagMappingList":[]}`, []string{"--cluster", "mlops-retail-cluster", "--region", "us-east-1"},
			"Nothing left", ""},
		{"ALB left", left, []string{"--cluster", "mlops-retail-cluster", "--region", "us-east-1"},
			"aws elbv2 delete-load-balancer --load-balancer-arn " + alb, "1 resources left for cluster mlops-retail-cluster"},
		{"names from the stack", left, []string{"--stack", "prod", "--dir", "../.."},
			"mlops/retail-api", "1 resources left"},
		{"access denied", `{"__type":"AccessDeniedException","Message":"no"}`, []string{"--cluster", "c", "--region", "us-east-1"},
			"", "AccessDeniedException"},
		{"no target", `{}`, []string{}, "", "name the cluster and region"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := tagging(t, tt.body)
			args := append([]string{"audit", "--endpoint-url", url, "--max-attempts", "1"}, tt.args...)
			out, _, err := edgectl(t, args...)
			if !strings.Contains(out, tt.wantOut) {
				t.Errorf("output lacks %q:\n%s", tt.wantOut, out)
			}
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("error = %v, want %q", err, tt.wantErr)
			}
		})
	}
}
