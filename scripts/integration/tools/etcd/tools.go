//go:build tools

// Package etcd pins the etcd server the integration harness runs for its kube-apiserver.
package etcd

import _ "go.etcd.io/etcd/server/v3"
