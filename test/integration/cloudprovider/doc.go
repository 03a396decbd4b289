// Package cloudprovider feeds the Service the program registers for Option A to the real in-tree
// AWS cloud provider (k8s.io/cloud-provider-aws, EKS's LoadBalancer Service handler) and checks
// what it asks AWS for. AWS itself is stood in for by recorders (fakeaws_test.go); everything
// between the Service and the AWS API calls is the provider's own code. It is a plain `go test`
// of this module (no control plane needed), kept here so the cloud provider and client-go stay out
// of the program's go.mod.
package cloudprovider
