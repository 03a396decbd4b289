// Command configref rewrites the generated part of docs/configuration.md from the stacks package
// it runs in (`go generate ./stacks`).
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/mlops-retail/retail-api-edge/internal/configref"
)

func main() {
	out := flag.String("o", "../docs/configuration.md", "the page to update")
	src := flag.String("src", ".", "the stacks package's directory")
	flag.Parse()
	if err := run(*out, *src); err != nil {
		fmt.Fprintln(os.Stderr, "configref:", err)
		os.Exit(1)
	}
}

func run(out, src string) error {
	page, err := os.ReadFile(out)
	if err != nil {
		return err
	}
	next, err := configref.Page(page, src)
	if err != nil {
		return err
	}
	return os.WriteFile(out, next, 0o644)
}
