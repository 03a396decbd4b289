// Package stacks turns a stack's configuration into the program: Decode reads and validates the
// typed Config, Deploy wires the components for Option A or B, and Run is what `pulumi up`
// executes. Each config block (block.go) lives in its own file: its fields, defaults, checks and
// what it registers.
package stacks

//go:generate go run ../internal/configref/cmd/configref -o ../docs/configuration.md

// Project is the Pulumi project name and the namespace of this program's config keys.
const Project = "retail-api-edge"

// Config is everything a stack can set, already defaulted and validated. Each field with a JSON
// name is a config block (block.go); the order here is the order they are validated, registered
// and documented in (the domain's hosted zone is looked up before the certificate needs it).
type Config struct {
	Stack      string            `json:"-"`
	Region     string            `json:"-"`           // aws:region
	AWS        AWSSettings       `json:"-"`           // the other aws: settings the AWS provider honours
	Exposure   Exposure          `json:"exposure"`    // exposure.go
	Cluster    ClusterConfig     `json:"cluster"`     // cluster.go
	App        AppConfig         `json:"app"`         // app.go
	Service    ServiceConfig     `json:"service"`     // service.go
	Controller ControllerConfig  `json:"controller"`  // controller.go
	Ingress    IngressConfig     `json:"ingress"`     // ingress.go
	Gateway    GatewayConfig     `json:"gateway"`     // gateway.go
	Routing    RoutingConfig     `json:"routing"`     // routing.go
	Domain     DomainConfig      `json:"domain"`      // domain.go
	TLS        TLSConfig         `json:"tls"`         // tls.go
	WAF        WAFConfig         `json:"waf"`         // waf.go
	AccessLogs AccessLogsConfig  `json:"accessLogs"`  // accesslogs.go
	Alarms     AlarmsConfig      `json:"alarms"`      // alarms.go
	Health     HealthCheckConfig `json:"healthCheck"` // healthcheck.go
	IAM        IAMConfig         `json:"iam"`         // iam.go
	Tags       Tags              `json:"tags"`        // tags.go

	// Warnings are what validation allowed but the user should know (a cost, a risk); the program
	// logs them.
	Warnings []string `json:"-"`
	// set are the keys the stack sets ("waf.rateLimit"), for the check that none is inert.
	set map[string]bool
}

// Defaults is the configuration of a stack that sets nothing: each block's defaults. Maps and
// lists stay empty; Decode fills them in when a stack does not set them (completer).
func Defaults() Config {
	var c Config
	for _, b := range c.blocks() {
		b.value.(block).setDefaults()
	}
	return c
}

// complete fills in the maps and lists the stack did not set.
func (c *Config) complete() {
	for _, b := range c.blocks() {
		if cb, ok := b.value.(completer); ok {
			cb.complete(c)
		}
	}
}
