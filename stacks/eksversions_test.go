package stacks

import (
	"strings"
	"testing"
	"time"
)

// TestKubernetesVersionSupport: a new cluster's version is judged on the day: refused once EKS no
// longer runs it, allowed with a warning (and billed at the extended rate) once it has left
// standard support, and the default is in standard support.
func TestKubernetesVersionSupport(t *testing.T) {
	tests := []struct {
		day, version string
		wantErr      string // "": valid
		extended     bool
	}{
		{"2026-12-01", defaultKubernetesVersion, "", false},
		{"2026-12-01", "1.34", "", false}, // its last day of standard support is 2026-12-02
		{"2026-12-01", "1.33", "", true},
		{"2026-12-01", "1.36", "", false}, // newer than the table: left to EKS
		{"2028-01-01", "1.34", "left EKS extended support on 2027-12-02", false},
		{"2026-12-01", "1.31", "no longer supported by EKS", false},
	}
	for _, tt := range tests {
		t.Run(tt.day+" "+tt.version, func(t *testing.T) {
			day, err := time.Parse(time.DateOnly, tt.day)
			if err != nil {
				t.Fatal(err)
			}
			today = func() time.Time { return day }
			t.Cleanup(func() { today = time.Now })
			cfg, err := Decode("s", With(K("cluster"), `{"create": true, "kubernetesVersion": "`+tt.version+`"}`))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("want %q, got %v", tt.wantErr, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			warned := strings.Contains(strings.Join(cfg.Warnings, "\n"), "extended-support rates")
			if warned != tt.extended || CostOf(cfg).Cluster.ExtendedSupport != tt.extended {
				t.Errorf("extended support: warned %v, billed %v, want %v (%v)", warned, CostOf(cfg).Cluster.ExtendedSupport, tt.extended, cfg.Warnings)
			}
		})
	}
}

func TestDefaultAMIFollowsTheInstanceArchitecture(t *testing.T) {
	for instance, want := range map[string]string{
		"t3.medium": "AL2023_x86_64_STANDARD", "m7g.large": "AL2023_ARM_64_STANDARD", "c7gn.xlarge": "AL2023_ARM_64_STANDARD",
		"g5.xlarge": "AL2023_x86_64_STANDARD", "r8gd.large": "AL2023_ARM_64_STANDARD",
	} {
		if got := defaultAMIType(instance); got != want {
			t.Errorf("%s: %s, want %s", instance, got, want)
		}
	}
}
