package cost

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
)

// Report is one estimate with what it assumed: what `edgectl cost --output json` prints, and what
// two runs (a pull request's base and head) are compared by.
type Report struct {
	Stack             string       `json:"stack"`
	PricesRegion      string       `json:"pricesRegion"`
	PricesDate        string       `json:"pricesDate"`
	RequestsPerSecond float64      `json:"requestsPerSecond"`
	KBPerRequest      float64      `json:"kbPerRequest"`
	Items             []ReportItem `json:"items"`
	USDPerMonth       float64      `json:"usdPerMonth"`
}

// ReportItem is one line of a Report.
type ReportItem struct {
	Name        string  `json:"name"`
	Quantity    string  `json:"quantity"`
	USDPerMonth float64 `json:"usdPerMonth"`
}

// NewReport prices s at t.
func NewReport(stack string, p Prices, s Stack, t Traffic) Report {
	items := Estimate(p, s, t)
	r := Report{Stack: stack, PricesRegion: p.Region, PricesDate: p.Date, RequestsPerSecond: t.RequestsPerSecond,
		KBPerRequest: t.KBPerRequest, USDPerMonth: round(Total(items))}
	for _, i := range items {
		r.Items = append(r.Items, ReportItem{Name: i.Name, Quantity: i.Quantity, USDPerMonth: round(i.USD)})
	}
	return r
}

// round keeps whole cents, so a report says what it prints and two reports compare by it.
func round(usd float64) float64 { return math.Round(usd*100) / 100 }

// Change is one item whose monthly cost differs between two reports; Before or After is absent
// when the item is new or gone.
type Change struct {
	Name          string
	Before, After *ReportItem
	Delta         float64
}

// Diff lists what changed from before to after, largest change first.
func Diff(before, after Report) []Change {
	index := func(r Report) map[string]*ReportItem {
		m := map[string]*ReportItem{}
		for i := range r.Items {
			m[r.Items[i].Name] = &r.Items[i]
		}
		return m
	}
	b, a := index(before), index(after)
	names := map[string]bool{}
	for n := range b {
		names[n] = true
	}
	for n := range a {
		names[n] = true
	}
	var out []Change
	for n := range names {
		c := Change{Name: n, Before: b[n], After: a[n]}
		c.Delta = round(usd(c.After) - usd(c.Before))
		if c.Delta != 0 || (c.Before == nil) != (c.After == nil) {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(x, y Change) int {
		return cmp.Or(cmp.Compare(math.Abs(y.Delta), math.Abs(x.Delta)), cmp.Compare(x.Name, y.Name))
	})
	return out
}

func usd(i *ReportItem) float64 {
	if i == nil {
		return 0
	}
	return i.USDPerMonth
}

// Money is a monthly change as a reviewer reads it: "+$5.00/month".
func Money(delta float64) string {
	sign := "+"
	if delta < 0 {
		sign = "-"
	}
	return fmt.Sprintf("%s$%.2f/month", sign, math.Abs(delta))
}

// Line is one change: "+$5.00/month: WAF web ACL (new)".
func (c Change) Line() string {
	switch {
	case c.Before == nil:
		return fmt.Sprintf("%s: %s (new: %s)", Money(c.Delta), c.Name, c.After.Quantity)
	case c.After == nil:
		return fmt.Sprintf("%s: %s (gone)", Money(c.Delta), c.Name)
	}
	return fmt.Sprintf("%s: %s (%s, was %s)", Money(c.Delta), c.Name, c.After.Quantity, c.Before.Quantity)
}

// assumptions says what a comparison rests on, and whether the two sides assumed the same.
func assumptions(before, after Report) string {
	s := fmt.Sprintf("%s list prices of %s, at %g requests/s, %g KB each", after.PricesRegion, after.PricesDate,
		after.RequestsPerSecond, after.KBPerRequest)
	if before.PricesDate != after.PricesDate || before.RequestsPerSecond != after.RequestsPerSecond || before.KBPerRequest != after.KBPerRequest {
		s += fmt.Sprintf(" (the base assumed prices of %s, %g requests/s, %g KB)", before.PricesDate, before.RequestsPerSecond, before.KBPerRequest)
	}
	return s
}

// WriteDiffText prints the comparison for a terminal.
func WriteDiffText(w io.Writer, before, after Report) error {
	head := fmt.Sprintf("Monthly cost of stack %s: $%.2f => $%.2f (%s); %s.\n", after.Stack, before.USDPerMonth, after.USDPerMonth,
		Money(round(after.USDPerMonth-before.USDPerMonth)), assumptions(before, after))
	return writeDiff(w, head, "  ", "  no item changes\n", Diff(before, after))
}

// WriteDiffMarkdown prints the comparison for a pull request comment.
func WriteDiffMarkdown(w io.Writer, before, after Report) error {
	head := fmt.Sprintf("### Monthly cost: stack `%s`\n\n**%s**: $%.2f to $%.2f (%s).\n\n", after.Stack,
		Money(round(after.USDPerMonth-before.USDPerMonth)), before.USDPerMonth, after.USDPerMonth, assumptions(before, after))
	return writeDiff(w, head, "- ", "No item changes.\n", Diff(before, after))
}

func writeDiff(w io.Writer, head, bullet, none string, changes []Change) error {
	var b strings.Builder
	b.WriteString(head)
	for _, c := range changes {
		b.WriteString(bullet + c.Line() + "\n")
	}
	if len(changes) == 0 {
		b.WriteString(none)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
