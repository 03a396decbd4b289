package stacks

import (
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// eksVersions are the Kubernetes versions EKS supports, with the ends of standard and extended
// support (EKS user guide, "Understand the Kubernetes version lifecycle on EKS",
// docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html; 1.35 from AWS's release
// announcement of 2026-01-28 plus the 14 + 12 months every version gets). A version past its
// extended support cannot be created; one in extended support is billed $0.60 an hour instead of
// $0.10 (EKS pricing).
var eksVersions = []struct {
	version       string
	standard, ext string // last days, YYYY-MM-DD
}{
	{"1.32", "2026-03-23", "2027-03-23"},
	{"1.33", "2026-07-29", "2027-07-29"},
	{"1.34", "2026-12-02", "2027-12-02"},
	{"1.35", "2027-03-27", "2028-03-27"},
}

// defaultKubernetesVersion is the newest version the table knows, in standard support until 2027-03-27.
const defaultKubernetesVersion = "1.35"

// today is the date support is judged on; tests fix it.
var today = time.Now

var k8sVersionRe = regexp.MustCompile(`^1\.(\d{2})$`)

// checkKubernetesVersion refuses a version EKS no longer runs and warns of the cost of one in
// extended support (a stack made in standard support keeps working when it gets there); versions
// newer than the table are left to EKS.
func checkKubernetesVersion(v *validator, version string) {
	if !k8sVersionRe.MatchString(version) {
		v.check(false, k("cluster.kubernetesVersion"), "must look like %s, got %q", defaultKubernetesVersion, version)
		return
	}
	oldest := eksVersions[0]
	if minor(version) < minor(oldest.version) {
		v.check(false, k("cluster.kubernetesVersion"), "%s is no longer supported by EKS; use %s", version, defaultKubernetesVersion)
		return
	}
	for _, s := range eksVersions {
		if s.version != version {
			continue
		}
		day := today().UTC().Format(time.DateOnly)
		v.check(day <= s.ext, k("cluster.kubernetesVersion"), "%s left EKS extended support on %s; use %s",
			version, s.ext, defaultKubernetesVersion)
		if inExtendedSupport(version) && day <= s.ext {
			v.warn(k("cluster.kubernetesVersion"), "%s left EKS standard support on %s: the cluster is billed at "+
				"extended-support rates ($0.60 an hour instead of $0.10) until you upgrade to %s (one minor version at a time)",
				version, s.standard, defaultKubernetesVersion)
		}
	}
}

// inExtendedSupport says whether a known version has left standard support today.
func inExtendedSupport(version string) bool {
	day := today().UTC().Format(time.DateOnly)
	for _, s := range eksVersions {
		if s.version == version {
			return day > s.standard
		}
	}
	return false
}

func minor(version string) int {
	m := k8sVersionRe.FindStringSubmatch(version)
	n, _ := strconv.Atoi(m[1])
	return n
}

// amiTypes are the managed node group AMIs this program accepts (EKS API reference, Nodegroup
// amiType), by processor architecture: Amazon Linux 2023 and Bottlerocket, the AMIs EKS publishes
// for Kubernetes 1.33 and later. pulumi-aws v6 has no enum to check them against (sdk/go/aws/eks at
// v6.83.4 has no pulumiEnums.go; NodeGroupArgs.AmiType and ClusterArgs.Version are plain strings),
// so the EKS API reference is the source for both tables.
var amiTypes = map[string]string{
	"AL2023_x86_64_STANDARD": "x86_64",
	"AL2023_ARM_64_STANDARD": "arm64",
	"BOTTLEROCKET_x86_64":    "x86_64",
	"BOTTLEROCKET_ARM_64":    "arm64",
}

// gravitonRe matches the instance families of AWS Graviton (arm64) processors: a "g" right after
// the generation digit (t4g, m7g, c7gn, r8gd), as EC2 names them.
var gravitonRe = regexp.MustCompile(`^[a-z]+\d+g[a-z]*\.`)

// architecture is an instance type's processor architecture.
func architecture(instanceType string) string {
	if gravitonRe.MatchString(instanceType) {
		return "arm64"
	}
	return "x86_64"
}

// defaultAMIType is Amazon Linux 2023 for the instance type's architecture.
func defaultAMIType(instanceType string) string {
	if architecture(instanceType) == "arm64" {
		return "AL2023_ARM_64_STANDARD"
	}
	return "AL2023_x86_64_STANDARD"
}

// checkAMIType refuses an AMI AWS does not publish for managed node groups of today's versions, or
// one whose architecture is not the instance type's.
func checkAMIType(v *validator, ami, instanceType string) {
	arch, known := amiTypes[ami]
	if !known {
		v.check(false, k("cluster.amiType"), "must be one of %s (Amazon Linux 2 has no AMI for Kubernetes 1.33 and later), got %q",
			strings.Join(slices.Sorted(maps.Keys(amiTypes)), ", "), ami)
		return
	}
	v.check(arch == architecture(instanceType), k("cluster.amiType"),
		"%s is for %s, and %s is an %s instance type", ami, arch, instanceType, architecture(instanceType))
}
