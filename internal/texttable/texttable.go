// Package texttable aligns rows of cells into columns for terminal output.
package texttable

import (
	"bytes"
	"strings"
	"text/tabwriter"
)

// Format aligns rows (the first is usually the header) into columns two spaces apart.
func Format(rows [][]string) string {
	var in, out bytes.Buffer
	for _, r := range rows {
		in.WriteString(strings.Join(r, "\t") + "\n")
	}
	tw := tabwriter.NewWriter(&out, 0, 0, 2, ' ', 0)
	// Writes to a bytes.Buffer cannot fail, so neither can the tabwriter's.
	_, _ = tw.Write(in.Bytes())
	_ = tw.Flush()
	return out.String()
}
