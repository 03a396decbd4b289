package stackconfig

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func write(t *testing.T, dir, name, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestLoadPassesConfigLikeTheEngine: full keys, objects as JSON, secrets blinded and listed.
func TestLoadPassesConfigLikeTheEngine(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "Pulumi.yaml", "name: proj\nruntime: go\n")
	write(t, dir, "Pulumi.dev.yaml", `config:
  aws:region: eu-west-1
  proj:app:
    port: 8080
    selector:
      app: x
  proj:token:
    secure: AAABAJ5u9H3ifY0K1dYtZHb0MXJeUlHmQ5ZbTu5yNi0=
`)
	st, err := Load(dir, "dev", "")
	if err != nil {
		t.Fatal(err)
	}
	if st.Project != "proj" || st.Stack != "dev" || st.Config["aws:region"] != "eu-west-1" {
		t.Errorf("unexpected stack: %+v", st)
	}
	if got := st.Config["proj:app"]; got != `{"port":8080,"selector":{"app":"x"}}` {
		t.Errorf("objects must arrive as JSON, got %s", got)
	}
	if st.Config["proj:token"] != "[secret]" || !slices.Contains(st.SecretKeys, "proj:token") {
		t.Errorf("secrets must be blinded and listed: %q %v", st.Config["proj:token"], st.SecretKeys)
	}
}

func TestLoadUnknownStack(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "Pulumi.yaml", "name: proj\nruntime: go\n")
	write(t, dir, "Pulumi.demo.yaml", "config: {}\n")
	_, err := Load(dir, "dmeo", "")
	if err == nil || !strings.Contains(err.Error(), "Pulumi.demo.yaml") {
		t.Fatalf("an unknown stack must list the stacks there are, got %v", err)
	}
}
