package doctor

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// The cluster-side checks run against the real API server in test/integration (TestDoctor);
// these cover the decisions that need no cluster.

func TestDeletion(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	at := func(ago time.Duration) *metav1.Time { return &metav1.Time{Time: now.Add(-ago)} }
	meta := func(ts *metav1.Time) metav1.ObjectMeta {
		return metav1.ObjectMeta{Name: "retail-api", Namespace: "mlops", DeletionTimestamp: ts, Finalizers: []string{"ingress.k8s.aws/resources"}}
	}
	if _, stuck := deletion(meta(nil), "Ingress", now); stuck {
		t.Error("an object not being deleted is not stuck")
	}
	for _, tc := range []struct {
		ago  time.Duration
		want Status
	}{{time.Minute, Warn}, {stuckAfter + time.Second, Fail}} {
		r, stuck := deletion(meta(at(tc.ago)), "Ingress", now)
		if !stuck || r.Status != tc.want {
			t.Errorf("deleting for %s: got %v %s, want %s", tc.ago, stuck, r.Status, tc.want)
		}
		for _, s := range []string{"ingress.k8s.aws/resources", "edgectl audit", "kubectl -n mlops patch ingress retail-api"} {
			if !strings.Contains(r.Evidence+r.Fix, s) {
				t.Errorf("deleting for %s: %q / %q does not say %q", tc.ago, r.Evidence, r.Fix, s)
			}
		}
	}
}

func TestFixFor(t *testing.T) {
	d := &diagnosis{Target: prodTarget()}
	for msg, want := range map[string]string{
		"Failed build model due to couldn't auto-discover subnets: unable to resolve at least one subnet":       "kubernetes.io/role/elb=1",
		"Failed deploy model due to AccessDenied: User: x is not authorized to perform: elasticloadbalancing:X": "controller.policyVersion",
		"Failed deploy model due to CertificateNotFound: Certificate 'arn:...' not found":                       "certificate check",
		"Failed deploy model due to WAFNonexistentItemException: WebACL not found":                              "waf check",
		"something new": "kubectl -n mlops describe ingress retail-api",
	} {
		if got := fixFor(msg, d); !strings.Contains(got, want) {
			t.Errorf("fixFor(%q) = %q, want it to say %q", msg, got, want)
		}
	}
}

func TestKubeFailure(t *testing.T) {
	d := &diagnosis{Target: prodTarget()}
	gr := schema.GroupResource{Resource: "services"}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{apierrors.NewUnauthorized("token expired"), "aws eks update-kubeconfig --name mlops-retail-cluster --region us-east-1"},
		{apierrors.NewForbidden(gr, "retail-api-svc", errors.New("no RBAC")), "AmazonEKSViewPolicy"},
		{context.DeadlineExceeded, "reachable from here"},
		{errors.New("dial tcp: connection refused"), "kubeconfig's cluster"},
	} {
		r := kubeFailure(d, tc.err, "reading")
		if r.Status != Fail || !strings.Contains(r.Fix, tc.want) {
			t.Errorf("kubeFailure(%v) = %s %q, want FAIL with %q", tc.err, r.Status, r.Fix, tc.want)
		}
	}
}

func TestEventTime(t *testing.T) {
	base := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	created := metav1.Time{Time: base.Add(time.Hour)}
	for name, tc := range map[string]struct {
		e    corev1.Event
		want time.Time
	}{
		"old recorder: lastTimestamp, not when the object was written": {
			corev1.Event{ObjectMeta: metav1.ObjectMeta{CreationTimestamp: created}, LastTimestamp: metav1.Time{Time: base}}, base},
		"events/v1: eventTime": {corev1.Event{EventTime: metav1.MicroTime{Time: base}}, base},
		"a series: its last observation": {corev1.Event{EventTime: metav1.MicroTime{Time: base},
			Series: &corev1.EventSeries{LastObservedTime: metav1.MicroTime{Time: base.Add(time.Minute)}}}, base.Add(time.Minute)},
		"no time of its own: creation": {corev1.Event{ObjectMeta: metav1.ObjectMeta{CreationTimestamp: created}}, created.Time},
	} {
		if got := eventTime(tc.e); !got.Equal(tc.want) {
			t.Errorf("%s: got %s, want %s", name, got, tc.want)
		}
	}
}

func TestCovers(t *testing.T) {
	for _, tc := range []struct {
		names []string
		host  string
		want  bool
	}{
		{[]string{"api.example.com"}, "API.example.com", true},
		{[]string{"*.example.com"}, "api.example.com", true},
		{[]string{"*.example.com"}, "a.b.example.com", false}, // a wildcard covers one label
		{[]string{"*.example.com"}, "example.com", false},
		{[]string{"www.example.com", "example.com"}, "api.example.com", false},
	} {
		if got := covers(tc.names, tc.host); got != tc.want {
			t.Errorf("covers(%v, %s) = %v, want %v", tc.names, tc.host, got, tc.want)
		}
	}
}

// Every reason code doctor explains has a fix; the states that pass by themselves only warn.
func TestMeanings(t *testing.T) {
	d := &diagnosis{Target: prodTarget()}
	for code, want := range map[string]Status{
		"Elb.RegistrationInProgress": Warn, "Elb.InitialHealthChecking": Warn, "Target.DeregistrationInProgress": Warn,
		"Target.HealthCheckDisabled": Warn, "Elb.InternalError": Warn,
		"Target.ResponseCodeMismatch": Fail, "Target.Timeout": Fail, "Target.FailedHealthChecks": Fail, "Target.NotInUse": Fail,
		"Target.NotRegistered": Fail, "Target.InvalidState": Fail, "Target.IpUnusable": Fail, "Elb.SomethingNew": Fail,
		"draining": Warn, "unhealthy.draining": Warn, "unavailable": Warn, "unused": Warn,
	} {
		m := meaning(code, d)
		if m.fix == "" || m.what == "" || m.status != want {
			t.Errorf("%s: %+v, want status %s with an explanation and a fix", code, m, want)
		}
	}
}

func TestText(t *testing.T) {
	var b bytes.Buffer
	err := Text(&b, []Result{
		{Check: "cluster", Status: OK, Evidence: "answers", Fix: "never shown under ok"},
		{Check: "endpoints", Status: Fail, Evidence: "0 ready", Fix: "kubectl describe pod"},
		{Check: "targets", Status: Skip, Evidence: "needs endpoints"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "ok    cluster    answers\n" +
		"FAIL  endpoints  0 ready\n" +
		"                 fix: kubectl describe pod\n" +
		"skip  targets    needs endpoints\n" +
		"\n3 checks: 1 ok, 0 warn, 1 FAIL, 1 skipped\n"
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

// A check that does not answer within the timeout fails saying so, and the next check still runs.
func TestTimeout(t *testing.T) {
	d := &diagnosis{Target: prodTarget(), env: Env{Timeout: 50 * time.Millisecond}, status: map[string]Status{}}
	hang := check{id: "hang", run: func(ctx context.Context, _ *diagnosis) Result {
		<-ctx.Done()
		return fail("fix it", "%v", ctx.Err())
	}}
	next := check{id: "next", run: func(context.Context, *diagnosis) Result { return ok("ran") }}
	after := check{id: "after", needs: []string{"hang"}, run: func(context.Context, *diagnosis) Result { return ok("ran") }}
	res := d.run(context.Background(), []check{hang, next, after})
	if res[0].Status != Fail || !strings.HasPrefix(res[0].Evidence, "no answer within 50ms") {
		t.Errorf("hang: %+v", res[0])
	}
	if res[1].Status != OK {
		t.Errorf("an independent check did not run: %+v", res[1])
	}
	if res[2].Status != Skip || res[2].Evidence != "needs hang" {
		t.Errorf("a dependent check ran: %+v", res[2])
	}
}
