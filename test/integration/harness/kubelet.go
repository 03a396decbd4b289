package harness

import (
	"context"
	"fmt"
	"net/netip"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// Kubelet simulates one node: it binds unscheduled pods to itself, reports them running and
// ready with a pod IP (no container runs), and finishes pod deletions as a kubelet would.
type Kubelet struct {
	client kubernetes.Interface
	node   string
	mu     sync.Mutex
	nextIP netip.Addr
}

// NewKubelet registers the node and returns its simulator; Run makes it act.
func NewKubelet(ctx context.Context, client kubernetes.Interface, node string) (*Kubelet, error) {
	n := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: node, Labels: map[string]string{
			"kubernetes.io/hostname": node, "topology.kubernetes.io/zone": "us-east-1a",
		}},
	}
	n, err := client.CoreV1().Nodes().Create(ctx, n, metav1.CreateOptions{})
	if err != nil {
		return nil, err
	}
	capacity := corev1.ResourceList{
		corev1.ResourceCPU: resource.MustParse("8"), corev1.ResourceMemory: resource.MustParse("32Gi"),
		corev1.ResourcePods: resource.MustParse("110"),
	}
	n.Status = corev1.NodeStatus{
		Capacity: capacity, Allocatable: capacity,
		Conditions: []corev1.NodeCondition{{
			Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady",
			LastHeartbeatTime: metav1.Now(), LastTransitionTime: metav1.Now(),
		}},
		Addresses: []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "10.0.1.10"}},
	}
	if _, err := client.CoreV1().Nodes().UpdateStatus(ctx, n, metav1.UpdateOptions{}); err != nil {
		return nil, err
	}
	return &Kubelet{client: client, node: node, nextIP: netip.MustParseAddr("10.244.0.10")}, nil
}

// Run reconciles every pod until ctx ends. It polls rather than watches: a simulator that is
// simple to restart matters more here than a few hundred milliseconds.
func (k *Kubelet) Run(ctx context.Context) {
	for {
		pods, err := k.client.CoreV1().Pods("").List(ctx, metav1.ListOptions{})
		if err == nil {
			for i := range pods.Items {
				k.reconcile(ctx, &pods.Items[i])
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(250 * time.Millisecond):
		}
	}
}

func (k *Kubelet) reconcile(ctx context.Context, pod *corev1.Pod) {
	pods := k.client.CoreV1().Pods(pod.Namespace)
	switch {
	case pod.DeletionTimestamp != nil:
		zero := int64(0)
		err := pods.Delete(ctx, pod.Name, metav1.DeleteOptions{GracePeriodSeconds: &zero})
		logUnexpected("deleting pod", pod, err)
	case pod.Spec.NodeName == "":
		err := pods.Bind(ctx, &corev1.Binding{
			ObjectMeta: metav1.ObjectMeta{Name: pod.Name, Namespace: pod.Namespace, UID: pod.UID},
			Target:     corev1.ObjectReference{Kind: "Node", Name: k.node},
		}, metav1.CreateOptions{})
		logUnexpected("binding pod", pod, err)
	case pod.Spec.NodeName == k.node && pod.Status.Phase != corev1.PodRunning:
		pod.Status = k.running(pod)
		_, err := pods.UpdateStatus(ctx, pod, metav1.UpdateOptions{})
		logUnexpected("reporting pod", pod, err)
	}
}

// running is the status a kubelet reports once every container has started and is ready.
func (k *Kubelet) running(pod *corev1.Pod) corev1.PodStatus {
	now := metav1.Now()
	st := corev1.PodStatus{
		Phase: corev1.PodRunning, HostIP: "10.0.1.10", PodIP: k.allocateIP(), StartTime: &now,
	}
	st.PodIPs = []corev1.PodIP{{IP: st.PodIP}}
	for _, c := range []corev1.PodConditionType{corev1.PodScheduled, corev1.PodInitialized, corev1.ContainersReady, corev1.PodReady} {
		st.Conditions = append(st.Conditions, corev1.PodCondition{Type: c, Status: corev1.ConditionTrue, LastTransitionTime: now})
	}
	for _, c := range pod.Spec.Containers {
		st.ContainerStatuses = append(st.ContainerStatuses, corev1.ContainerStatus{
			Name: c.Name, Image: c.Image, ImageID: c.Image, Ready: true, Started: new(true),
			State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: now}},
		})
	}
	return st
}

func (k *Kubelet) allocateIP() string {
	k.mu.Lock()
	defer k.mu.Unlock()
	ip := k.nextIP
	k.nextIP = ip.Next()
	return ip.String()
}

// logUnexpected reports errors other than the passing ones the next poll fixes.
func logUnexpected(what string, pod *corev1.Pod, err error) {
	if err != nil && !passing(err) {
		fmt.Printf("kubelet: %s %s/%s: %v\n", what, pod.Namespace, pod.Name, err)
	}
}
