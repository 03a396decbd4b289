//go:build tools

// Package kube pins the Kubernetes control-plane binaries the integration
// harness builds. k8s.io/kubernetes is not meant to be imported, so its
// staging replaces are mapped to the published k8s.io/* modules here.
package kube

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
)
