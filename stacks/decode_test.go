package stacks

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// base is the smallest valid configuration.
func base() map[string]string { return map[string]string{RegionKey: "us-east-1"} }

func with(kv ...string) map[string]string {
	raw := base()
	for i := 0; i+1 < len(kv); i += 2 {
		raw[kv[i]] = kv[i+1]
	}
	return raw
}

func TestDefaults(t *testing.T) {
	cfg, err := Decode("demo", base())
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"exposure", cfg.Exposure, ExposeService},
		{"cluster", cfg.Cluster.Name, "mlops-retail-cluster"},
		{"namespace", cfg.App.Namespace, "mlops"},
		{"service", cfg.App.ServiceName, "retail-api-svc"},
		{"selector", cfg.App.Selector["app"], "retail-api"},
		{"port", cfg.App.Port, 80},
		{"targetPort", cfg.App.TargetPort, 8000},
		{"healthPath", cfg.App.HealthPath, "/health"},
		{"loadBalancer", cfg.Service.LoadBalancer, "nlb"},
		{"interval", cfg.Health.IntervalSeconds, 15},
		{"tag project", cfg.Tags["project"], Project},
		{"tag stack", cfg.Tags["stack"], "demo"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestDecodeMergesObjectsOverDefaults(t *testing.T) {
	cfg, err := Decode("s", with(k("app"), `{"port": 8080, "selector": {"tier": "api"}}`, k("tags"), `{"owner": "me", "managed-by": "x"}`))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.App.Port != 8080 || cfg.App.TargetPort != 8000 || cfg.App.Namespace != "mlops" {
		t.Errorf("unset app keys must keep defaults: %+v", cfg.App)
	}
	if len(cfg.App.Selector) != 1 || cfg.App.Selector["tier"] != "api" {
		t.Errorf("a given selector replaces the default one, got %v", cfg.App.Selector)
	}
	if cfg.Tags["owner"] != "me" || cfg.Tags["managed-by"] != "x" || cfg.Tags["stack"] != "s" {
		t.Errorf("user tags add to and override defaults, got %v", cfg.Tags)
	}
}

// TestInvalidConfig lists what a new user gets wrong; each must fail naming the key, with a hint.
func TestInvalidConfig(t *testing.T) {
	tests := []struct {
		name string
		raw  map[string]string
		key  string // the full key the message must start with
		hint string // a fragment of the explanation
	}{
		{"no region", map[string]string{}, "aws:region", "is required"},
		{"bad region", with(RegionKey, "US East"), "aws:region", "not an AWS region"},
		{"typo top-level key", with(k("exposre"), "service"), k("exposre"), `did you mean "exposure"`},
		{"unknown top-level key", with(k("foo"), "1"), k("foo"), "allowed keys: accessLogs, alarms, app, cluster"},
		{"nested key set without --path", with(k("app.handOverTo"), "prod"), k("app.handOverTo"), "pulumi config set --path retail-api-edge:app.handOverTo"},
		{"typo nested key", with(k("app"), `{"nmespace": "x"}`), k("app.nmespace"), `did you mean "namespace"`},
		{"wrong case nested key", with(k("app"), `{"Port": 80}`), k("app.Port"), `did you mean "port"`},
		{"object given a string", with(k("app"), "mlops"), k("app"), "must be an object"},
		{"port as string", with(k("app"), `{"port": "80"}`), k("app.port"), "must be a whole number, got string"},
		{"port as float", with(k("app"), `{"port": 80.5}`), k("app.port"), "must be a whole number"},
		{"port out of range", with(k("app"), `{"port": 70000}`), k("app.port"), "between 1 and 65535, got 70000"},
		{"port zero", with(k("app"), `{"targetPort": 0}`), k("app.targetPort"), "between 1 and 65535, got 0"},
		{"negative port", with(k("app"), `{"port": -1}`), k("app.port"), "got -1"},
		{"bad exposure", with(k("exposure"), "nodeport"), k("exposure"), `must be one of ["ingress" "service"]`},
		{"unpinned chart", with(k("controller"), `{"chartVersion": "latest"}`), k("controller.chartVersion"), "exact chart version"},
		{"http chart repo", with(k("controller"), `{"repository": "http://charts.example"}`), k("controller.repository"), "https://"},
		{"unknown policy version", with(k("controller"), `{"policyVersion": "v2.7.0"}`), k("controller.policyVersion"), "v3.5.0"},
		{"zero controller replicas", with(k("controller"), `{"replicas": 0}`), k("controller.replicas"), "between 2 and 10"},
		{"unknown large-body action", with(k("exposure"), "ingress", k("waf"), `{"enabled": true, "largeBodies": "allow"}`), k("waf.largeBodies"), `"count"`},
		{"one controller replica: a drain stops the webhook", with(k("controller"), `{"replicas": 1}`), k("controller.replicas"), "node drain"},
		{"bad TLS policy", with(k("controller"), `{"defaultSSLPolicy": "TLS1.3"}`), k("controller.defaultSSLPolicy"), "ELB security policy"},
		{"ALB name too long", with(k("ingress"), `{"loadBalancerName": "a-very-long-load-balancer-name-over-32"}`), k("ingress.loadBalancerName"), "at most 32"},
		{"bad success codes", with(k("ingress"), `{"successCodes": "ok"}`), k("ingress.successCodes"), "HTTP codes"},
		{"idle timeout zero", with(k("ingress"), `{"idleTimeoutSeconds": 0}`), k("ingress.idleTimeoutSeconds"), "between 1 and 4000"},
		{"TLS without a domain", with(k("exposure"), "ingress", k("tls"), `{"enabled": true}`), k("tls.enabled"), "needs retail-api-edge:domain.name"},
		{"domain without a zone", with(k("exposure"), "ingress", k("domain"), `{"name": "api.example.com"}`), k("domain.zoneName"), "is required"},
		{"domain outside the zone", with(k("exposure"), "ingress", k("domain"), `{"name": "api.example.org", "zoneName": "example.com"}`), k("domain.name"), "outside the hosted zone"},
		{"alternative name outside the zone", with(k("exposure"), "ingress", k("domain"), `{"name": "api.example.com", "zoneName": "example.com", "alternativeNames": ["x.other.com"]}`), k("domain.alternativeNames[0]"), "outside the hosted zone"},
		{"zone without a domain", with(k("exposure"), "ingress", k("domain"), `{"zoneName": "example.com"}`), k("domain.name"), "is required"},
		{"upper-case domain", with(k("exposure"), "ingress", k("domain"), `{"name": "API.example.com", "zoneName": "example.com"}`), k("domain.name"), "lower-case DNS name"},
		{"WAF with Option A", with(k("waf"), `{"enabled": true}`), k("waf.enabled"), "applies to the ALB only"},
		{"access logs with Option A", with(k("accessLogs"), `{"enabled": true}`), k("accessLogs.enabled"), "applies to the ALB only"},
		{"TLS with Option A", with(k("tls"), `{"enabled": true}`), k("tls.enabled"), "applies to the ALB only"},
		{"rate limit too low", with(k("exposure"), "ingress", k("waf"), `{"enabled": true, "rateLimit": 5}`), k("waf.rateLimit"), "between 10 and 2000000000"},
		{"rate limit too high", with(k("exposure"), "ingress", k("waf"), `{"rateLimit": 3000000000}`), k("waf.rateLimit"), "between 10"},
		{"unknown rule group", with(k("exposure"), "ingress", k("waf"), `{"managedRuleGroups": ["CommonRuleSet"]}`), k("waf.managedRuleGroups[0]"), "not one of AWS's managed rule groups"},
		{"rule group with a plausible name AWS does not have", with(k("exposure"), "ingress", k("waf"), `{"enabled": true, "managedRuleGroups": ["AWSManagedRulesDjangoRuleSet"]}`), k("waf.managedRuleGroups[0]"), "not one of AWS's managed rule groups"},
		{"rule group that needs its own configuration", with(k("exposure"), "ingress", k("waf"), `{"enabled": true, "managedRuleGroups": ["AWSManagedRulesBotControlRuleSet"]}`), k("waf.managedRuleGroups[0]"), "works only with its own configuration"},
		{"duplicate rule group", with(k("exposure"), "ingress", k("waf"), `{"managedRuleGroups": ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesCommonRuleSet"]}`), k("waf.managedRuleGroups[1]"), "listed twice"},
		{"retention zero", with(k("exposure"), "ingress", k("accessLogs"), `{"retentionDays": 0}`), k("accessLogs.retentionDays"), "between 1 and 3650"},
		{"retention too long", with(k("exposure"), "ingress", k("accessLogs"), `{"retentionDays": 5000}`), k("accessLogs.retentionDays"), "between 1 and 3650"},
		{"bad bucket name", with(k("exposure"), "ingress", k("accessLogs"), `{"bucket": "My_Bucket"}`), k("accessLogs.bucket"), "not an S3 bucket name"},
		// S3's full naming rules, not a pattern: each of these matches [a-z0-9.-]{3,63}.
		{"bucket named like an IP address", with(k("exposure"), "ingress", k("accessLogs"), `{"enabled": true, "bucket": "192.168.5.4"}`), k("accessLogs.bucket"), "IP address"},
		{"bucket with S3's reserved prefix", with(k("exposure"), "ingress", k("accessLogs"), `{"enabled": true, "bucket": "xn--logs"}`), k("accessLogs.bucket"), `must not start with "xn--"`},
		{"bucket with S3's reserved suffix", with(k("exposure"), "ingress", k("accessLogs"), `{"enabled": true, "bucket": "logs-s3alias"}`), k("accessLogs.bucket"), `must not end with "-s3alias"`},
		{"bucket with two dots in a row", with(k("exposure"), "ingress", k("accessLogs"), `{"enabled": true, "bucket": "logs..prod"}`), k("accessLogs.bucket"), "two dots"},
		{"prefix with slash", with(k("exposure"), "ingress", k("accessLogs"), `{"prefix": "/logs/"}`), k("accessLogs.prefix"), "without leading or trailing /"},
		{"bad TLS policy name", with(k("exposure"), "ingress", k("tls"), `{"sslPolicy": "TLSv1.2"}`), k("tls.sslPolicy"), "ELB security policy"},
		{"typo in controller", with(k("controller"), `{"replica": 2}`), k("controller.replica"), `did you mean "replicas"`},
		{"bad lb flavour", with(k("service"), `{"loadBalancer": "alb"}`), k("service.loadBalancer"), `must be "nlb"`},
		{"malformed CIDR", with(k("service"), `{"sourceRanges": ["10.0.0.0/33"]}`), k("service.sourceRanges[0]"), "not a CIDR"},
		{"CIDR not a list", with(k("service"), `{"sourceRanges": "10.0.0.0/8"}`), k("service.sourceRanges"), "must be a list"},
		{"CIDR with host bits", with(k("service"), `{"sourceRanges": ["0.0.0.0/0", "10.1.2.3/8"]}`), k("service.sourceRanges[1]"), `did you mean "10.0.0.0/8"`},
		{"bad namespace", with(k("app"), `{"namespace": "MLOps"}`), k("app.namespace"), "not a valid Kubernetes namespace name"},
		{"bad service name", with(k("app"), `{"serviceName": "9svc"}`), k("app.serviceName"), "start with an alphabetic character"},
		// The API server's label-key rules: a prefix must be a DNS subdomain.
		{"selector key with an upper-case prefix", with(k("app"), `{"selector": {"Example.com/app": "api"}}`), k("app.selector"), "not a valid Kubernetes label key"},
		{"selector key with an empty name", with(k("app"), `{"selector": {"example.com/": "api"}}`), k("app.selector"), "not a valid Kubernetes label key"},
		{"empty selector", with(k("app"), `{"selector": {}}`), k("app.selector"), "at least one label"},
		{"bad selector value", with(k("app"), `{"selector": {"app": "a b"}}`), k("app.selector.app"), "not a valid Kubernetes label value"},
		{"selector value not string", with(k("app"), `{"selector": {"app": 1}}`), k("app.selector.app"), "must be a string"},
		{"health path without slash", with(k("app"), `{"healthPath": "health"}`), k("app.healthPath"), "must start with /"},
		{"health path with a control character", with(k("app"), `{"healthPath": "/health\u0007"}`), k("app.healthPath"), "control characters"},
		{"health path with a query", with(k("app"), `{"healthPath": "/health?full=1"}`), k("app.healthPath"), "no spaces, control characters, ? or #"},
		{"health path with a broken escape", with(k("app"), `{"healthPath": "/health%zz"}`), k("app.healthPath"), "hex escape"},
		{"one replica", with(k("app"), `{"image": "repo/api:1", "replicas": 1}`), k("app.replicas"), "between 2"},
		{"bad image", with(k("app"), `{"image": "has space"}`), k("app.image"), "not a container image"},
		{"bad cluster name", with(k("cluster"), `{"name": "-x"}`), k("cluster.name"), "not a valid EKS cluster name"},
		{"create as string", with(k("cluster"), `{"create": "yes"}`), k("cluster.create"), "must be true or false"},
		{"nodes out of order", with(k("cluster"), `{"create": true, "minNodes": 3, "desiredNodes": 2}`), k("cluster.desiredNodes"), "minNodes <= desiredNodes"},
		{"bad k8s version", with(k("cluster"), `{"create": true, "kubernetesVersion": "v1.30"}`), k("cluster.kubernetesVersion"), "must look like 1.35"},
		{"vpc without create", with(k("cluster"), `{"vpcId": "vpc-0123456789abcdef0"}`), k("cluster.vpcId"), "only applies with cluster.create: true or cluster.kubeconfig"},
		{"subnets without create", with(k("cluster"), `{"kubeconfig": "/k", "vpcId": "vpc-0123456789abcdef0", "publicSubnetIds": ["subnet-0123456789abcdef0"]}`), k("cluster.publicSubnetIds"), "only applies with cluster.create"},
		{"kubeconfig with create", with(k("cluster"), `{"create": true, "kubeconfig": "/k"}`), k("cluster.kubeconfig"), "cannot be combined with cluster.create"},
		{"context without kubeconfig", with(k("cluster"), `{"context": "dev"}`), k("cluster.context"), "needs retail-api-edge:cluster.kubeconfig"},
		{"kubeconfig B without VPC", with(k("exposure"), "ingress", k("cluster"), `{"kubeconfig": "/k"}`, k("controller"), `{"roleArn": "arn:aws:iam::123456789012:role/lbc"}`), k("cluster.vpcId"), "controller needs the cluster's VPC ID"},
		{"kubeconfig B without role", with(k("exposure"), "ingress", k("cluster"), `{"kubeconfig": "/k", "vpcId": "vpc-0123456789abcdef0"}`), k("controller.roleArn"), "is required with cluster.kubeconfig"},
		{"kubeconfig B creating OIDC", with(k("exposure"), "ingress", k("cluster"), `{"kubeconfig": "/k", "vpcId": "vpc-0123456789abcdef0", "createOidcProvider": true}`, k("controller"), `{"roleArn": "arn:aws:iam::123456789012:role/lbc"}`), k("cluster.createOidcProvider"), "needs the EKS lookup"},
		{"bad role ARN", with(k("controller"), `{"roleArn": "arn:aws:iam::12:role/x"}`), k("controller.roleArn"), "not an IAM role ARN"},
		{"bad vpc id", with(k("cluster"), `{"create": true, "vpcId": "vpc-1"}`), k("cluster.vpcId"), "not a VPC ID"},
		{"vpc with one subnet", with(k("cluster"), `{"create": true, "vpcId": "vpc-0123456789abcdef0", "publicSubnetIds": ["subnet-0123456789abcdef0"]}`), k("cluster.publicSubnetIds"), "at least two"},
		{"bad subnet id", with(k("cluster"), `{"create": true, "vpcId": "vpc-0123456789abcdef0", "publicSubnetIds": ["subnet-0123456789abcdef0", "sub-2"]}`), k("cluster.publicSubnetIds[1]"), "not a subnet ID"},
		{"timeout >= interval", with(k("healthCheck"), `{"intervalSeconds": 5, "timeoutSeconds": 5}`), k("healthCheck.timeoutSeconds"), "less than"},
		{"interval too long", with(k("healthCheck"), `{"intervalSeconds": 301}`), k("healthCheck.intervalSeconds"), "between 5 and 300"},
		{"threshold too high", with(k("healthCheck"), `{"healthyThreshold": 11}`), k("healthCheck.healthyThreshold"), "between 2 and 10"},
		{"classic timeout", with(k("service"), `{"loadBalancer": "classic"}`, k("healthCheck"), `{"intervalSeconds": 100, "timeoutSeconds": 61}`), k("healthCheck.timeoutSeconds"), "between 2 and 60"},
		{"aws tag prefix", with(k("tags"), `{"aws:owner": "x"}`), k("tags.aws:owner"), "must not start with aws:"},
		{"tag value not string", with(k("tags"), `{"owner": 3}`), k("tags.owner"), "must be a string"},
		{"tags a list", with(k("tags"), `["a"]`), k("tags"), "must be an object"},
		{"null object", with(k("app"), `null`), k("app"), "must be an object"},
		{"broken JSON", with(k("cluster"), `{"name": `), k("cluster"), "must be an object"},
		// Values AWS or a controller would reject, caught before anything is registered.
		{"tag value with a comma", with(k("tags"), `{"team": "ml,ops"}`), k("tags.team"), "k1=v1,k2=v2"},
		{"tag key with =", with(k("tags"), `{"a=b": "x"}`), k("tags.a=b"), "cannot contain , or ="},
		{"tag value with a trailing space", with(k("tags"), `{"team": "mlops "}`), k("tags.team"), "start or end with a space"},
		{"tag value with characters AWS refuses", with(k("tags"), `{"team": "ml<ops>"}`), k("tags.team"), "letters, digits, spaces"},
		{"too many tags with the controllers' own", with(k("tags"), manyTags(45)), k("tags"), "at most 47"},
		{"TLS policy allowing TLS 1.0", with(k("exposure"), "ingress", k("tls"), `{"sslPolicy": "ELBSecurityPolicy-2016-08"}`), k("tls.sslPolicy"), "allows TLS 1.0"},
		{"controller default allowing TLS 1.1", with(k("controller"), `{"defaultSSLPolicy": "ELBSecurityPolicy-TLS-1-1-2017-01"}`), k("controller.defaultSSLPolicy"), "allows TLS 1.1"},
		// Judged by the protocols a policy allows, not by its name: a TLS13 policy can still allow TLS 1.0.
		{"TLS 1.3 policy that still allows TLS 1.0", with(k("exposure"), "ingress", k("tls"), `{"sslPolicy": "ELBSecurityPolicy-TLS13-1-0-PQ-2025-09"}`), k("tls.sslPolicy"), "allows TLS 1.0"},
		{"TLS 1.3 policy that still allows TLS 1.1", with(k("controller"), `{"defaultSSLPolicy": "ELBSecurityPolicy-TLS13-1-1-2021-06"}`), k("controller.defaultSSLPolicy"), "allows TLS 1.1"},
		{"policy AWS does not have", with(k("exposure"), "ingress", k("tls"), `{"sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2099-01"}`), k("tls.sslPolicy"), "not an ELB security policy an ALB accepts"},
		{"success code the ALB rejects", with(k("ingress"), `{"successCodes": "200,503"}`), k("ingress.successCodes"), "from 200 to 499"},
		{"descending success range", with(k("ingress"), `{"successCodes": "299-200"}`), k("ingress.successCodes"), "from 200 to 499"},
		{"1xx success code", with(k("ingress"), `{"successCodes": "100"}`), k("ingress.successCodes"), "from 200 to 499"},
		{"certificate name over 64", with(k("exposure"), "ingress", k("tls"), `{"enabled": true}`, k("domain"),
			`{"name": "a-very-long-api-name-for-the-retail-prediction-service.eu-prod.example.com", "zoneName": "example.com"}`), k("domain.name"), "at most 64"},
		{"too many certificate names", with(k("exposure"), "ingress", k("domain"),
			`{"name": "api.example.com", "zoneName": "example.com", "alternativeNames": ["a.example.com","b.example.com","c.example.com","d.example.com","e.example.com","f.example.com","g.example.com","h.example.com","i.example.com","j.example.com"]}`),
			k("domain.alternativeNames"), "at most 9"},
		{"zone that is not a zone name", with(k("exposure"), "ingress", k("domain"), `{"name": "api.example.com", "zoneName": "*.example.com"}`), k("domain.zoneName"), "not a hosted zone name"},
		{"log prefix with a wildcard", with(k("exposure"), "ingress", k("accessLogs"), `{"enabled": true, "prefix": "logs*"}`), k("accessLogs.prefix"), "no *"},
		{"log prefix with a comma", with(k("exposure"), "ingress", k("accessLogs"), `{"enabled": true, "prefix": "a,b"}`), k("accessLogs.prefix"), "at most 512"},
		{"log prefix with a leading slash", with(k("exposure"), "ingress", k("accessLogs"), `{"enabled": true, "prefix": "/logs"}`), k("accessLogs.prefix"), "leading or trailing /"},
		// Alarm windows within what their metric source evaluates: Metrics Insights looks back 3 hours.
		{"ALB alarm window over 3 hours", with(k("exposure"), "ingress", k("alarms"), `{"enabled": true, "unhealthyMinutes": 200}`), k("alarms.unhealthyMinutes"), "between 1 and 180 minutes for a alb"},
		{"classic alarm window over a day", with(k("service"), `{"loadBalancer": "classic"}`, k("alarms"), `{"enabled": true, "unhealthyMinutes": 1441}`), k("alarms.unhealthyMinutes"), "between 1 and 1440"},
		{"no healthy floor", with(k("alarms"), `{"enabled": true, "minHealthyTargets": 0}`), k("alarms.minHealthyTargets"), "between 1 and"},
		// A handed-over Service has no load balancer: the alarms would watch nothing.
		{"alarms on a stack that hands its Service over", with(k("alarms"), `{"enabled": true}`, k("app"), `{"handOverTo": "prod"}`), k("alarms.enabled"), "runs no load balancer of its own"},
		// Settings that do nothing in the combination chosen.
		{"rate limit with WAF off", with(k("exposure"), "ingress", k("waf"), `{"rateLimit": 500}`), k("waf.rateLimit"), "has no effect without retail-api-edge:waf.enabled true"},
		{"classic load balancer with Option B", with(k("exposure"), "ingress", k("service"), `{"loadBalancer": "classic"}`), k("service.loadBalancer"), "has no effect without retail-api-edge:exposure service"},
		{"5xx threshold on an NLB", with(k("alarms"), `{"enabled": true, "errorRatePercent": 10}`), k("alarms.errorRatePercent"), "an NLB passes TCP through"},
		{"node size without cluster.create", with(k("cluster"), `{"instanceType": "m7g.large"}`), k("cluster.instanceType"), "has no effect without retail-api-edge:cluster.create true"},
		{"a relied-on controller's chart", with(k("exposure"), "ingress", k("controller"), `{"install": false, "replicas": 3}`), k("controller.replicas"), "has no effect without retail-api-edge:controller.install true"},
		{"Option B settings with Option A", with(k("ingress"), `{"loadBalancerName": "retail-api-prod"}`), k("ingress.loadBalancerName"), "has no effect without retail-api-edge:exposure ingress"},
		{"alternative names without TLS", with(k("exposure"), "ingress", k("domain"), `{"name": "api.example.com", "zoneName": "example.com", "alternativeNames": ["www.example.com"]}`), k("domain.alternativeNames"), "only the certificate carries them"},
		{"OIDC provider no role trusts", with(k("cluster"), `{"createOidcProvider": true}`), k("cluster.createOidcProvider"), "has no effect without"},
		// Clusters AWS creates today.
		{"Kubernetes version EKS no longer runs", with(k("cluster"), `{"create": true, "kubernetesVersion": "1.31"}`), k("cluster.kubernetesVersion"), "no longer supported by EKS"},
		{"Amazon Linux 2 nodes", with(k("cluster"), `{"create": true, "amiType": "AL2_x86_64"}`), k("cluster.amiType"), "Amazon Linux 2 has no AMI"},
		{"arm64 AMI on an x86 instance", with(k("cluster"), `{"create": true, "instanceType": "t3.medium", "amiType": "AL2023_ARM_64_STANDARD"}`), k("cluster.amiType"), "t3.medium is an x86_64 instance type"},
		// Settings the program's own providers would silently ignore.
		{"default tags for the AWS provider", with("aws:defaultTags", `{"tags": {"a": "b"}}`), "aws:defaultTags", "retail-api-edge:tags"},
		{"credentials in the stack", with("aws:accessKey", "AKIAEXAMPLE"), "aws:accessKey", "credential chain"},
		{"an aws: setting the provider does not take", with("aws:skipRegionValidation", "true"), "aws:skipRegionValidation", "aws:profile"},
		{"an aws: setting of the wrong type", with("aws:maxRetries", "many"), "aws:maxRetries", "must be a whole number"},
		{"an external ID get-token cannot pass", with("aws:assumeRole", `{"roleArn": "arn:aws:iam::123456789012:role/deploy", "externalId": "x"}`), "aws:assumeRole.externalId", "cannot pass an external ID"},
		{"a kubernetes: setting", with("kubernetes:context", "dev"), "kubernetes:context", "retail-api-edge:cluster.kubeconfig"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode("s", tt.raw)
			if err == nil {
				t.Fatal("want an error, got none")
			}
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("want a ConfigError, got %T: %v", err, err)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.key+": ") || !strings.Contains(msg, tt.hint) {
				t.Errorf("message must name %q and say %q, got:\n%s", tt.key, tt.hint, msg)
			}
			if strings.Contains(msg, "json:") || strings.Contains(msg, "goroutine") {
				t.Errorf("message leaks internals: %s", msg)
			}
		})
	}
}

// manyTags is a tags object with n entries.
func manyTags(n int) string {
	m := map[string]string{}
	for i := range n {
		m[fmt.Sprintf("t%d", i)] = "x"
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// TestStackNameMustFitDerivedNames: the WAF web ACL is named after the stack, and WAF refuses a
// dot; the message names the key that turns the ACL on.
func TestStackNameMustFitDerivedNames(t *testing.T) {
	raw := with(k("exposure"), "ingress", k("waf"), `{"enabled": true}`)
	_, err := Decode("team.prod", raw)
	if err == nil || !strings.Contains(err.Error(), k("waf.enabled")+": ") || !strings.Contains(err.Error(), `"retail-api-edge-team.prod"`) {
		t.Fatalf("want an error naming waf.enabled and the derived name, got %v", err)
	}
	if _, err := Decode("team-prod", raw); err != nil {
		t.Fatalf("a plain stack name must pass: %v", err)
	}
}

func TestAllProblemsAreReportedTogetherInKeyOrder(t *testing.T) {
	_, err := Decode("s", with(k("zzz"), "1", k("aaa"), "2"))
	var inv *InvalidConfig
	if !errors.As(err, &inv) || len(inv.Problems) != 2 {
		t.Fatalf("want two problems, got %v", err)
	}
	if !strings.HasPrefix(inv.Problems[0].Error(), k("aaa")) {
		t.Errorf("problems must be in key order, got %v", inv.Problems)
	}
}

// TestAWSSettingsReachTheProvider: the program's AWS provider is explicit, so it reads no aws:
// setting by itself; the ones it honours are passed on, and the kubeconfig authenticates as the same
// principal (`aws eks get-token` with the profile and the role).
func TestAWSSettingsReachTheProvider(t *testing.T) {
	raw := with("aws:profile", "mlops-dev", "aws:allowedAccountIds", `["123456789012"]`, "aws:maxRetries", "7",
		"aws:assumeRole", `{"roleArn": "arn:aws:iam::123456789012:role/deploy", "sessionName": "ci"}`, "pulumi:disable-default-providers", `["*"]`)
	p := planOf(t, raw)
	aws := p.Find("pulumi:providers:aws")[0]
	checks := []struct {
		name      string
		got, want any
	}{
		{"profile", aws.Value("profile"), "mlops-dev"},
		{"allowed accounts", fmt.Sprint(aws.Value("allowedAccountIds")), "[123456789012]"},
		{"retries", aws.Value("maxRetries"), 7.0},
		{"assumed role", aws.Value("assumeRole", "roleArn"), "arn:aws:iam::123456789012:role/deploy"},
		{"session name", aws.Value("assumeRole", "sessionName"), "ci"},
		{"region", aws.Value("region"), "us-east-1"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
	kubeconfig := p.Find("pulumi:providers:kubernetes")[0].Value("kubeconfig").(string)
	for _, want := range []string{`"AWS_PROFILE"`, `"mlops-dev"`, `"--role-arn","arn:aws:iam::123456789012:role/deploy"`} {
		if !strings.Contains(kubeconfig, want) {
			t.Errorf("the kubeconfig's aws eks get-token must act as the provider does (%s): %s", want, kubeconfig)
		}
	}
}

// FuzzDecodeNeverPanics feeds arbitrary values to every key: errors are fine, panics are not.
func FuzzDecodeNeverPanics(f *testing.F) {
	for _, seed := range []string{`{"port": 1e99}`, `{"selector": null}`, `[]`, `"x"`, `{"a":{"b":1}}`} {
		f.Add("app", seed)
	}
	f.Fuzz(func(_ *testing.T, key, value string) {
		_, _ = Decode("s", with(k(key), value, k("cluster"), value, k("tags"), value))
	})
}

// FuzzAcceptedValuesReachAWSCleanly: whatever the decoder accepts for tags, TLS policy, success
// codes and log prefix is something AWS and the controllers' k=v,... annotations can carry. The
// checks here are written apart from validate.go, so a gap in one shows against the other.
func FuzzAcceptedValuesReachAWSCleanly(f *testing.F) {
	seeds := [][4]string{
		{"team", "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09", "200", "retail-api"},
		{"a,b", "ELBSecurityPolicy-2016-08", "200-299", "logs*"},
		{"x=y", "ELBSecurityPolicy-TLS-1-1-2017-01", "199,500", "a/b"},
		{" pad ", "ELBSecurityPolicy-FS-1-2-Res-2020-10", "299-200", "/lead"},
		{"ünïcode", "ELBSecurityPolicy-TLS-1-2-2017-01", "200,204,301-399", "AWSLogs"},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1], s[2], s[3])
	}
	f.Fuzz(func(t *testing.T, tag, policy, codes, prefix string) {
		q := func(v any) string { b, _ := json.Marshal(v); return string(b) }
		raw := with(k("exposure"), "ingress",
			k("tags"), q(map[string]string{tag: tag}),
			k("tls"), q(map[string]any{"enabled": true, "sslPolicy": policy}),
			k("domain"), `{"name": "api.example.com", "zoneName": "example.com"}`,
			k("ingress"), q(map[string]any{"successCodes": codes}),
			k("accessLogs"), q(map[string]any{"enabled": true, "prefix": prefix}))
		cfg, err := Decode("s", raw)
		if err != nil {
			return
		}
		for key, val := range cfg.Tags {
			if strings.ContainsAny(key+val, ",=") || strings.TrimSpace(key) != key || strings.TrimSpace(val) != val {
				t.Errorf("accepted tag %q=%q breaks the k=v,... annotations", key, val)
			}
		}
		if old := []string{"2016-08", "2015-05", "TLS-1-0", "TLS-1-1", "FS-2018-06", "FS-1-1"}; slices.ContainsFunc(old, func(o string) bool {
			return strings.Contains(cfg.TLS.SSLPolicy, o) && !strings.Contains(cfg.TLS.SSLPolicy, "TLS13")
		}) {
			t.Errorf("accepted TLS policy %q allows TLS 1.0/1.1", cfg.TLS.SSLPolicy)
		}
		for part := range strings.SplitSeq(cfg.Ingress.SuccessCodes, ",") {
			for code := range strings.SplitSeq(part, "-") {
				if n, err := strconv.Atoi(code); err != nil || n < 200 || n > 499 {
					t.Errorf("accepted success code %q, which an ALB refuses", code)
				}
			}
		}
		if p := cfg.AccessLogs.Prefix; strings.ContainsAny(p, "*?,= ") || strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") || strings.Contains(p, "AWSLogs") {
			t.Errorf("accepted log prefix %q, which S3, the bucket policy or the annotation would misread", p)
		}
	})
}
