// Package awsstandin is a stand-in for the pulumi-aws provider plugin: a Pulumi resource provider
// (the SDK's gRPC ResourceProviderServer) that the real engine loads as `resource-aws-v<version>`
// from the test's PULUMI_HOME. It implements the resource types and lookups this program uses,
// with the create/update/replace rules and input checks of the real provider for the fields the
// program sets, over a ledger of live objects kept in a file, so state outlives the plugin process
// (the engine starts a new one for every command). It stands in for AWS itself, which cannot run
// here; everything above it (engine, CLI, language host, program) is real.
package awsstandin

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"syscall"
	"time"
)

// DirEnv names the directory with the world, the ledger and the faults; the harness sets it in the
// CLI's environment, which the engine passes on to plugins.
const DirEnv = "AWS_STANDIN_DIR"

// World is what exists in the account before any stack runs: the EKS cluster (its API server is the
// test's), its IAM OIDC provider when eksctl made one, and the public hosted zones.
type World struct {
	Account       string             `json:"account"`
	Clusters      map[string]Cluster `json:"clusters"`
	OIDCProviders []string           `json:"oidcProviders"` // issuer URLs with a provider made outside any stack
	Zones         map[string]string  `json:"zones"`         // zone name -> hosted zone ID
	Subnets       map[string]Subnet  `json:"subnets"`       // subnet ID -> subnet
	// Slow is how long slow operations take (certificate validation); load balancers are the
	// Kubernetes stand-in's.
	Slow time.Duration `json:"slow"`
}

// Cluster is an EKS cluster as aws:eks/getCluster reports it.
type Cluster struct {
	Endpoint  string   `json:"endpoint"`
	CAData    string   `json:"caData"`
	Issuer    string   `json:"issuer"`
	VpcID     string   `json:"vpcId"`
	SubnetIDs []string `json:"subnetIds"`
	// AutoMode is EKS Auto Mode: its compute and its load balancing on, as DescribeCluster reports them.
	AutoMode bool `json:"autoMode"`
	// Addons are the EKS add-ons installed outside any stack (aws:eks/getAddon finds them).
	Addons []string `json:"addons"`
}

// Subnet is a VPC subnet as aws:ec2/getSubnet reports it.
type Subnet struct {
	VpcID string            `json:"vpcId"`
	Zone  string            `json:"zone"`
	Free  int               `json:"free"` // available IP addresses
	Tags  map[string]string `json:"tags"`
}

// Object is one live AWS object the stand-in created.
type Object struct {
	Type  string         `json:"type"`
	ID    string         `json:"id"`
	URN   string         `json:"urn"`
	Props map[string]any `json:"props"` // inputs and outputs, as the provider returned them
}

// Op is one operation the stand-in carried out, in order.
type Op struct {
	Op   string `json:"op"` // create, update, delete
	Type string `json:"type"`
	ID   string `json:"id"`
}

// Ledger is the file-backed record of live objects and of every operation.
type Ledger struct {
	Objects map[string]Object `json:"objects"` // by type + "/" + ID
	Ops     []Op              `json:"ops"`
}

// Fault makes the next matching operation fail once (op is create, update or delete).
type Fault struct {
	Op   string `json:"op"`
	Type string `json:"type"`
}

// Files of the stand-in's directory.
const (
	worldFile        = "world.json"
	ledgerFile       = "ledger.json"
	faultsFile       = "faults.json"
	associationsFile = "webacl-associations.json"
	lockFile         = "lock"
)

// SetWebACL records which web ACL a load balancer has (acl "" for none): the controllers, which
// associate them, run outside this plugin (the Kubernetes stand-in reports it here).
func SetWebACL(dir, loadBalancer, acl string) error {
	return withLock(dir, func() error {
		assoc := map[string]string{}
		if err := readJSON(filepath.Join(dir, associationsFile), &assoc); err != nil {
			return err
		}
		if acl == "" {
			delete(assoc, loadBalancer)
		} else {
			assoc[loadBalancer] = acl
		}
		return writeJSON(filepath.Join(dir, associationsFile), assoc)
	})
}

// associatedWith lists the load balancers a web ACL is associated with.
func associatedWith(dir, acl string) ([]string, error) {
	assoc := map[string]string{}
	err := withLock(dir, func() error { return readJSON(filepath.Join(dir, associationsFile), &assoc) })
	var lbs []string
	for lb, a := range assoc {
		if a == acl {
			lbs = append(lbs, lb)
		}
	}
	sort.Strings(lbs)
	return lbs, err
}

// Forget removes from the ledger the live objects match selects, as someone deleting them outside
// any stack would (a retained log bucket emptied and deleted by hand), and returns them.
func Forget(dir string, match func(Object) bool) ([]Object, error) {
	var gone []Object
	err := store{dir}.change(func(l *Ledger) error {
		for k, o := range l.Objects {
			if match(o) {
				gone = append(gone, o)
				delete(l.Objects, k)
			}
		}
		return nil
	})
	return gone, err
}

// WriteWorld writes the world the stand-in answers from.
func WriteWorld(dir string, w World) error { return writeJSON(filepath.Join(dir, worldFile), w) }

// InjectFault makes the stand-in fail the next op on a resource of type typ, once.
func InjectFault(dir string, f Fault) error {
	return withLock(dir, func() error {
		var faults []Fault
		if err := readJSON(filepath.Join(dir, faultsFile), &faults); err != nil {
			return err
		}
		return writeJSON(filepath.Join(dir, faultsFile), append(faults, f))
	})
}

// ReadLedger returns the ledger as it is now.
func ReadLedger(dir string) (Ledger, error) {
	var l Ledger
	err := withLock(dir, func() error { return readJSON(filepath.Join(dir, ledgerFile), &l) })
	return l, err
}

// Live lists the live objects, sorted by key.
func (l Ledger) Live() []Object {
	keys := make([]string, 0, len(l.Objects))
	for k := range l.Objects {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]Object, len(keys))
	for i, k := range keys {
		out[i] = l.Objects[k]
	}
	return out
}

func key(typ, id string) string { return typ + "/" + id }

// store is the stand-in's view of its directory; every change holds the directory's file lock,
// since the engine may run several plugin processes at once.
type store struct{ dir string }

func (s store) world() (World, error) {
	var w World
	err := readJSON(filepath.Join(s.dir, worldFile), &w)
	return w, err
}

// change runs f on the ledger and saves it.
func (s store) change(f func(*Ledger) error) error {
	return withLock(s.dir, func() error {
		var l Ledger
		if err := readJSON(filepath.Join(s.dir, ledgerFile), &l); err != nil {
			return err
		}
		if l.Objects == nil {
			l.Objects = map[string]Object{}
		}
		if err := f(&l); err != nil {
			return err
		}
		return writeJSON(filepath.Join(s.dir, ledgerFile), l)
	})
}

// fault consumes an injected fault matching op and typ, if there is one.
func (s store) fault(op, typ string) (bool, error) {
	hit := false
	err := withLock(s.dir, func() error {
		var faults []Fault
		if err := readJSON(filepath.Join(s.dir, faultsFile), &faults); err != nil {
			return err
		}
		for i, f := range faults {
			if f.Op == op && f.Type == typ {
				hit = true
				return writeJSON(filepath.Join(s.dir, faultsFile), append(faults[:i], faults[i+1:]...))
			}
		}
		return nil
	})
	return hit, err
}

func withLock(dir string, f func() error) error {
	lock, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return err
	}
	defer func() { _ = lock.Close() }()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return err
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN) //nolint:errcheck // closing the file unlocks too
	return f()
}

func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
