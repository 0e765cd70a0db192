// Runs the graphql-http server audit (GraphQL over HTTP spec conformance)
// against the URL given as the only argument and prints one JSON document:
// {"results":[{id,name,status,reason,httpStatus,contentType,body}]}.
// The Go test (internal/server/audit_test.go) judges the results, so this
// script exits non-zero only when the audit itself could not run.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs URL');
  process.exit(2);
}

const results = [];
// One audit at a time: the report is easier to read in order, and the
// server's logs interleave less.
for (const audit of serverAudits({ url })) {
  const r = await audit.fn();
  const out = { id: r.id, name: r.name, status: r.status };
  if (r.status !== 'ok') {
    out.reason = r.reason;
    out.httpStatus = r.response?.status;
    out.contentType = r.response?.headers?.get('content-type') ?? '';
    try {
      // The audit may have read the body already; then there is none to show.
      out.body = (await r.response.text()).slice(0, 500);
    } catch {
      out.body = '(already read by the audit)';
    }
  }
  results.push(out);
}
process.stdout.write(JSON.stringify({ results }) + '\n');
