import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_BIN, PACKAGE_ROOT } from '../src/util/paths.js';

/**
 * The benign-corpus check: real third-party code and text that holds no live secrets — the installed
 * node_modules, the system's Python library and man pages — scanned with every rule. Prints findings
 * per 100 MB and each remaining finding by rule, so that each can be judged: a real test key shipped
 * in a package, or a false positive to fix.
 *
 *   node dist/bench/benign.js [DIR…]
 */
const dirs = process.argv.slice(2).length
  ? process.argv.slice(2)
  : [join(PACKAGE_ROOT, 'node_modules'), '/usr/lib/python3', '/usr/share/man', '/usr/share/doc', '/usr/include'].filter((d) => existsSync(d));
const cli = CLI_BIN;
const r = spawnSync('node', [cli, 'scan', ...dirs, '--no-default-excludes', '-q', '--format', 'json'], { encoding: 'utf8', maxBuffer: 1 << 30 });
if (r.status === 2) throw new Error(r.stderr);
const report = JSON.parse(r.stdout) as {
  findings: Array<{ ruleId: string; file: string; line: number; snippet: string }>;
  summary: { bytesScanned: number; filesScanned: number; durationMs: number };
};
const mb = report.summary.bytesScanned / 1e6;
console.log(`benign corpus: ${dirs.join(', ')}`);
console.log(`  ${report.summary.filesScanned} files, ${mb.toFixed(0)} MB of text in ${(report.summary.durationMs / 1000).toFixed(1)} s`);
console.log(`  ${report.findings.length} findings = ${((report.findings.length / mb) * 100).toFixed(2)} per 100 MB`);
const byRule = new Map<string, typeof report.findings>();
for (const f of report.findings) byRule.set(f.ruleId, [...(byRule.get(f.ruleId) ?? []), f]);
for (const [rule, list] of [...byRule].sort((a, b) => b[1].length - a[1].length)) {
  console.log(`  ${String(list.length).padStart(4)}  ${rule}`);
  for (const f of list.slice(0, 3)) console.log(`          ${f.file}:${f.line}  ${f.snippet.slice(0, 140)}`);
}
