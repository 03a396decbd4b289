package main

import "github.com/spf13/pflag"

// defaultStack is what plan and cost read when --stack is not given: the demo stack, which is
// what a newcomer runs first.
const defaultStack = "demo"

// stackSource is where a command reads a stack's settings from: --stack, --config-file, --dir.
// plan and cost declare all three with it, audit --stack and --dir, so each flag is declared once.
type stackSource struct {
	stack, configFile, dir string
}

// add declares --stack (with def as its default and usage as its help), --dir and, with
// configFile, --config-file.
func (s *stackSource) add(fl *pflag.FlagSet, def, usage string, configFile bool) {
	fl.StringVarP(&s.stack, "stack", "s", def, usage)
	if configFile {
		fl.StringVar(&s.configFile, "config-file", "", "read the stack's settings from this file instead")
	}
	fl.StringVar(&s.dir, "dir", "", "project directory (default: the nearest one up from here with a Pulumi.yaml)")
}
