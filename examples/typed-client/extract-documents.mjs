// Writes every GraphQL document of a Markdown file into a folder of .graphql
// documents, so the typed client is generated for exactly the documents the
// README shows, whatever it shows today: each ```graphql (or ~~~graphql)
// fenced block, and each document inside a shell block's commands (a curl
// JSON body's "query", a GET's query=…, a single-quoted operation given to a
// program such as examples/subscribe), since the README's examples are
// commands a test runs as they are.
//
//   node extract-documents.mjs ../../README.md documents
//
// A block holding only schema definitions (SDL shown as an illustration)
// is skipped; a block that does not parse fails with its line number, so a
// broken README example fails CI. The folder's old .graphql files go first.
import { readFileSync, writeFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, basename } from 'node:path';
import { parse, Kind } from 'graphql';

export function extract(markdown) {
  const lines = markdown.split(/\r?\n/);
  const blocks = [];
  let open = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!open) {
      const m = line.match(/^(\s*)(`{3,}|~{3,})\s*([^\s`]*)/);
      if (m) open = { indent: m[1].length, fence: m[2], lang: m[3].toLowerCase(), start: i + 1, body: [] };
      continue;
    }
    const close = line.match(/^\s*(`{3,}|~{3,})\s*$/);
    if (close && close[1][0] === open.fence[0] && close[1].length >= open.fence.length) {
      if (open.lang === 'graphql' || open.lang === 'gql') blocks.push({ line: open.start, text: open.body.join('\n') });
      if (open.lang === 'sh' || open.lang === 'bash' || open.lang === 'shell') {
        for (const text of commandDocuments(open.body.join('\n'))) blocks.push({ line: open.start, text });
      }
      open = null;
      continue;
    }
    // A block inside a list item is indented like its fence.
    open.body.push(line.slice(Math.min(open.indent, line.length - line.trimStart().length)));
  }
  return blocks;
}

// commandDocuments finds the GraphQL documents in shell commands: the
// "query" member of a JSON body, a GET's query=…, and a single-quoted
// argument that starts with an operation keyword.
export function commandDocuments(sh) {
  const docs = [];
  for (const m of sh.matchAll(/"query"\s*:\s*("(?:[^"\\]|\\.)*")/g)) docs.push(JSON.parse(m[1]));
  for (const m of sh.matchAll(/'query=([^']*)'/g)) docs.push(m[1]);
  for (const m of sh.matchAll(/'((?:query|mutation|subscription)[\s{(][^']*)'/g)) docs.push(m[1]);
  return docs;
}

function isExecutable(def) {
  return def.kind === Kind.OPERATION_DEFINITION || def.kind === Kind.FRAGMENT_DEFINITION;
}

function main([readme = '../../README.md', out = 'documents'] = []) {
  const blocks = extract(readFileSync(readme, 'utf8'));
  mkdirSync(out, { recursive: true });
  for (const f of readdirSync(out)) if (f.endsWith('.graphql')) rmSync(join(out, f));
  let written = 0;
  const problems = [];
  for (const b of blocks) {
    let doc;
    try {
      doc = parse(b.text);
    } catch (err) {
      problems.push(`${readme}:${b.line + (err.locations?.[0]?.line ?? 1)}: ${err.message}`);
      continue;
    }
    if (!doc.definitions.some(isExecutable)) continue;
    if (!doc.definitions.every(isExecutable)) {
      problems.push(`${readme}:${b.line + 1}: a block mixes operations with schema definitions`);
      continue;
    }
    written++;
    const name = `readme-${String(written).padStart(2, '0')}.graphql`;
    writeFileSync(join(out, name), `# ${basename(readme)} line ${b.line + 1}\n${b.text.trim()}\n`);
  }
  if (problems.length) {
    console.error(problems.join('\n'));
    process.exit(1);
  }
  console.log(`${readme}: ${blocks.length} documents found, ${written} written to ${out}/`);
  if (written === 0) {
    console.error(`${readme} shows no GraphQL operation: the typed client would check nothing of it`);
    process.exit(1);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main(process.argv.slice(2));
