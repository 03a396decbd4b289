// Command edgectl is the day-2 companion of the retail-api-edge Pulumi program. `edgectl plan`
// runs the program offline and prints the resources it would create; it needs no cloud account.
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
)

func main() {
	if err := newRoot(os.Stdout, os.Stderr).Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "edgectl",
		Short: "Plan, check and clean up the Retail API's public endpoint",
		Long: "edgectl works beside the retail-api-edge Pulumi program.\n\n" +
			"Start with `edgectl plan --stack demo`: it runs the program offline and shows what `pulumi up` would create.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(newPlanCmd(), newVerifyCmd(), newLoadtestCmd(), newAuditCmd(), newCostCmd(), newDoctorCmd())
	return root
}
