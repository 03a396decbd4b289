// Package healthcheck is the load balancer's health check of the app, one type for both
// exposures: components/servicelb renders it as Service annotations (NLB, classic ELB),
// components/albingress as Ingress annotations (ALB).
package healthcheck

// HTTP is an HTTP health check of the app's health path, on the port the load balancer sends
// traffic to.
type HTTP struct {
	Path               string
	IntervalSeconds    int
	TimeoutSeconds     int
	HealthyThreshold   int
	UnhealthyThreshold int
}
