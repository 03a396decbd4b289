// Package dnsalias points the API's domain at its ALB with Route53 alias records: A, and AAAA when
// the ALB is dual-stack. Alias records cost nothing per query and follow the ALB's changing IPs.
//
// Inputs (Args): hosted zone ID, record name, the ALB's hostname and its canonical hosted zone.
// Outputs: Fqdn.
// Creates: `aws:route53/record:Record` (A, and AAAA with IPv6).
package dnsalias

import (
	"errors"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// TypeToken is the component's type, fixed for life.
const TypeToken = "retail-api-edge:dnsalias:Alias"

// Args describe the alias.
type Args struct {
	ZoneID string
	Name   string
	// Target is the ALB's DNS name (from the Ingress status), TargetZoneID its canonical zone.
	Target       pulumi.StringInput
	TargetZoneID string
	IPv6         bool
}

// Alias is the component.
type Alias struct {
	pulumi.ResourceState

	Fqdn pulumi.StringOutput `pulumi:"fqdn"`
}

// NewAlias registers the alias records. Pass the AWS provider in opts; the records inherit it.
func NewAlias(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Alias, error) {
	if args == nil || args.ZoneID == "" || args.Name == "" || args.Target == nil || args.TargetZoneID == "" {
		return nil, errors.New("dnsalias: ZoneID, Name, Target and TargetZoneID are required")
	}
	a := &Alias{}
	if err := ctx.RegisterComponentResource(TypeToken, name, a, opts...); err != nil {
		return nil, err
	}
	types := []string{"A"}
	if args.IPv6 {
		types = append(types, "AAAA")
	}
	for _, typ := range types {
		rec, err := route53.NewRecord(ctx, name+"-"+typ, &route53.RecordArgs{
			ZoneId: pulumi.String(args.ZoneID),
			Name:   pulumi.String(args.Name),
			Type:   pulumi.String(typ),
			Aliases: route53.RecordAliasArray{route53.RecordAliasArgs{
				Name:                 args.Target,
				ZoneId:               pulumi.String(args.TargetZoneID),
				EvaluateTargetHealth: pulumi.Bool(true),
			}},
		}, pulumi.Parent(a))
		if err != nil {
			return nil, err
		}
		if typ == "A" {
			a.Fqdn = rec.Fqdn
		}
	}
	return a, ctx.RegisterResourceOutputs(a, pulumi.Map{"fqdn": a.Fqdn})
}
