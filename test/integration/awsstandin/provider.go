package awsstandin

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/sig"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/mlops-retail/retail-api-edge/internal/typetoken"
)

// Provider is the stand-in's ResourceProviderServer.
type Provider struct {
	pulumirpc.UnimplementedResourceProviderServer
	version string
	store   store

	mu          sync.Mutex
	region      string
	defaultTags map[string]string
}

// New returns a provider reporting version, keeping its state in dir.
func New(version, dir string) *Provider { return &Provider{version: version, store: store{dir}} }

// NewFromEnv is New with the directory from DirEnv.
func NewFromEnv(version string) (*Provider, error) {
	dir := os.Getenv(DirEnv)
	if dir == "" {
		return nil, fmt.Errorf("%s is not set: the stand-in keeps its world and ledger there", DirEnv)
	}
	return New(version, dir), nil
}

// GetPluginInfo reports the pulumi-aws version the program asks for.
func (p *Provider) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: p.version}, nil
}

// GetSchema returns a schema with no types: the program uses the Go SDK, which needs none.
func (p *Provider) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	return &pulumirpc.GetSchemaResponse{Schema: fmt.Sprintf(`{"name":"aws","version":%q}`, p.version)}, nil
}

// CheckConfig accepts the provider's inputs as they are.
func (p *Provider) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

// DiffConfig replaces the provider when the region changes, as the real one does; tags update.
func (p *Provider) DiffConfig(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	olds, news := req.GetOldInputs().AsMap(), req.GetNews().AsMap()
	var diffs, replaces []string
	for _, k := range slices.Sorted(maps.Keys(union(olds, news))) {
		if !equal(olds[k], news[k]) {
			diffs = append(diffs, k)
			if k == "region" {
				replaces = append(replaces, k)
			}
		}
	}
	return diffResponse(diffs, replaces), nil
}

// Configure takes the region and default tags. Secrets are not accepted: the engine strips them
// from inputs and marks the same-named outputs secret again, as for any such provider.
func (p *Provider) Configure(_ context.Context, req *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	args := plain(req.GetArgs().AsMap()).(map[string]any)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.region, _ = args["region"].(string)
	p.defaultTags = map[string]string{}
	tags := args["defaultTags"]
	if s, ok := tags.(string); ok { // provider inputs may arrive JSON-encoded
		_ = json.Unmarshal([]byte(s), &tags)
		tags = plain(tags)
	}
	for k, v := range obj(asMap(tags), "tags") {
		p.defaultTags[k], _ = v.(string)
	}
	return &pulumirpc.ConfigureResponse{SupportsPreview: true}, nil
}

// Check names autonamed resources and rejects inputs AWS would reject.
func (p *Provider) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	k, ok := kinds[req.GetType()]
	if !ok {
		return nil, fmt.Errorf("the AWS stand-in does not implement %s", req.GetType())
	}
	if k.autoname != "" && !news.HasValue(resource.PropertyKey(k.autoname)) {
		olds, err := unmarshal(req.GetOlds())
		if err != nil {
			return nil, err
		}
		name := olds[resource.PropertyKey(k.autoname)]
		if !name.IsString() {
			name = resource.NewProperty(resource.URN(req.GetUrn()).Name() + "-" + token(7))
		}
		news[resource.PropertyKey(k.autoname)] = name
	}
	var failures []*pulumirpc.CheckFailure
	if k.check != nil && !news.ContainsUnknowns() {
		for _, msg := range k.check(news.Mappable()) {
			failures = append(failures, &pulumirpc.CheckFailure{Reason: msg})
		}
	}
	inputs, err := marshal(news)
	return &pulumirpc.CheckResponse{Inputs: inputs, Failures: failures}, err
}

// Diff marks changes of replaceOn inputs as replacements and everything else as updates.
func (p *Provider) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	oldInputs := req.GetOldInputs()
	if oldInputs == nil { // state written before the engine kept inputs apart
		oldInputs = req.GetOlds()
	}
	olds, err := unmarshal(oldInputs)
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	k := kinds[req.GetType()]
	var diffs, replaces []string
	for _, key := range slices.Sorted(maps.Keys(union(olds.Mappable(), news.Mappable()))) {
		o, n := olds[resource.PropertyKey(key)], news[resource.PropertyKey(key)]
		if o.DeepEquals(n) {
			continue
		}
		diffs = append(diffs, key)
		if slices.Contains(k.replaceOn, key) {
			replaces = append(replaces, key)
		}
	}
	return diffResponse(diffs, replaces), nil
}

// Create makes the object in the ledger; in preview it answers without touching it.
func (p *Provider) Create(_ context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	if req.GetPreview() { // what AWS will compute is unknown until it does
		return &pulumirpc.CreateResponse{Properties: req.GetProperties()}, nil
	}
	in, err := unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	if err := p.failIfInjected("create", req.GetType()); err != nil {
		return nil, err
	}
	world, err := p.store.world()
	if err != nil {
		return nil, err
	}
	if t := req.GetTimeout(); t > 0 && world.Slow > time.Duration(t*float64(time.Second)) && req.GetType() == typetoken.CertificateValidation {
		return nil, fmt.Errorf("timeout while waiting for state to become 'ISSUED' (timeout: %s)", time.Duration(t*float64(time.Second)))
	}
	var id string
	var props map[string]any
	err = p.store.change(func(l *Ledger) error {
		c := &createContext{in: in.Mappable(), name: resource.URN(req.GetUrn()).Name(), region: p.region, world: world, ledger: l}
		newID, outputs, err := kinds[req.GetType()].create(c)
		if err != nil {
			return err
		}
		id, props = newID, p.withOutputs(req.GetType(), c.in, outputs)
		l.Objects[key(req.GetType(), id)] = Object{Type: req.GetType(), ID: id, URN: req.GetUrn(), Props: props}
		l.Ops = append(l.Ops, Op{Op: "create", Type: req.GetType(), ID: id})
		return nil
	})
	if err != nil {
		return nil, err
	}
	out, err := marshal(resource.NewPropertyMapFromMap(props))
	return &pulumirpc.CreateResponse{Id: id, Properties: out}, err
}

func (p *Provider) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	l, err := ReadLedger(p.store.dir)
	if err != nil {
		return nil, err
	}
	o, ok := l.Objects[key(req.GetType(), req.GetId())]
	if !ok {
		return &pulumirpc.ReadResponse{}, nil // gone
	}
	out, err := marshal(resource.NewPropertyMapFromMap(o.Props))
	return &pulumirpc.ReadResponse{Id: o.ID, Properties: out, Inputs: req.GetInputs()}, err
}

// Update changes the object in the ledger; in preview it answers as the real provider's plan does.
func (p *Provider) Update(_ context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	if req.GetPreview() {
		return p.previewUpdate(req, news)
	}
	if err := p.failIfInjected("update", req.GetType()); err != nil {
		return nil, err
	}
	var props map[string]any
	err = p.store.change(func(l *Ledger) error {
		k := key(req.GetType(), req.GetId())
		o, ok := l.Objects[k]
		if !ok {
			return fmt.Errorf("%s %s does not exist", req.GetType(), req.GetId())
		}
		props = p.withOutputs(req.GetType(), news.Mappable(), computed(o.Props, news.Mappable()))
		o.Props = props
		l.Objects[k] = o
		l.Ops = append(l.Ops, Op{Op: "update", Type: req.GetType(), ID: req.GetId()})
		return nil
	})
	if err != nil {
		return nil, err
	}
	out, err := marshal(resource.NewPropertyMapFromMap(props))
	return &pulumirpc.UpdateResponse{Properties: out}, err
}

// previewUpdate answers as the real provider's plan does: an in-place update keeps the outputs it
// does not change (an ARN, an ID) known, so what depends on them shows no change in the preview.
func (p *Provider) previewUpdate(req *pulumirpc.UpdateRequest, news resource.PropertyMap) (*pulumirpc.UpdateResponse, error) {
	l, err := ReadLedger(p.store.dir)
	if err != nil {
		return nil, err
	}
	o, ok := l.Objects[key(req.GetType(), req.GetId())]
	if !ok {
		return nil, fmt.Errorf("%s %s does not exist", req.GetType(), req.GetId())
	}
	if news.ContainsUnknowns() {
		return &pulumirpc.UpdateResponse{Properties: req.GetNews()}, nil
	}
	out, err := marshal(resource.NewPropertyMapFromMap(p.withOutputs(req.GetType(), news.Mappable(), computed(o.Props, news.Mappable()))))
	return &pulumirpc.UpdateResponse{Properties: out}, err
}

// Delete removes the object, refusing as AWS does while something still depends on it.
func (p *Provider) Delete(ctx context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	if err := p.failIfInjected("delete", req.GetType()); err != nil {
		return nil, err
	}
	if req.GetType() == typetoken.WebACL {
		if err := p.waitDisassociated(ctx, req); err != nil {
			return nil, err
		}
	}
	return &emptypb.Empty{}, p.store.change(func(l *Ledger) error {
		k := key(req.GetType(), req.GetId())
		if err := deletable(l, l.Objects[k]); err != nil {
			return err
		}
		delete(l.Objects, k)
		l.Ops = append(l.Ops, Op{Op: "delete", Type: req.GetType(), ID: req.GetId()})
		return nil
	})
}

// webACLDeleteRetry is how long the real provider retries deleting a web ACL that is still
// associated (terraform-provider-aws internal/service/wafv2/web_acl.go: RetryWhenIsOneOf2 on
// WAFAssociatedItemException for 5 minutes); here the controllers' stand-in detaches within a
// second, so a fraction of it is enough to tell "detached late" from "never detached".
const webACLDeleteRetry = 20 * time.Second

// waitDisassociated refuses, as WAF does, to delete a web ACL associated with a load balancer, after
// retrying as the real provider does.
func (p *Provider) waitDisassociated(ctx context.Context, req *pulumirpc.DeleteRequest) error {
	props, err := unmarshal(req.GetProperties())
	if err != nil {
		return err
	}
	arn := str(props.Mappable(), "arn")
	deadline := time.Now().Add(webACLDeleteRetry)
	for {
		lbs, err := associatedWith(p.store.dir, arn)
		if err != nil || len(lbs) == 0 {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("WAFAssociatedItemException: AWS WAF couldn't perform the operation because your resource is "+
				"being used by another resource or it's associated with another resource (%s is associated with %v)", arn, lbs)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// deletable is what AWS refuses to delete: a role with policies attached, a policy attached to a
// role, a bucket with a configuration left.
func deletable(l *Ledger, o Object) error {
	switch o.Type {
	case typetoken.Role:
		if l.find(typetoken.RolePolicyAttachment, func(a Object) bool { return str(a.Props, "role") == o.ID }) != nil {
			return fmt.Errorf("DeleteConflict: Cannot delete entity, must detach all policies first (role %s)", o.ID)
		}
	case typetoken.Policy:
		if l.find(typetoken.RolePolicyAttachment, func(a Object) bool { return str(a.Props, "policyArn") == o.ID }) != nil {
			return fmt.Errorf("DeleteConflict: Cannot delete a policy attached to entities (%s)", o.ID)
		}
	case typetoken.Certificate:
		if l.find(typetoken.CertificateValidation, func(a Object) bool { return a.ID == o.ID }) != nil {
			return fmt.Errorf("ResourceInUseException: certificate %s is in use", o.ID)
		}
	}
	return nil
}

func (p *Provider) failIfInjected(op, typ string) error {
	hit, err := p.store.fault(op, typ)
	if err != nil || !hit {
		return err
	}
	return fmt.Errorf("InternalFailure: the AWS stand-in was told to fail this %s of %s once", op, typ)
}

// withOutputs merges inputs and outputs, and adds tagsAll (default tags and the resource's own)
// as the real provider does.
func (p *Provider) withOutputs(typ string, in, outputs map[string]any) map[string]any {
	props := maps.Clone(in)
	maps.Copy(props, outputs)
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.defaultTags) > 0 && !kinds[typ].untagged {
		all := map[string]any{}
		for k, v := range p.defaultTags {
			all[k] = v
		}
		maps.Copy(all, obj(in, "tags"))
		props["tagsAll"] = all
	}
	return props
}

// computed keeps the outputs AWS assigned (those that are not inputs) across an update.
func computed(state, inputs map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range state {
		if _, isInput := inputs[k]; !isInput {
			out[k] = v
		}
	}
	return out
}

func diffResponse(diffs, replaces []string) *pulumirpc.DiffResponse {
	changes := pulumirpc.DiffResponse_DIFF_NONE
	if len(diffs) > 0 {
		changes = pulumirpc.DiffResponse_DIFF_SOME
	}
	return &pulumirpc.DiffResponse{Changes: changes, Diffs: diffs, Replaces: replaces}
}

func unmarshal(s *structpb.Struct) (resource.PropertyMap, error) {
	return plugin.UnmarshalProperties(s, plugin.MarshalOptions{KeepUnknowns: true, SkipNulls: true})
}

func marshal(m resource.PropertyMap) (*structpb.Struct, error) {
	return plugin.MarshalProperties(m, plugin.MarshalOptions{KeepUnknowns: true})
}

func union(a, b map[string]any) map[string]any {
	out := maps.Clone(a)
	if out == nil {
		out = map[string]any{}
	}
	maps.Copy(out, b)
	return out
}

func equal(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// plain unwraps secrets in provider configuration, which arrives before the provider can say it
// does not accept them: the real provider reads the values underneath, and so does this one.
func plain(v any) any {
	switch v := v.(type) {
	case map[string]any:
		if v[sig.Key] == sig.Secret {
			return plain(v["value"])
		}
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = plain(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = plain(e)
		}
		return out
	}
	return v
}
