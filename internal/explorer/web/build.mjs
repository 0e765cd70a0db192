// Builds the explorer's assets into ../assets: explorer.js and explorer.css
// (GraphiQL, React and graphql-ws bundled and minified from entry.jsx) and
// THIRD_PARTY_LICENSES.txt (the license of every package in the bundle,
// found from esbuild's metafile). Run with `make explorer-assets`.
import * as esbuild from 'esbuild';
import { readFileSync, writeFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const out = new URL('../assets/', import.meta.url).pathname;

const result = await esbuild.build({
  entryPoints: { explorer: 'entry.jsx' },
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020'],
  outdir: out,
  define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
  // Licenses go into THIRD_PARTY_LICENSES.txt whole, not as comments.
  legalComments: 'none',
  // The bundle is committed: the same input always writes the same bytes.
  charset: 'utf8',
  metafile: true,
  logLevel: 'warning',
});

// Every package a byte of the bundle came from, with its license text.
const packages = new Set();
for (const input of Object.keys(result.metafile.inputs)) {
  const m = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//g);
  if (m) packages.add(m[m.length - 1].replace(/^node_modules\//, '').replace(/\/$/, ''));
}
let text = 'The explorer bundles these packages (name@version, license):\n\n';
const missing = [];
for (const name of [...packages].sort()) {
  const dir = join('node_modules', name);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
  text += `================================================================\n${name}@${pkg.version} (${pkg.license})\n\n`;
  if (file) {
    text += readFileSync(join(dir, file), 'utf8').trim() + '\n\n';
  } else {
    missing.push(name);
    text += `(no license file in the package; its package.json says ${pkg.license})\n\n`;
  }
}
writeFileSync(join(out, 'THIRD_PARTY_LICENSES.txt'), text);
for (const f of ['explorer.js', 'explorer.css']) {
  if (!existsSync(join(out, f))) throw new Error(`esbuild wrote no ${f}`);
}
console.log(`explorer assets: ${packages.size} packages bundled` + (missing.length ? `; no license file in ${missing.join(', ')}` : ''));
