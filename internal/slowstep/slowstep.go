// Package slowstep bounds the program's slow steps (certificate validation, the controller's Helm
// release, the ALB Ingress): a custom timeout, so `pulumi up` and `destroy` stop instead of
// waiting for the provider's default (75 minutes for a certificate), and a status line under the
// resource, while it waits, that says what to check when it takes long.
package slowstep

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Step is one slow step.
type Step struct {
	// Timeout bounds create and update; Delete bounds delete ("" leaves the provider's default).
	Timeout, Delete string
	// Check says what to look at when the step is slow.
	Check string
}

// Option is the resource option that bounds the step.
func (s Step) Option() pulumi.ResourceOption {
	return pulumi.Timeouts(&pulumi.CustomTimeouts{Create: s.Timeout, Update: s.Timeout, Delete: s.Delete})
}

// Announce shows, under res while the engine works on it, how long it may take and what to check.
func (s Step) Announce(ctx *pulumi.Context, res pulumi.Resource) error {
	return ctx.Log.Info(fmt.Sprintf("may take up to %s; if it is slow, %s", s.Timeout, s.Check),
		&pulumi.LogArgs{Resource: res, Ephemeral: true})
}
