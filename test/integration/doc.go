// Package integration is the integration test of the program's Kubernetes half: the real Pulumi
// engine and Kubernetes provider against a real kube-apiserver, with AWS played by a stand-in.
// Its tests carry the build tag `integration`; run them with scripts/integration/run.
package integration
