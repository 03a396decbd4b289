package stacks_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mlops-retail/retail-api-edge/internal/lbkind"
	"github.com/mlops-retail/retail-api-edge/stacks"
)

func TestDefaults(t *testing.T) {
	cfg, err := stacks.Decode("demo", stacks.Base())
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"exposure", cfg.Exposure, stacks.ExposeService},
		{"cluster", cfg.Cluster.Name, "mlops-retail-cluster"},
		{"namespace", cfg.App.Namespace, "mlops"},
		{"service", cfg.App.ServiceName, "retail-api-svc"},
		{"selector", cfg.App.Selector["app"], "retail-api"},
		{"port", cfg.App.Port, 80},
		{"targetPort", cfg.App.TargetPort, 8000},
		{"healthPath", cfg.App.HealthPath, "/health"},
		{"loadBalancer", cfg.Service.LoadBalancer, lbkind.NLB},
		{"interval", cfg.Health.IntervalSeconds, 15},
		{"tag project", cfg.Tags["project"], stacks.Project},
		{"tag stack", cfg.Tags["stack"], "demo"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestDecodeMergesObjectsOverDefaults(t *testing.T) {
	cfg, err := stacks.Decode("s", stacks.With(stacks.K("app"), `{"port": 8080, "selector": {"tier": "api"}}`, stacks.K("tags"), `{"owner": "me", "managed-by": "x"}`))
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
		{"bad region", stacks.With(stacks.RegionKey, "US East"), "aws:region", "not an AWS region"},
		{"typo top-level key", stacks.With(stacks.K("exposre"), "service"), stacks.K("exposre"), `did you mean "exposure"`},
		{"unknown top-level key", stacks.With(stacks.K("foo"), "1"), stacks.K("foo"), "allowed keys: accessLogs, alarms, app, cluster"},
		{"nested key set without --path", stacks.With(stacks.K("app.handOverTo"), "prod"), stacks.K("app.handOverTo"), "pulumi config set --path retail-api-edge:app.handOverTo"},
		{"typo nested key", stacks.With(stacks.K("app"), `{"nmespace": "x"}`), stacks.K("app.nmespace"), `did you mean "namespace"`},
		{"wrong case nested key", stacks.With(stacks.K("app"), `{"Port": 80}`), stacks.K("app.Port"), `did you mean "port"`},
		{"object given a string", stacks.With(stacks.K("app"), "mlops"), stacks.K("app"), "must be an object"},
		{"port as string", stacks.With(stacks.K("app"), `{"port": "80"}`), stacks.K("app.port"), "must be a whole number, got string"},
		{"port as float", stacks.With(stacks.K("app"), `{"port": 80.5}`), stacks.K("app.port"), "must be a whole number"},
		{"port beyond an int", stacks.With(stacks.K("app"), `{"port": 99999999999999999999}`), stacks.K("app.port"), "must be a whole number, got number"},
		{"port out of range", stacks.With(stacks.K("app"), `{"port": 70000}`), stacks.K("app.port"), "between 1 and 65535, got 70000"},
		{"port zero", stacks.With(stacks.K("app"), `{"targetPort": 0}`), stacks.K("app.targetPort"), "between 1 and 65535, got 0"},
		{"negative port", stacks.With(stacks.K("app"), `{"port": -1}`), stacks.K("app.port"), "got -1"},
		{"bad exposure", stacks.With(stacks.K("exposure"), "nodeport"), stacks.K("exposure"), `must be one of ["gateway" "ingress" "service"]`},
		{"unpinned chart", stacks.With(stacks.K("controller"), `{"chartVersion": "latest"}`), stacks.K("controller.chartVersion"), "exact chart version"},
		{"http chart repo", stacks.With(stacks.K("controller"), `{"repository": "http://charts.example"}`), stacks.K("controller.repository"), "https://"},
		{"unknown policy version", stacks.With(stacks.K("controller"), `{"policyVersion": "v2.7.0"}`), stacks.K("controller.policyVersion"), "v3.5.0"},
		{"zero controller replicas", stacks.With(stacks.K("controller"), `{"replicas": 0}`), stacks.K("controller.replicas"), "between 2 and 10"},
		{"unknown large-body action", stacks.With(stacks.K("exposure"), "ingress", stacks.K("waf"), `{"enabled": true, "largeBodies": "allow"}`), stacks.K("waf.largeBodies"), `"count"`},
		{"one controller replica: a drain stops the webhook", stacks.With(stacks.K("controller"), `{"replicas": 1}`), stacks.K("controller.replicas"), "node drain"},
		{"bad TLS policy", stacks.With(stacks.K("controller"), `{"defaultSSLPolicy": "TLS1.3"}`), stacks.K("controller.defaultSSLPolicy"), "ELB security policy"},
		{"ALB name too long", stacks.With(stacks.K("ingress"), `{"loadBalancerName": "a-very-long-load-balancer-name-over-32"}`), stacks.K("ingress.loadBalancerName"), "at most 32"},
		{"bad success codes", stacks.With(stacks.K("ingress"), `{"successCodes": "ok"}`), stacks.K("ingress.successCodes"), "HTTP codes"},
		{"idle timeout zero", stacks.With(stacks.K("ingress"), `{"idleTimeoutSeconds": 0}`), stacks.K("ingress.idleTimeoutSeconds"), "between 1 and 4000"},
		{"TLS without a domain", stacks.With(stacks.K("exposure"), "ingress", stacks.K("tls"), `{"enabled": true}`), stacks.K("tls.enabled"), "needs retail-api-edge:domain.name"},
		{"domain without a zone", stacks.With(stacks.K("exposure"), "ingress", stacks.K("domain"), `{"name": "api.example.com"}`), stacks.K("domain.zoneName"), "is required"},
		{"domain outside the zone", stacks.With(stacks.K("exposure"), "ingress", stacks.K("domain"), `{"name": "api.example.org", "zoneName": "example.com"}`), stacks.K("domain.name"), "outside the hosted zone"},
		{"alternative name outside the zone", stacks.With(stacks.K("exposure"), "ingress", stacks.K("domain"), `{"name": "api.example.com", "zoneName": "example.com", "alternativeNames": ["x.other.com"]}`), stacks.K("domain.alternativeNames[0]"), "outside the hosted zone"},
		{"zone without a domain", stacks.With(stacks.K("exposure"), "ingress", stacks.K("domain"), `{"zoneName": "example.com"}`), stacks.K("domain.name"), "is required"},
		{"upper-case domain", stacks.With(stacks.K("exposure"), "ingress", stacks.K("domain"), `{"name": "API.example.com", "zoneName": "example.com"}`), stacks.K("domain.name"), "lower-case DNS name"},
		{"WAF with Option A", stacks.With(stacks.K("waf"), `{"enabled": true}`), stacks.K("waf.enabled"), "applies to the ALB only"},
		{"access logs with Option A", stacks.With(stacks.K("accessLogs"), `{"enabled": true}`), stacks.K("accessLogs.enabled"), "applies to the ALB only"},
		{"TLS with Option A", stacks.With(stacks.K("tls"), `{"enabled": true}`), stacks.K("tls.enabled"), "applies to the ALB only"},
		{"rate limit too low", stacks.With(stacks.K("exposure"), "ingress", stacks.K("waf"), `{"enabled": true, "rateLimit": 5}`), stacks.K("waf.rateLimit"), "between 10 and 2000000000"},
		{"rate limit too high", stacks.With(stacks.K("exposure"), "ingress", stacks.K("waf"), `{"rateLimit": 3000000000}`), stacks.K("waf.rateLimit"), "between 10"},
		{"unknown rule group", stacks.With(stacks.K("exposure"), "ingress", stacks.K("waf"), `{"managedRuleGroups": ["CommonRuleSet"]}`), stacks.K("waf.managedRuleGroups[0]"), "not one of AWS's managed rule groups"},
		{"rule group with a plausible name AWS does not have", stacks.With(stacks.K("exposure"), "ingress", stacks.K("waf"), `{"enabled": true, "managedRuleGroups": ["AWSManagedRulesDjangoRuleSet"]}`), stacks.K("waf.managedRuleGroups[0]"), "not one of AWS's managed rule groups"},
		{"rule group that needs its own configuration", stacks.With(stacks.K("exposure"), "ingress", stacks.K("waf"), `{"enabled": true, "managedRuleGroups": ["AWSManagedRulesBotControlRuleSet"]}`), stacks.K("waf.managedRuleGroups[0]"), "works only with its own configuration"},
		{"duplicate rule group", stacks.With(stacks.K("exposure"), "ingress", stacks.K("waf"), `{"managedRuleGroups": ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesCommonRuleSet"]}`), stacks.K("waf.managedRuleGroups[1]"), "listed twice"},
		{"retention zero", stacks.With(stacks.K("exposure"), "ingress", stacks.K("accessLogs"), `{"retentionDays": 0}`), stacks.K("accessLogs.retentionDays"), "between 1 and 3650"},
		{"retention too long", stacks.With(stacks.K("exposure"), "ingress", stacks.K("accessLogs"), `{"retentionDays": 5000}`), stacks.K("accessLogs.retentionDays"), "between 1 and 3650"},
		{"bad bucket name", stacks.With(stacks.K("exposure"), "ingress", stacks.K("accessLogs"), `{"bucket": "My_Bucket"}`), stacks.K("accessLogs.bucket"), "not an S3 bucket name"},
		// S3's full naming rules, not a pattern: each of these matches [a-z0-9.-]{3,63}.
		{"bucket named like an IP address", stacks.With(stacks.K("exposure"), "ingress", stacks.K("accessLogs"), `{"enabled": true, "bucket": "192.168.5.4"}`), stacks.K("accessLogs.bucket"), "IP address"},
		{"bucket with S3's reserved prefix", stacks.With(stacks.K("exposure"), "ingress", stacks.K("accessLogs"), `{"enabled": true, "bucket": "xn--logs"}`), stacks.K("accessLogs.bucket"), `must not start with "xn--"`},
		{"bucket with S3's reserved suffix", stacks.With(stacks.K("exposure"), "ingress", stacks.K("accessLogs"), `{"enabled": true, "bucket": "logs-s3alias"}`), stacks.K("accessLogs.bucket"), `must not end with "-s3alias"`},
		{"bucket with two dots in a row", stacks.With(stacks.K("exposure"), "ingress", stacks.K("accessLogs"), `{"enabled": true, "bucket": "logs..prod"}`), stacks.K("accessLogs.bucket"), "two dots"},
		{"prefix with slash", stacks.With(stacks.K("exposure"), "ingress", stacks.K("accessLogs"), `{"prefix": "/logs/"}`), stacks.K("accessLogs.prefix"), "without leading or trailing /"},
		{"bad TLS policy name", stacks.With(stacks.K("exposure"), "ingress", stacks.K("tls"), `{"sslPolicy": "TLSv1.2"}`), stacks.K("tls.sslPolicy"), "ELB security policy"},
		{"typo in controller", stacks.With(stacks.K("controller"), `{"replica": 2}`), stacks.K("controller.replica"), `did you mean "replicas"`},
		{"bad lb flavour", stacks.With(stacks.K("service"), `{"loadBalancer": "alb"}`), stacks.K("service.loadBalancer"), `must be "nlb"`},
		{"malformed CIDR", stacks.With(stacks.K("service"), `{"sourceRanges": ["10.0.0.0/33"]}`), stacks.K("service.sourceRanges[0]"), "not a CIDR"},
		{"CIDR not a list", stacks.With(stacks.K("service"), `{"sourceRanges": "10.0.0.0/8"}`), stacks.K("service.sourceRanges"), "must be a list"},
		{"CIDR with host bits", stacks.With(stacks.K("service"), `{"sourceRanges": ["0.0.0.0/0", "10.1.2.3/8"]}`), stacks.K("service.sourceRanges[1]"), `did you mean "10.0.0.0/8"`},
		{"bad namespace", stacks.With(stacks.K("app"), `{"namespace": "MLOps"}`), stacks.K("app.namespace"), "not a valid Kubernetes namespace name"},
		{"bad service name", stacks.With(stacks.K("app"), `{"serviceName": "9svc"}`), stacks.K("app.serviceName"), "start with an alphabetic character"},
		// The API server's label-key rules: a prefix must be a DNS subdomain.
		{"selector key with an upper-case prefix", stacks.With(stacks.K("app"), `{"selector": {"Example.com/app": "api"}}`), stacks.K("app.selector"), "not a valid Kubernetes label key"},
		{"selector key with an empty name", stacks.With(stacks.K("app"), `{"selector": {"example.com/": "api"}}`), stacks.K("app.selector"), "not a valid Kubernetes label key"},
		{"empty selector", stacks.With(stacks.K("app"), `{"selector": {}}`), stacks.K("app.selector"), "at least one label"},
		{"bad selector value", stacks.With(stacks.K("app"), `{"selector": {"app": "a b"}}`), stacks.K("app.selector.app"), "not a valid Kubernetes label value"},
		{"selector value not string", stacks.With(stacks.K("app"), `{"selector": {"app": 1}}`), stacks.K("app.selector.app"), "must be a string"},
		{"health path without slash", stacks.With(stacks.K("app"), `{"healthPath": "health"}`), stacks.K("app.healthPath"), "must start with /"},
		{"health path with a control character", stacks.With(stacks.K("app"), `{"healthPath": "/health\u0007"}`), stacks.K("app.healthPath"), "control characters"},
		{"health path with a query", stacks.With(stacks.K("app"), `{"healthPath": "/health?full=1"}`), stacks.K("app.healthPath"), "no spaces, control characters, ? or #"},
		{"health path with a broken escape", stacks.With(stacks.K("app"), `{"healthPath": "/health%zz"}`), stacks.K("app.healthPath"), "hex escape"},
		{"one replica", stacks.With(stacks.K("app"), `{"image": "repo/api:1", "replicas": 1}`), stacks.K("app.replicas"), "between 2"},
		{"bad image", stacks.With(stacks.K("app"), `{"image": "has space"}`), stacks.K("app.image"), "not a container image"},
		{"bad cluster name", stacks.With(stacks.K("cluster"), `{"name": "-x"}`), stacks.K("cluster.name"), "not a valid EKS cluster name"},
		{"create as string", stacks.With(stacks.K("cluster"), `{"create": "yes"}`), stacks.K("cluster.create"), "must be true or false"},
		{"nodes out of order", stacks.With(stacks.K("cluster"), `{"create": true, "minNodes": 3, "desiredNodes": 2}`), stacks.K("cluster.desiredNodes"), "minNodes <= desiredNodes"},
		{"bad k8s version", stacks.With(stacks.K("cluster"), `{"create": true, "kubernetesVersion": "v1.30"}`), stacks.K("cluster.kubernetesVersion"), "must look like 1.35"},
		{"vpc without create", stacks.With(stacks.K("cluster"), `{"vpcId": "vpc-0123456789abcdef0"}`), stacks.K("cluster.vpcId"), "only applies with cluster.create: true or cluster.kubeconfig"},
		{"subnets without create", stacks.With(stacks.K("cluster"), `{"kubeconfig": "/k", "vpcId": "vpc-0123456789abcdef0", "publicSubnetIds": ["subnet-0123456789abcdef0"]}`), stacks.K("cluster.publicSubnetIds"), "only applies with cluster.create"},
		{"kubeconfig with create", stacks.With(stacks.K("cluster"), `{"create": true, "kubeconfig": "/k"}`), stacks.K("cluster.kubeconfig"), "cannot be combined with cluster.create"},
		{"context without kubeconfig", stacks.With(stacks.K("cluster"), `{"context": "dev"}`), stacks.K("cluster.context"), "needs retail-api-edge:cluster.kubeconfig"},
		{"kubeconfig B without VPC", stacks.With(stacks.K("exposure"), "ingress", stacks.K("cluster"), `{"kubeconfig": "/k"}`, stacks.K("controller"), `{"roleArn": "arn:aws:iam::123456789012:role/lbc"}`), stacks.K("cluster.vpcId"), "controller needs the cluster's VPC ID"},
		{"kubeconfig B without role", stacks.With(stacks.K("exposure"), "ingress", stacks.K("cluster"), `{"kubeconfig": "/k", "vpcId": "vpc-0123456789abcdef0"}`), stacks.K("controller.roleArn"), "is required with cluster.kubeconfig"},
		{"kubeconfig B creating OIDC", stacks.With(stacks.K("exposure"), "ingress", stacks.K("cluster"), `{"kubeconfig": "/k", "vpcId": "vpc-0123456789abcdef0", "createOidcProvider": true}`, stacks.K("controller"), `{"roleArn": "arn:aws:iam::123456789012:role/lbc"}`), stacks.K("cluster.createOidcProvider"), "needs the EKS lookup"},
		{"bad role ARN", stacks.With(stacks.K("controller"), `{"roleArn": "arn:aws:iam::12:role/x"}`), stacks.K("controller.roleArn"), "not an IAM role ARN"},
		{"bad vpc id", stacks.With(stacks.K("cluster"), `{"create": true, "vpcId": "vpc-1"}`), stacks.K("cluster.vpcId"), "not a VPC ID"},
		{"vpc with one subnet", stacks.With(stacks.K("cluster"), `{"create": true, "vpcId": "vpc-0123456789abcdef0", "publicSubnetIds": ["subnet-0123456789abcdef0"]}`), stacks.K("cluster.publicSubnetIds"), "at least two"},
		{"bad subnet id", stacks.With(stacks.K("cluster"), `{"create": true, "vpcId": "vpc-0123456789abcdef0", "publicSubnetIds": ["subnet-0123456789abcdef0", "sub-2"]}`), stacks.K("cluster.publicSubnetIds[1]"), "not a subnet ID"},
		{"timeout >= interval", stacks.With(stacks.K("healthCheck"), `{"intervalSeconds": 5, "timeoutSeconds": 5}`), stacks.K("healthCheck.timeoutSeconds"), "less than"},
		{"interval too long", stacks.With(stacks.K("healthCheck"), `{"intervalSeconds": 301}`), stacks.K("healthCheck.intervalSeconds"), "between 5 and 300"},
		{"threshold too high", stacks.With(stacks.K("healthCheck"), `{"healthyThreshold": 11}`), stacks.K("healthCheck.healthyThreshold"), "between 2 and 10"},
		{"classic timeout", stacks.With(stacks.K("service"), `{"loadBalancer": "classic"}`, stacks.K("healthCheck"), `{"intervalSeconds": 100, "timeoutSeconds": 61}`), stacks.K("healthCheck.timeoutSeconds"), "between 2 and 60"},
		{"aws tag prefix", stacks.With(stacks.K("tags"), `{"aws:owner": "x"}`), stacks.K("tags.aws:owner"), "must not start with aws:"},
		{"tag value not string", stacks.With(stacks.K("tags"), `{"owner": 3}`), stacks.K("tags.owner"), "must be a string"},
		{"tags a list", stacks.With(stacks.K("tags"), `["a"]`), stacks.K("tags"), "must be an object"},
		{"null object", stacks.With(stacks.K("app"), `null`), stacks.K("app"), "must be an object"},
		{"broken JSON", stacks.With(stacks.K("cluster"), `{"name": `), stacks.K("cluster"), "must be an object"},
		// Values AWS or a controller would reject, caught before anything is registered.
		{"tag value with a comma", stacks.With(stacks.K("tags"), `{"team": "ml,ops"}`), stacks.K("tags.team"), "k1=v1,k2=v2"},
		{"tag key with =", stacks.With(stacks.K("tags"), `{"a=b": "x"}`), stacks.K("tags.a=b"), "cannot contain , or ="},
		{"tag value with a trailing space", stacks.With(stacks.K("tags"), `{"team": "mlops "}`), stacks.K("tags.team"), "start or end with a space"},
		{"tag value with characters AWS refuses", stacks.With(stacks.K("tags"), `{"team": "ml<ops>"}`), stacks.K("tags.team"), "letters, digits, spaces"},
		{"too many tags with the controllers' own", stacks.With(stacks.K("tags"), manyTags(45)), stacks.K("tags"), "at most 47"},
		{"TLS policy allowing TLS 1.0", stacks.With(stacks.K("exposure"), "ingress", stacks.K("tls"), `{"sslPolicy": "ELBSecurityPolicy-2016-08"}`), stacks.K("tls.sslPolicy"), "allows TLS 1.0"},
		{"controller default allowing TLS 1.1", stacks.With(stacks.K("controller"), `{"defaultSSLPolicy": "ELBSecurityPolicy-TLS-1-1-2017-01"}`), stacks.K("controller.defaultSSLPolicy"), "allows TLS 1.1"},
		// Judged by the protocols a policy allows, not by its name: a TLS13 policy can still allow TLS 1.0.
		{"TLS 1.3 policy that still allows TLS 1.0", stacks.With(stacks.K("exposure"), "ingress", stacks.K("tls"), `{"sslPolicy": "ELBSecurityPolicy-TLS13-1-0-PQ-2025-09"}`), stacks.K("tls.sslPolicy"), "allows TLS 1.0"},
		{"TLS 1.3 policy that still allows TLS 1.1", stacks.With(stacks.K("controller"), `{"defaultSSLPolicy": "ELBSecurityPolicy-TLS13-1-1-2021-06"}`), stacks.K("controller.defaultSSLPolicy"), "allows TLS 1.1"},
		{"policy AWS does not have", stacks.With(stacks.K("exposure"), "ingress", stacks.K("tls"), `{"sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2099-01"}`), stacks.K("tls.sslPolicy"), "not an ELB security policy an ALB accepts"},
		{"success code the ALB rejects", stacks.With(stacks.K("ingress"), `{"successCodes": "200,503"}`), stacks.K("ingress.successCodes"), "from 200 to 499"},
		{"descending success range", stacks.With(stacks.K("ingress"), `{"successCodes": "299-200"}`), stacks.K("ingress.successCodes"), "from 200 to 499"},
		{"1xx success code", stacks.With(stacks.K("ingress"), `{"successCodes": "100"}`), stacks.K("ingress.successCodes"), "from 200 to 499"},
		{"certificate name over 64", stacks.With(stacks.K("exposure"), "ingress", stacks.K("tls"), `{"enabled": true}`, stacks.K("domain"),
			`{"name": "a-very-long-api-name-for-the-retail-prediction-service.eu-prod.example.com", "zoneName": "example.com"}`), stacks.K("domain.name"), "at most 64"},
		{"too many certificate names", stacks.With(stacks.K("exposure"), "ingress", stacks.K("domain"),
			`{"name": "api.example.com", "zoneName": "example.com", "alternativeNames": ["a.example.com","b.example.com","c.example.com","d.example.com","e.example.com","f.example.com","g.example.com","h.example.com","i.example.com","j.example.com"]}`),
			stacks.K("domain.alternativeNames"), "at most 9"},
		{"zone that is not a zone name", stacks.With(stacks.K("exposure"), "ingress", stacks.K("domain"), `{"name": "api.example.com", "zoneName": "*.example.com"}`), stacks.K("domain.zoneName"), "not a hosted zone name"},
		{"log prefix with a wildcard", stacks.With(stacks.K("exposure"), "ingress", stacks.K("accessLogs"), `{"enabled": true, "prefix": "logs*"}`), stacks.K("accessLogs.prefix"), "no *"},
		{"log prefix with a comma", stacks.With(stacks.K("exposure"), "ingress", stacks.K("accessLogs"), `{"enabled": true, "prefix": "a,b"}`), stacks.K("accessLogs.prefix"), "at most 512"},
		{"log prefix with a leading slash", stacks.With(stacks.K("exposure"), "ingress", stacks.K("accessLogs"), `{"enabled": true, "prefix": "/logs"}`), stacks.K("accessLogs.prefix"), "leading or trailing /"},
		// Alarm windows within what their metric source evaluates: Metrics Insights looks back 3 hours.
		{"ALB alarm window over 3 hours", stacks.With(stacks.K("exposure"), "ingress", stacks.K("alarms"), `{"enabled": true, "unhealthyMinutes": 200}`), stacks.K("alarms.unhealthyMinutes"), "between 1 and 180 minutes for a alb"},
		{"classic alarm window over a day", stacks.With(stacks.K("service"), `{"loadBalancer": "classic"}`, stacks.K("alarms"), `{"enabled": true, "unhealthyMinutes": 1441}`), stacks.K("alarms.unhealthyMinutes"), "between 1 and 1440"},
		{"no healthy floor", stacks.With(stacks.K("alarms"), `{"enabled": true, "minHealthyTargets": 0}`), stacks.K("alarms.minHealthyTargets"), "between 1 and"},
		// A handed-over Service has no load balancer: the alarms would watch nothing.
		{"alarms on a stack that hands its Service over", stacks.With(stacks.K("alarms"), `{"enabled": true}`, stacks.K("app"), `{"handOverTo": "prod"}`), stacks.K("alarms.enabled"), "runs no load balancer of its own"},
		// Settings that do nothing in the combination chosen.
		{"rate limit with WAF off", stacks.With(stacks.K("exposure"), "ingress", stacks.K("waf"), `{"rateLimit": 500}`), stacks.K("waf.rateLimit"), "has no effect without retail-api-edge:waf.enabled true"},
		{"classic load balancer with Option B", stacks.With(stacks.K("exposure"), "ingress", stacks.K("service"), `{"loadBalancer": "classic"}`), stacks.K("service.loadBalancer"), "has no effect without retail-api-edge:exposure service"},
		{"5xx threshold on an NLB", stacks.With(stacks.K("alarms"), `{"enabled": true, "errorRatePercent": 10}`), stacks.K("alarms.errorRatePercent"), "an NLB passes TCP through"},
		{"node size without cluster.create", stacks.With(stacks.K("cluster"), `{"instanceType": "m7g.large"}`), stacks.K("cluster.instanceType"), "has no effect without retail-api-edge:cluster.create true"},
		{"a relied-on controller's chart", stacks.With(stacks.K("exposure"), "ingress", stacks.K("controller"), `{"install": false, "replicas": 3}`), stacks.K("controller.replicas"), "has no effect without retail-api-edge:controller.install true"},
		{"Option B settings with Option A", stacks.With(stacks.K("ingress"), `{"loadBalancerName": "retail-api-prod"}`), stacks.K("ingress.loadBalancerName"), "has no effect without retail-api-edge:exposure ingress"},
		{"alternative names without TLS", stacks.With(stacks.K("exposure"), "ingress", stacks.K("domain"), `{"name": "api.example.com", "zoneName": "example.com", "alternativeNames": ["www.example.com"]}`), stacks.K("domain.alternativeNames"), "only the certificate carries them"},
		{"OIDC provider no role trusts", stacks.With(stacks.K("cluster"), `{"createOidcProvider": true}`), stacks.K("cluster.createOidcProvider"), "has no effect without"},
		// Clusters AWS creates today.
		{"Kubernetes version EKS no longer runs", stacks.With(stacks.K("cluster"), `{"create": true, "kubernetesVersion": "1.31"}`), stacks.K("cluster.kubernetesVersion"), "no longer supported by EKS"},
		{"Amazon Linux 2 nodes", stacks.With(stacks.K("cluster"), `{"create": true, "amiType": "AL2_x86_64"}`), stacks.K("cluster.amiType"), "Amazon Linux 2 has no AMI"},
		{"arm64 AMI on an x86 instance", stacks.With(stacks.K("cluster"), `{"create": true, "instanceType": "t3.medium", "amiType": "AL2023_ARM_64_STANDARD"}`), stacks.K("cluster.amiType"), "t3.medium is an x86_64 instance type"},
		// Settings the program's own providers would silently ignore.
		{"default tags for the AWS provider", stacks.With("aws:defaultTags", `{"tags": {"a": "b"}}`), "aws:defaultTags", "retail-api-edge:tags"},
		{"credentials in the stack", stacks.With("aws:accessKey", "AKIAEXAMPLE"), "aws:accessKey", "credential chain"},
		{"an aws: setting the provider does not take", stacks.With("aws:skipRegionValidation", "true"), "aws:skipRegionValidation", "aws:profile"},
		{"an aws: setting of the wrong type", stacks.With("aws:maxRetries", "many"), "aws:maxRetries", "must be a whole number"},
		{"an external ID get-token cannot pass", stacks.With("aws:assumeRole", `{"roleArn": "arn:aws:iam::123456789012:role/deploy", "externalId": "x"}`), "aws:assumeRole.externalId", "cannot pass an external ID"},
		{"a kubernetes: setting", stacks.With("kubernetes:context", "dev"), "kubernetes:context", "retail-api-edge:cluster.kubeconfig"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := stacks.Decode("s", tt.raw)
			if err == nil {
				t.Fatal("want an error, got none")
			}
			var ce *stacks.ConfigError
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
	raw := stacks.With(stacks.K("exposure"), "ingress", stacks.K("waf"), `{"enabled": true}`)
	_, err := stacks.Decode("team.prod", raw)
	if err == nil || !strings.Contains(err.Error(), stacks.K("waf.enabled")+": ") || !strings.Contains(err.Error(), `"retail-api-edge-team.prod"`) {
		t.Fatalf("want an error naming waf.enabled and the derived name, got %v", err)
	}
	if _, err := stacks.Decode("team-prod", raw); err != nil {
		t.Fatalf("a plain stack name must pass: %v", err)
	}
}

func TestAllProblemsAreReportedTogetherInKeyOrder(t *testing.T) {
	_, err := stacks.Decode("s", stacks.With(stacks.K("zzz"), "1", stacks.K("aaa"), "2"))
	var inv *stacks.InvalidConfig
	if !errors.As(err, &inv) || len(inv.Problems) != 2 {
		t.Fatalf("want two problems, got %v", err)
	}
	if !strings.HasPrefix(inv.Problems[0].Error(), stacks.K("aaa")) {
		t.Errorf("problems must be in key order, got %v", inv.Problems)
	}
}

// TestAWSSettingsReachTheProvider: the program's AWS provider is explicit, so it reads no aws:
// setting by itself; the ones it honours are passed on, and the kubeconfig authenticates as the same
// principal (`aws eks get-token` with the profile and the role).
func TestAWSSettingsReachTheProvider(t *testing.T) {
	raw := stacks.With("aws:profile", "mlops-dev", "aws:allowedAccountIds", `["123456789012"]`, "aws:maxRetries", "7",
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
		_, _ = stacks.Decode("s", stacks.With(stacks.K(key), value, stacks.K("cluster"), value, stacks.K("tags"), value))
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
		raw := stacks.With(stacks.K("exposure"), "ingress",
			stacks.K("tags"), q(map[string]string{tag: tag}),
			stacks.K("tls"), q(map[string]any{"enabled": true, "sslPolicy": policy}),
			stacks.K("domain"), `{"name": "api.example.com", "zoneName": "example.com"}`,
			stacks.K("ingress"), q(map[string]any{"successCodes": codes}),
			stacks.K("accessLogs"), q(map[string]any{"enabled": true, "prefix": prefix}))
		cfg, err := stacks.Decode("s", raw)
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
