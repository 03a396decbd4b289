package harness

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/mlops-retail/retail-api-edge/components/alarms"
	"github.com/mlops-retail/retail-api-edge/test/integration/awsstandin"
)

// ALBMetrics is what CloudWatch would hold for an ALB the stand-in made, over the last ten
// minutes, with one client request a second. The target group holds what the controller would
// register: the backend Service's ready endpoints only (pkg/backend/endpoint_resolver.go at
// v3.5.0). With none ready the target group reports no host counts, RequestCount is not reported
// ("reported if there are registered targets", ALB CloudWatch metrics), and the ALB answers with
// its own 503s (HTTPCode_ELB_5XX_Count).
func (s *StandIn) ALBMetrics(ctx context.Context, lb LoadBalancer, backend types.NamespacedName) (awsstandin.Metrics, error) {
	suffix, ok := awsstandin.LoadBalancerSuffix(alarms.LoadBalancerName(lb.Hostname))
	if !ok {
		return nil, fmt.Errorf("no ARN suffix for %s", lb.Hostname)
	}
	ready, err := s.ReadyEndpoints(ctx, backend)
	if err != nil {
		return nil, err
	}
	lbDims := map[string]string{"LoadBalancer": suffix}
	tgDims := map[string]string{"LoadBalancer": suffix, "TargetGroup": targetGroupSuffix(lb, backend)}
	series := func(metric string, dims map[string]string, v float64) awsstandin.Datapoints {
		return awsstandin.Datapoints{Series: awsstandin.Series{Namespace: "AWS/ApplicationELB", Metric: metric, Dimensions: dims},
			Values: slices.Repeat([]float64{v}, 10)}
	}
	if ready == 0 {
		return awsstandin.Metrics{series("HTTPCode_ELB_5XX_Count", lbDims, 60)}, nil
	}
	return awsstandin.Metrics{series("HealthyHostCount", tgDims, float64(ready)), series("UnHealthyHostCount", tgDims, 0),
		series("RequestCount", lbDims, 60)}, nil
}

// targetGroupSuffix names the ALB's target group for the backend as the controller's names look
// (targetgroup/k8s-<namespace>-<service>-<hash>/<id>), stable for the load balancer's life.
func targetGroupSuffix(lb LoadBalancer, backend types.NamespacedName) string {
	sum := sha256.Sum256([]byte(string(lb.UID) + "/" + backend.String()))
	name := fmt.Sprintf("k8s-%.8s-%.8s-%s", backend.Namespace, backend.Name, hex.EncodeToString(sum[:5]))
	return "targetgroup/" + name + "/" + hex.EncodeToString(sum[5:13])
}

// ReadyEndpoints counts a Service's ready endpoints, as its EndpointSlices report them.
func (s *StandIn) ReadyEndpoints(ctx context.Context, svc types.NamespacedName) (int, error) {
	list, err := s.client.DiscoveryV1().EndpointSlices(svc.Namespace).List(ctx, metav1.ListOptions{LabelSelector: "kubernetes.io/service-name=" + svc.Name})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, sl := range list.Items {
		for _, e := range sl.Endpoints {
			if e.Conditions.Ready != nil && *e.Conditions.Ready {
				n++
			}
		}
	}
	return n, nil
}
