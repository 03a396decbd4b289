package doctor

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/mlops-retail/retail-api-edge/internal/texttable"
)

// Text writes one line per check (status, check, evidence) and, under every non-ok one, its fix;
// then a count.
func Text(w io.Writer, results []Result) error {
	var rows [][]string
	counts := map[Status]int{}
	for _, r := range results {
		counts[r.Status]++
		// The status column is always four wide, so lines read (and grep) the same in every run.
		rows = append(rows, []string{fmt.Sprintf("%-4s", r.Status), r.Check, r.Evidence})
		if r.Fix != "" && r.Status != OK {
			rows = append(rows, []string{"", "", "fix: " + r.Fix})
		}
	}
	var b strings.Builder
	b.WriteString(texttable.Format(rows))
	fmt.Fprintf(&b, "\n%d checks: %d ok, %d warn, %d FAIL, %d skipped\n", len(results), counts[OK], counts[Warn], counts[Fail], counts[Skip])
	_, err := io.WriteString(w, b.String())
	return err
}

// Report is the JSON output.
type Report struct {
	Failed  bool     `json:"failed"`
	Results []Result `json:"results"`
}

// JSON writes the results as a Report.
func JSON(w io.Writer, results []Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(Report{Failed: Failed(results), Results: results})
}
