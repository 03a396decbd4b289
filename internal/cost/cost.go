// Package cost estimates what a stack's configuration costs per month, item by item, from the
// list prices in prices.json (dated), at a given traffic level. Offline: no AWS call.
package cost

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"

	"github.com/mlops-retail/retail-api-edge/internal/lbkind"
)

//go:embed prices.json
var pricesJSON []byte

// Prices are the list prices the estimate uses.
type Prices struct {
	Date          string  `json:"date"`
	Region        string  `json:"region"`
	Source        string  `json:"source"`
	HoursPerMonth float64 `json:"hoursPerMonth"`
	ALB           struct {
		Hour, LCUHour float64
	} `json:"alb"`
	NLB struct {
		Hour, NLCUHour float64
	} `json:"nlb"`
	Classic struct {
		Hour, GB float64
	} `json:"classic"`
	WAF struct {
		ACLMonth, RuleMonth, MillionRequests float64
	} `json:"waf"`
	Route53 struct {
		HostedZoneMonth float64
	} `json:"route53"`
	S3 struct {
		GBMonth, ThousandPuts float64
	} `json:"s3"`
	CloudWatch struct {
		AlarmMetricMonth float64
	} `json:"cloudwatch"`
	EKS struct {
		ClusterHour, ExtendedSupportHour float64
	} `json:"eks"`
	// EC2Hour is the on-demand Linux price of the node instance types priced here.
	EC2Hour map[string]float64 `json:"ec2Hour"`
}

// LoadPrices returns the embedded price list.
func LoadPrices() (Prices, error) {
	var p Prices
	err := json.Unmarshal(pricesJSON, &p)
	return p, err
}

// Stack is what drives the cost of a configuration.
type Stack struct {
	LoadBalancer  lbkind.Kind
	WAFRules      int // 0: no web ACL
	HostedZone    bool
	AccessLogs    bool
	RetentionDays int
	// AlarmMetrics is how many metrics the stack's alarms evaluate (CloudWatch bills each).
	AlarmMetrics int
	// Cluster is the EKS cluster the stack creates (nil: it uses an existing one).
	Cluster *Cluster
	// ListenerRules are the ALB's rules beyond its default one (0: the one default rule).
	ListenerRules int
}

// Cluster is a cluster the stack creates: its control plane and its nodes.
type Cluster struct {
	// ExtendedSupport bills the control plane at the extended-support rate (its Kubernetes
	// version has left standard support).
	ExtendedSupport bool
	Nodes           int
	InstanceType    string
}

// Traffic is the assumed average load.
type Traffic struct {
	RequestsPerSecond float64
	KBPerRequest      float64
}

// Item is one line of the estimate.
type Item struct {
	Name     string
	Quantity string
	USD      float64
}

// Capacity-unit dimensions (per LCU / NLCU) that a steady HTTP load uses most.
const (
	albNewConnsPerSec  = 25.0
	nlbNewFlowsPerSec  = 800.0
	gbPerUnitHour      = 1.0
	logBytesPerRequest = 500.0
	secondsPerMonth    = 3600.0
	// An LCU is also 1,000 rule evaluations per second; each request's first 10 rules are free
	// (Elastic Load Balancing pricing, "LCU details": rule evaluations = request rate x (rules
	// processed - 10 free rules)). Every rule is counted as evaluated: the most a request can cost.
	ruleEvalsPerSec = 1000.0
	freeRules       = 10
)

// Estimate returns the monthly line items; Total adds them up.
func Estimate(p Prices, s Stack, t Traffic) []Item {
	h := p.HoursPerMonth
	gbPerHour := t.RequestsPerSecond * t.KBPerRequest * 3600 / 1e6
	requestsPerMonth := t.RequestsPerSecond * secondsPerMonth * h
	var items []Item
	switch s.LoadBalancer {
	case lbkind.ALB:
		lcu := math.Max(t.RequestsPerSecond/albNewConnsPerSec, gbPerHour/gbPerUnitHour)
		items = append(items,
			Item{"ALB hours", fmt.Sprintf("%.0f h", h), h * p.ALB.Hour},
			Item{"ALB capacity units", fmt.Sprintf("%.3f LCU avg", lcu), lcu * h * p.ALB.LCUHour})
		if billed := s.ListenerRules - freeRules; billed > 0 {
			// LCUs are billed on the largest dimension: the rules cost what they add above the others.
			extra := math.Max(0, t.RequestsPerSecond*float64(billed)/ruleEvalsPerSec-lcu)
			items = append(items, Item{"ALB rule evaluations",
				fmt.Sprintf("%d rules, %d beyond the %d free: +%.3f LCU avg", s.ListenerRules, billed, freeRules, extra), extra * h * p.ALB.LCUHour})
		}
	case lbkind.NLB:
		nlcu := math.Max(t.RequestsPerSecond/nlbNewFlowsPerSec, gbPerHour/gbPerUnitHour)
		items = append(items,
			Item{"NLB hours", fmt.Sprintf("%.0f h", h), h * p.NLB.Hour},
			Item{"NLB capacity units", fmt.Sprintf("%.3f NLCU avg", nlcu), nlcu * h * p.NLB.NLCUHour})
	case lbkind.Classic:
		items = append(items,
			Item{"Classic ELB hours", fmt.Sprintf("%.0f h", h), h * p.Classic.Hour},
			Item{"Classic ELB data", fmt.Sprintf("%.1f GB", gbPerHour*h), gbPerHour * h * p.Classic.GB})
	}
	if s.WAFRules > 0 {
		items = append(items,
			Item{"WAF web ACL", "1 ACL", p.WAF.ACLMonth},
			Item{"WAF rules", fmt.Sprintf("%d rules", s.WAFRules), float64(s.WAFRules) * p.WAF.RuleMonth},
			Item{"WAF requests", fmt.Sprintf("%.1f M", requestsPerMonth/1e6), requestsPerMonth / 1e6 * p.WAF.MillionRequests})
	}
	if s.HostedZone {
		items = append(items, Item{"Route53 hosted zone", "1 zone (alias queries to an ALB are free)", p.Route53.HostedZoneMonth})
	}
	if s.AccessLogs {
		// Logs pile up until the lifecycle rule expires them: storage is retention days' worth.
		gbStored := t.RequestsPerSecond * logBytesPerRequest * 86400 * float64(s.RetentionDays) / 1e9
		puts := h * 12 // the ALB writes a log file per node about every 5 minutes
		items = append(items,
			Item{"Access log storage", fmt.Sprintf("%.2f GB kept", gbStored), gbStored * p.S3.GBMonth},
			Item{"Access log writes", fmt.Sprintf("%.0f PUTs", puts), puts / 1000 * p.S3.ThousandPuts})
	}
	if c := s.Cluster; c != nil {
		items = append(items, clusterItems(p, c)...)
	}
	if s.AlarmMetrics > 0 {
		items = append(items, Item{"CloudWatch alarms", fmt.Sprintf("%d metrics evaluated", s.AlarmMetrics),
			float64(s.AlarmMetrics) * p.CloudWatch.AlarmMetricMonth})
	}
	return items
}

// clusterItems are the control plane's hours and the nodes'; a node type without a price here is
// listed at 0, saying so.
func clusterItems(p Prices, c *Cluster) []Item {
	h, rate, support := p.HoursPerMonth, p.EKS.ClusterHour, "standard support"
	if c.ExtendedSupport {
		rate, support = p.EKS.ExtendedSupportHour, "extended support"
	}
	nodes := Item{"EKS nodes", fmt.Sprintf("%d x %s: not priced here (EC2 on-demand pricing)", c.Nodes, c.InstanceType), 0}
	if price, ok := p.EC2Hour[c.InstanceType]; ok {
		nodes = Item{"EKS nodes", fmt.Sprintf("%d x %s, %.0f h", c.Nodes, c.InstanceType, h), float64(c.Nodes) * h * price}
	}
	return []Item{{"EKS control plane", fmt.Sprintf("%.0f h, %s", h, support), h * rate}, nodes}
}

// Total adds the items up.
func Total(items []Item) float64 {
	sum := 0.0
	for _, i := range items {
		sum += i.USD
	}
	return sum
}
