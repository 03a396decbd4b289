package doctor

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// failureReasons are the event reasons that mean the load balancer is not what the object asks
// for: the controller's (pkg/k8s/events.go) and the in-tree service controller's
// (k8s.io/cloud-provider controllers/service/controller.go).
var failureReasons = []string{"FailedBuildModel", "FailedDeployModel", "FailedAddFinalizer", "FailedRemoveFinalizer",
	"FailedUpdateStatus", "FailedCleanupStatus", "FailedLoadGroupID", "ConflictingIngressClass",
	"SyncLoadBalancerFailed", "UpdateLoadBalancerFailed", "DeleteLoadBalancerFailed", "UnAvailableLoadBalancer"}

// successReasons are the events that say a later reconcile succeeded.
var successReasons = []string{"SuccessfullyReconciled", "EnsuredLoadBalancer", "UpdatedLoadBalancer"}

func checkEvents(ctx context.Context, d *diagnosis) Result {
	objects := [][2]string{{"Service", d.Service}}
	switch {
	case d.Gateway:
		objects = append([][2]string{{"Gateway", d.GatewayName}}, objects...)
	case d.Ingress:
		objects = append([][2]string{{"Ingress", d.IngressName}}, objects...)
	}
	var failing, past []string
	fix := ""
	for _, o := range objects {
		evs, err := events(ctx, d.env.Kube, d.Namespace, o[0], o[1])
		if err != nil {
			return kubeFailure(d, err, "listing the events of "+o[0]+" "+o[1])
		}
		last := lastOf(evs, func(e corev1.Event) bool {
			return slices.Contains(failureReasons, e.Reason) || slices.Contains(successReasons, e.Reason)
		})
		for _, e := range evs {
			if e.Type != corev1.EventTypeWarning {
				continue
			}
			line := fmt.Sprintf("%s %s: %s: %s", o[0], o[1], e.Reason, oneLine(e.Message))
			if last != nil && e.UID == last.UID && slices.Contains(failureReasons, e.Reason) {
				failing = append(failing, line)
				if fix == "" {
					fix = fixFor(e.Message, d)
				}
			} else if !slices.Contains(past, line) {
				past = append(past, line)
			}
		}
	}
	if len(failing) > 0 {
		return fail(fix, "%s", strings.Join(failing, "; "))
	}
	if len(past) > 0 {
		return warn("none needed if the load balancer works now; kubectl -n "+d.Namespace+" get events",
			"earlier warnings, since reconciled: %s", strings.Join(past[:min(len(past), 3)], "; "))
	}
	return ok("no warning events on %s", names(objects))
}

func names(objects [][2]string) string {
	var out []string
	for _, o := range objects {
		out = append(out, o[0]+" "+o[1])
	}
	return strings.Join(out, " or ")
}

// fixFor maps the failure messages users hit most to their fix; the controller's messages are
// from pkg/networking/subnet_resolver.go and pkg/deploy (AWS's error codes in them).
func fixFor(message string, d *diagnosis) string {
	m := strings.ToLower(message)
	switch {
	case strings.Contains(m, "subnet"):
		return "tag public subnets in two zones kubernetes.io/role/elb=1 (or set cluster.publicSubnetIds); see the subnets check"
	case strings.Contains(m, "accessdenied"), strings.Contains(m, "unauthorizedoperation"), strings.Contains(m, "not authorized"):
		return "the controller's IAM role lacks the permission named: pulumi up restores the pinned policy (controller.policyVersion); a role of your own (controller.roleArn) needs the controller's iam_policy.json"
	case strings.Contains(m, "certificate"):
		return "the certificate must be ISSUED in " + d.Region + " and cover the host: see the certificate check (tls, domain.name)"
	case strings.Contains(m, "webacl"), strings.Contains(m, "waf"):
		return "the web ACL must exist in " + d.Region + " (waf.enabled creates it): see the waf check"
	}
	return fmt.Sprintf("kubectl -n %s describe ingress %s; kubectl -n %s describe service %s", d.Namespace, d.IngressName, d.Namespace, d.Service)
}

// events are an object's events, oldest first.
func events(ctx context.Context, k *Kube, namespace, kind, name string) ([]corev1.Event, error) {
	list, err := k.Core.Events(namespace).List(ctx, metav1.ListOptions{
		FieldSelector: "involvedObject.kind=" + kind + ",involvedObject.name=" + name,
	})
	if err != nil {
		return nil, err
	}
	evs := list.Items
	sort.SliceStable(evs, func(i, j int) bool { return eventTime(evs[i]).Before(eventTime(evs[j])) })
	return evs, nil
}

// eventTime is when an event last happened, which its reporter says in one of three places
// (core/v1 Event: lastTimestamp from the old recorder, eventTime and series from events/v1);
// the object's creation time only when it says none.
func eventTime(e corev1.Event) time.Time {
	var t time.Time
	for _, c := range []time.Time{e.LastTimestamp.Time, e.EventTime.Time} {
		if c.After(t) {
			t = c
		}
	}
	if e.Series != nil && e.Series.LastObservedTime.After(t) {
		t = e.Series.LastObservedTime.Time
	}
	if t.IsZero() {
		return e.CreationTimestamp.Time
	}
	return t
}

func lastOf(evs []corev1.Event, match func(corev1.Event) bool) *corev1.Event {
	for i := len(evs) - 1; i >= 0; i-- {
		if match(evs[i]) {
			return &evs[i]
		}
	}
	return nil
}

// lastEvent is an object's latest event that matches, or nil (also when events cannot be read:
// it only adds detail to another check's evidence).
func lastEvent(ctx context.Context, k *Kube, namespace, kind, name string, match func(corev1.Event) bool) *corev1.Event {
	evs, err := events(ctx, k, namespace, kind, name)
	if err != nil {
		return nil
	}
	return lastOf(evs, match)
}

func checkControllerLog(ctx context.Context, d *diagnosis) Result {
	if d.found.autoMode {
		return ok("EKS Auto Mode: the load balancing runs outside the cluster, with no log here")
	}
	if len(d.found.controllerPods) == 0 {
		return skip("no controller pod to read the log of (the controller check says why)")
	}
	var errs []string
	for _, p := range d.found.controllerPods {
		lines, err := errorLines(ctx, d.env.Kube, p, d.LogLines)
		if err != nil {
			return warn(fmt.Sprintf("kubectl -n %s logs %s -c %s", p.Namespace, p.Name, controllerContainer),
				"cannot read the log of %s: %v", p.Name, err)
		}
		for _, l := range lines {
			if !slices.Contains(errs, l) { // the replicas log the same reconcile errors
				errs = append(errs, l)
			}
		}
	}
	if len(errs) == 0 {
		return ok("no error in the last %d log lines of %d controller pods", d.LogLines, len(d.found.controllerPods))
	}
	shown := errs[max(0, len(errs)-3):]
	return warn(fmt.Sprintf("kubectl -n %s logs deployment/%s | grep '\"level\":\"error\"'", d.ControllerNamespace, d.ControllerDeployment),
		"%d distinct errors in the last %d log lines, latest: %s", len(errs), d.LogLines, strings.Join(shown, " | "))
}

// errorLines are the messages of the error-level lines among the last n lines of a controller
// pod's log. The controller logs JSON lines with level, msg and error fields (controller-runtime's
// zap logger out of dev mode: main.go, getLoggerWithLogLevel).
func errorLines(ctx context.Context, k *Kube, p corev1.Pod, n int64) ([]string, error) {
	limit := int64(1 << 20)
	stream, err := k.Core.Pods(p.Namespace).GetLogs(p.Name, &corev1.PodLogOptions{
		Container: controllerContainer, TailLines: &n, LimitBytes: &limit,
	}).Stream(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { _ = stream.Close() }()
	var out []string
	sc := bufio.NewScanner(stream)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var line struct{ Level, Msg, Error string }
		if json.Unmarshal(sc.Bytes(), &line) != nil || line.Level != "error" {
			continue
		}
		text := line.Msg
		if line.Error != "" {
			text += ": " + line.Error
		}
		out = append(out, truncate(text, 300))
	}
	return out, sc.Err()
}

func oneLine(s string) string { return truncate(strings.Join(strings.Fields(s), " "), 400) }

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
