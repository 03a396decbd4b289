package configref

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

const (
	stacksDir = "../../stacks"
	page      = "../../docs/configuration.md"
)

// The page's keys, defaults and meanings are the code's: a changed default or comment without
// `go generate ./stacks` fails here.
func TestPageIsCurrent(t *testing.T) {
	current, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	want, err := Page(current, stacksDir)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(current, want) {
		t.Errorf("%s is stale: run `go generate ./stacks` and commit it", page)
	}
}

// Every config field says what it does; the generator refuses one that does not.
func TestEveryFieldIsDocumented(t *testing.T) {
	docs, err := ParseDocs(stacksDir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Blocks(docs); err != nil {
		t.Fatal(err)
	}
	delete(docs["WAFConfig"], "RateLimit")
	if _, err := Blocks(docs); err == nil || !strings.Contains(err.Error(), "WAFConfig.RateLimit") {
		t.Errorf("a field without a comment must be refused by name, got %v", err)
	}
}

func TestRenderedDefaults(t *testing.T) {
	docs, err := ParseDocs(stacksDir)
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := Blocks(docs)
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]Row{}
	for _, b := range blocks {
		for _, r := range b.Rows {
			rows[r.Key] = r
		}
	}
	for key, want := range map[string]string{
		"exposure":                    "`service`",
		"waf.rateLimit":               "`2000`",
		"waf.enabled":                 "`false`",
		"app.selector":                "`{app: retail-api}`",
		"ingress.name":                "`retail-api`",
		"cluster.amiType":             "Amazon Linux 2023 for the instance type's architecture", // its Default: line
		"accessLogs.bucket":           "a new bucket",
		"controller.roleArn":          "(none)",
		"tags":                        "`{managed-by: pulumi, project: retail-api-edge, stack: <stack>}`",
		"healthCheck.intervalSeconds": "`15`",
	} {
		if got := rows[key].Default; got != want {
			t.Errorf("%s: default %q, want %q", key, got, want)
		}
	}
	if m := rows["waf.rateLimit"].Meaning; !strings.Contains(m, "5 minutes") {
		t.Errorf("waf.rateLimit's meaning is not its comment: %q", m)
	}
}
