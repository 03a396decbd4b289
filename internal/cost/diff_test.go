package cost

import (
	"strings"
	"testing"

	"github.com/mlops-retail/retail-api-edge/internal/lbkind"
)

// TestDiffNamesEachChangedItem: a reviewer sees each item that changes the monthly bill, with its
// signed amount, largest first; items that cost the same are left out.
func TestDiffNamesEachChangedItem(t *testing.T) {
	p, err := LoadPrices()
	if err != nil {
		t.Fatal(err)
	}
	light := Traffic{RequestsPerSecond: 1, KBPerRequest: 10}
	alb := Stack{LoadBalancer: lbkind.ALB, HostedZone: true}
	withWAF := alb
	withWAF.WAFRules = 4
	moreRules := withWAF
	moreRules.WAFRules = 5
	tests := []struct {
		name          string
		before, after Stack
		want          []string // the change lines, in order
		total         string
	}{
		{"WAF turned on", alb, withWAF, []string{
			"+$5.00/month: WAF web ACL (new: 1 ACL)", "+$4.00/month: WAF rules (new: 4 rules)", "+$1.58/month: WAF requests (new: 2.6 M)",
		}, "+$10.58/month"},
		{"WAF turned off", withWAF, alb, []string{
			"-$5.00/month: WAF web ACL (gone)", "-$4.00/month: WAF rules (gone)", "-$1.58/month: WAF requests (gone)",
		}, "-$10.58/month"},
		{"one more managed rule group", withWAF, moreRules, []string{"+$1.00/month: WAF rules (5 rules, was 4 rules)"}, "+$1.00/month"},
		{"nothing priced changed", withWAF, withWAF, nil, "+$0.00/month"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, after := NewReport("prod", p, tt.before, light), NewReport("prod", p, tt.after, light)
			var got []string
			for _, c := range Diff(before, after) {
				got = append(got, c.Line())
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			var md strings.Builder
			if err := WriteDiffMarkdown(&md, before, after); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(md.String(), "**"+tt.total+"**") {
				t.Errorf("markdown does not lead with the total change %s:\n%s", tt.total, md.String())
			}
			for _, line := range tt.want {
				if !strings.Contains(md.String(), "- "+line+"\n") {
					t.Errorf("markdown lacks %q:\n%s", line, md.String())
				}
			}
		})
	}
}

// TestDiffSaysWhenTheSidesAssumedDifferently: a cost change that comes from other prices or other
// traffic, not from the change under review, is said.
func TestDiffSaysWhenTheSidesAssumedDifferently(t *testing.T) {
	p, err := LoadPrices()
	if err != nil {
		t.Fatal(err)
	}
	s := Stack{LoadBalancer: lbkind.NLB}
	before, after := NewReport("demo", p, s, Traffic{RequestsPerSecond: 1, KBPerRequest: 10}), NewReport("demo", p, s, Traffic{RequestsPerSecond: 50, KBPerRequest: 10})
	var b strings.Builder
	if err := WriteDiffText(&b, before, after); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "the base assumed") {
		t.Errorf("want the differing assumptions named, got:\n%s", b.String())
	}
}
