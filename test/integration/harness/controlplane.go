// Package harness runs the real things the integration test needs, all on loopback: etcd,
// kube-apiserver and kube-controller-manager (ControlPlane), simulated nodes that make pods
// ready (Kubelet), a stand-in for the AWS side of load balancers (StandIn) and the Pulumi engine
// through the Automation API (Engine).
package harness

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// ContextName is the kubeconfig context the control plane's kubeconfig defines.
const ContextName = "integration"

// ControlPlane is a running etcd, kube-apiserver and kube-controller-manager.
type ControlPlane struct {
	// Kubeconfig is the path of an admin kubeconfig with context ContextName.
	Kubeconfig string
	// Endpoint is the API server's URL; its serving certificate is in CertFile.
	Endpoint string
	CertFile string
	Client   kubernetes.Interface
	Config   *rest.Config
	procs    []*exec.Cmd
}

// StartControlPlane starts the control plane from the binaries in binDir, keeping its files in
// dir and writing the processes' output to logs. It returns once the API server is ready.
func StartControlPlane(ctx context.Context, binDir, dir string, logs io.Writer) (cp *ControlPlane, err error) {
	cp = &ControlPlane{Kubeconfig: filepath.Join(dir, "kubeconfig")}
	defer func() {
		if err != nil {
			cp.Stop()
		}
	}()
	ports, err := freePorts(3)
	if err != nil {
		return nil, err
	}
	etcdURL, apiURL := "http://127.0.0.1:"+ports[0], "https://127.0.0.1:"+ports[2]
	cp.Endpoint, cp.CertFile = apiURL, filepath.Join(dir, "certs", "apiserver.crt")
	if err := writeFiles(dir, apiURL, cp.Kubeconfig); err != nil {
		return nil, err
	}
	if err := cp.start(binDir, "etcd", logs, etcdArgs(dir, etcdURL, "http://127.0.0.1:"+ports[1])...); err != nil {
		return nil, err
	}
	if err := cp.start(binDir, "kube-apiserver", logs, apiserverArgs(dir, etcdURL, ports[2])...); err != nil {
		return nil, err
	}
	if cp.Config, err = clientcmd.BuildConfigFromFlags("", cp.Kubeconfig); err != nil {
		return nil, err
	}
	if cp.Client, err = kubernetes.NewForConfig(cp.Config); err != nil {
		return nil, err
	}
	if err := cp.waitReady(ctx); err != nil {
		return nil, err
	}
	if err := cp.start(binDir, "kube-controller-manager", logs, controllerManagerArgs(dir, cp.Kubeconfig)...); err != nil {
		return nil, err
	}
	return cp, nil
}

// CAData is the API server's self-signed serving certificate, base64-encoded as EKS reports a
// cluster's certificate authority.
func (cp *ControlPlane) CAData() (string, error) {
	pem, err := os.ReadFile(cp.CertFile)
	return base64.StdEncoding.EncodeToString(pem), err
}

// Stop ends the processes, newest first, and waits for them.
func (cp *ControlPlane) Stop() {
	for i := len(cp.procs) - 1; i >= 0; i-- {
		p := cp.procs[i]
		_ = p.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = p.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = p.Process.Kill()
			<-done
		}
	}
	cp.procs = nil
}

func (cp *ControlPlane) start(binDir, name string, logs io.Writer, args ...string) error {
	cmd := exec.Command(filepath.Join(binDir, name), args...)
	cmd.Stdout, cmd.Stderr = prefixed(logs, name), prefixed(logs, name)
	// Its own process group, so a Ctrl-C to the test is handled by Stop, not delivered twice.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", name, err)
	}
	cp.procs = append(cp.procs, cmd)
	return nil
}

func (cp *ControlPlane) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	var last error
	for {
		body, err := cp.Client.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
		if err == nil {
			return nil
		}
		last = fmt.Errorf("%w: %s", err, body)
		select {
		case <-ctx.Done():
			return fmt.Errorf("kube-apiserver not ready: %w", last)
		case <-time.After(300 * time.Millisecond):
		}
	}
}

func etcdArgs(dir, clientURL, peerURL string) []string {
	return []string{
		"--name=default", "--data-dir=" + filepath.Join(dir, "etcd"),
		"--listen-client-urls=" + clientURL, "--advertise-client-urls=" + clientURL,
		"--listen-peer-urls=" + peerURL, "--initial-advertise-peer-urls=" + peerURL,
		"--initial-cluster=default=" + peerURL, "--log-level=warn",
		// A throwaway cluster: durability only costs time.
		"--unsafe-no-fsync",
	}
}

func apiserverArgs(dir, etcdURL, port string) []string {
	return []string{
		"--etcd-servers=" + etcdURL,
		"--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", "--secure-port=" + port,
		"--cert-dir=" + filepath.Join(dir, "certs"),
		"--token-auth-file=" + filepath.Join(dir, "tokens.csv"),
		"--authorization-mode=RBAC",
		"--service-cluster-ip-range=10.96.0.0/16",
		"--service-account-issuer=https://kubernetes.default.svc",
		"--service-account-key-file=" + filepath.Join(dir, "sa.key"),
		"--service-account-signing-key-file=" + filepath.Join(dir, "sa.key"),
		// Endpoints may not hold loopback addresses; nothing here needs the kubernetes Service.
		"--endpoint-reconciler-type=none",
	}
}

func controllerManagerArgs(dir, kubeconfig string) []string {
	return []string{
		"--kubeconfig=" + kubeconfig, "--leader-elect=false",
		"--bind-address=127.0.0.1", "--secure-port=0",
		// The simulated node sends no heartbeats; node lifecycle would evict its pods.
		"--controllers=*,-nodelifecycle,-nodeipam",
		"--service-account-private-key-file=" + filepath.Join(dir, "sa.key"),
		"--use-service-account-credentials=false",
	}
}

// AdminToken is the static token of the cluster's admin (system:masters).
const AdminToken = "integration-admin-token"

// writeFiles writes the service account key, the static admin token and the kubeconfig.
func writeFiles(dir, apiURL, kubeconfig string) error {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	kc := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: %[1]s
  cluster: {server: %[2]s, insecure-skip-tls-verify: true}
users:
- name: admin
  user: {token: %[3]s}
contexts:
- name: %[1]s
  context: {cluster: %[1]s, user: admin}
current-context: %[1]s
`, ContextName, apiURL, AdminToken)
	return errors.Join(
		os.WriteFile(filepath.Join(dir, "sa.key"), pemKey, 0o600),
		os.WriteFile(filepath.Join(dir, "tokens.csv"), []byte(AdminToken+",admin,admin,system:masters\n"), 0o600),
		os.WriteFile(kubeconfig, []byte(kc), 0o600),
	)
}

// freePorts finds n loopback ports that are free now.
func freePorts(n int) ([]string, error) {
	var ports []string
	var listeners []net.Listener
	defer func() {
		for _, l := range listeners {
			_ = l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		listeners = append(listeners, l)
		ports = append(ports, strconv.Itoa(l.Addr().(*net.TCPAddr).Port))
	}
	return ports, nil
}
