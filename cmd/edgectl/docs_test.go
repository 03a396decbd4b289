package main

import (
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// docs are README.md and every page under docs/, which README must link.
func docs(t *testing.T) map[string]string {
	t.Helper()
	pages, err := filepath.Glob("../../docs/*.md")
	if err != nil || len(pages) == 0 {
		t.Fatalf("no docs pages: %v", err)
	}
	out := map[string]string{}
	for _, p := range append(pages, "../../README.md") {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[strings.TrimPrefix(p, "../../")] = string(data)
	}
	return out
}

// codeSpans are the fenced code lines and inline code spans of a markdown page: where commands are.
func codeSpans(page string) []string {
	var out []string
	fenced := false
	for _, line := range strings.Split(page, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
			continue
		}
		if fenced {
			out = append(out, line)
			continue
		}
		for _, m := range inlineCode.FindAllStringSubmatch(line, -1) {
			out = append(out, m[1])
		}
	}
	return out
}

// invocation is edgectl run as a command (`edgectl ...` or `go run ./cmd/edgectl ...`), not the
// cmd/edgectl directory named in a listing.
var (
	invocation = regexp.MustCompile(`(?:^|\s|\./cmd/)edgectl +(.*)`)
	inlineCode = regexp.MustCompile("`([^`]+)`")
)

// Every edgectl command and flag the docs show must exist, so no page describes a CLI that is gone.
func TestDocsShowOnlyRealCommandsAndFlags(t *testing.T) {
	root := newRoot(io.Discard, io.Discard)
	checked := 0
	for name, page := range docs(t) {
		for _, span := range codeSpans(page) {
			m := invocation.FindStringSubmatch(span)
			if m == nil {
				continue
			}
			after, _, _ := strings.Cut(m[1], "#")
			fields := strings.Fields(after)
			if len(fields) == 0 || strings.HasPrefix(fields[0], "-") {
				continue
			}
			cmd, _, err := root.Find(fields[:1])
			if err != nil || cmd == root {
				t.Errorf("%s: `edgectl %s`: no such command", name, fields[0])
				continue
			}
			checked++
			for _, f := range fields[1:] {
				flag, _, _ := strings.Cut(f, "=")
				switch {
				case strings.HasPrefix(flag, "--"):
					if cmd.Flags().Lookup(flag[2:]) == nil {
						t.Errorf("%s: `edgectl %s %s`: no such flag", name, cmd.Name(), flag)
					}
				case strings.HasPrefix(flag, "-") && len(flag) == 2:
					if cmd.Flags().ShorthandLookup(flag[1:]) == nil {
						t.Errorf("%s: `edgectl %s %s`: no such flag", name, cmd.Name(), flag)
					}
				}
			}
		}
	}
	if checked < 10 {
		t.Errorf("checked only %d edgectl commands in the docs; the extraction is broken", checked)
	}
}

// README is the way in: it links every page, and every page it links exists.
func TestReadmeLinksEveryDocsPage(t *testing.T) {
	pages := docs(t)
	readme := pages["README.md"]
	for name := range pages {
		if name != "README.md" && !strings.Contains(readme, "]("+name+")") {
			t.Errorf("README.md does not link %s", name)
		}
	}
	for _, m := range regexp.MustCompile(`\]\((docs/[^)#]+)`).FindAllStringSubmatch(readme, -1) {
		if _, ok := pages[m[1]]; !ok {
			t.Errorf("README.md links %s, which does not exist", m[1])
		}
	}
}

// Every flag of every command is named in the docs, as --name, so a new flag cannot ship
// undocumented.
func TestEveryFlagIsDocumented(t *testing.T) {
	var all strings.Builder
	for _, page := range docs(t) {
		all.WriteString(page)
	}
	text := all.String()
	for _, cmd := range newRoot(io.Discard, io.Discard).Commands() {
		cmd.Flags().VisitAll(func(f *pflag.Flag) {
			if f.Name == "help" {
				return
			}
			if !regexp.MustCompile(`--` + regexp.QuoteMeta(f.Name) + `\b`).MatchString(text) {
				t.Errorf("edgectl %s --%s is in no docs page", cmd.Name(), f.Name)
			}
		})
	}
}
