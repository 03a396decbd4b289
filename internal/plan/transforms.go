package plan

import (
	"context"
	"reflect"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"
)

// The mock monitor records the program's stack transforms but does not run them; the engine does,
// before a resource is registered. So the offline run applies them here, to each registration's
// inputs, and the plan shows what the engine would receive.
var _ pulumi.MockResourceMonitorWithTransforms = (*mocks)(nil)

// RegisterTransform records a stack transform.
func (m *mocks) RegisterTransform(t pulumi.ResourceTransform) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.transforms = append(m.transforms, t)
}

// RegisterInvokeTransform is not used by the program.
func (m *mocks) RegisterInvokeTransform(pulumi.InvokeTransform) {}

// transform runs the stack transforms on a registration's inputs, and returns the inputs and the
// outputs the transforms made secret.
func (m *mocks) transform(args pulumi.MockResourceArgs) (resource.PropertyMap, []string, error) {
	m.mu.Lock()
	transforms := m.transforms
	m.mu.Unlock()
	if len(transforms) == 0 {
		return args.Inputs, nil, nil
	}
	props := toInput(resource.NewProperty(args.Inputs)).(pulumi.Map)
	var opts pulumi.ResourceOptions
	for _, t := range transforms {
		res := t(context.Background(), &pulumi.ResourceTransformArgs{
			Custom: args.Custom, Type: args.TypeToken, Name: args.Name, Props: props, Opts: opts,
		})
		if res != nil {
			props, opts = res.Props, res.Opts
		}
	}
	v, err := fromInput(props)
	if err != nil {
		return nil, nil, err
	}
	return v.ObjectValue(), opts.AdditionalSecretOutputs, nil
}

// toInput turns a property value into the program-side value a transform sees.
func toInput(v resource.PropertyValue) pulumi.Input {
	switch {
	case v.IsSecret():
		return pulumi.ToSecret(toInput(v.SecretValue().Element))
	case v.IsString():
		return pulumi.String(v.StringValue())
	case v.IsNumber():
		return pulumi.Float64(v.NumberValue())
	case v.IsBool():
		return pulumi.Bool(v.BoolValue())
	case v.IsArray():
		out := pulumi.Array{}
		for _, e := range v.ArrayValue() {
			out = append(out, toInput(e))
		}
		return out
	case v.IsObject():
		out := pulumi.Map{}
		for k, e := range v.ObjectValue() {
			out[string(k)] = toInput(e)
		}
		return out
	}
	return rawProperty{v} // null, unknown and resource references pass through unchanged
}

// rawProperty carries a property value no transform of this program looks into.
type rawProperty struct{ value resource.PropertyValue }

func (rawProperty) ElementType() reflect.Type { return reflect.TypeFor[any]() }

// fromInput turns a transformed value back into a property value, secrets included.
func fromInput(in pulumi.Input) (resource.PropertyValue, error) {
	switch in := in.(type) {
	case pulumi.Map:
		out := resource.PropertyMap{}
		for k, e := range in {
			v, err := fromInput(e)
			if err != nil {
				return resource.PropertyValue{}, err
			}
			out[resource.PropertyKey(k)] = v
		}
		return resource.NewProperty(out), nil
	case pulumi.Array:
		out := make([]resource.PropertyValue, len(in))
		for i, e := range in {
			v, err := fromInput(e)
			if err != nil {
				return resource.PropertyValue{}, err
			}
			out[i] = v
		}
		return resource.NewProperty(out), nil
	}
	if raw, ok := in.(rawProperty); ok {
		return raw.value, nil
	}
	res, err := internals.UnsafeAwaitOutput(context.Background(), pulumi.ToOutput(in))
	if err != nil {
		return resource.PropertyValue{}, err
	}
	v := resource.NewPropertyValue(res.Value)
	if res.Secret {
		v = resource.MakeSecret(v)
	}
	return v, nil
}
