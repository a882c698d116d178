import type { ReportedFinding, Reporter, RunInfo } from '../types.js';

/**
 * Readable terminal output. Findings of the same secret are grouped: the secret once, then every
 * place it occurs. A summary closes the report, including what was skipped and why.
 */
export const textReporter: Reporter = (findings, run) => {
  const out: string[] = [];
  const groups = new Map<string, ReportedFinding[]>();
  for (const f of findings) {
    const key = `${f.ruleId}\0${f.secretHash}`;
    const list = groups.get(key);
    if (list) list.push(f);
    else groups.set(key, [f]);
  }
  for (const places of groups.values()) {
    const first = places[0] as ReportedFinding;
    out.push(`${first.severity.toUpperCase().padEnd(8)} ${first.ruleName} [${first.ruleId}]`);
    out.push(`  secret       ${first.secret}${first.redacted ? '' : '   (shown because of --show-secrets)'}`);
    for (const [name, value] of Object.entries(first.parts ?? {})) out.push(`  ${name.padEnd(12)} ${value}`);
    if (first.verdict.status !== 'unverified' || first.verdict.reason !== 'verification off') out.push(`  verdict      ${verdictText(first)}`);
    for (const f of places) {
      out.push(`  at           ${f.file}:${f.line}:${f.column}${originText(f)}${f.encoding ? `  (${f.encoding.join(' → ')}-encoded)` : ''}`);
      out.push(`               ${f.snippet.trim()}`);
      out.push(`  fingerprint  ${f.fingerprint}`);
    }
    out.push('');
  }
  out.push(summaryText(run));
  return `${out.join('\n')}\n`;
};

function verdictText(f: ReportedFinding): string {
  const v = f.verdict;
  if (v.status === 'live') {
    const who = v.identity ? Object.entries(v.identity).map(([k, val]) => `${k}=${val}`).join(' ') : '';
    return `LIVE${who ? ` (${who})` : ''}  [${v.verifier}]`;
  }
  if (v.status === 'unknown') return `unknown (${v.reason})  [${v.verifier}]`;
  if (v.status === 'dead') return `dead  [${v.verifier}]`;
  return `unverified (${v.reason})`;
}

function originText(f: ReportedFinding): string {
  const o = f.origin;
  if (o.kind === 'git') return `  commit ${o.commit.slice(0, 12)} by ${o.author} <${o.email}> on ${o.date}${o.removedIn ? `, removed in ${o.removedIn.slice(0, 12)}` : ''}`;
  return '';
}

export function summaryText(run: RunInfo): string {
  const s = run.summary;
  const lines: string[] = [];
  const sev = Object.entries(s.bySeverity)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  lines.push(
    s.findings === 0
      ? `No secrets found.`
      : `${s.findings} finding(s) of ${s.distinctSecrets} distinct secret(s)${sev ? `: ${sev}` : ''}.`,
  );
  lines.push(`Scanned ${s.filesScanned} file(s), ${formatBytes(s.bytesScanned)} in ${(s.durationMs / 1000).toFixed(2)} s.`);
  const skipped = Object.entries(s.skipped).filter(([, n]) => n > 0);
  if (skipped.length) lines.push(`Skipped: ${skipped.map(([k, n]) => `${n} ${k}`).join(', ')}.`);
  const sup = Object.entries(s.suppressed).filter(([, n]) => n > 0);
  if (sup.length) lines.push(`Suppressed: ${sup.map(([k, n]) => `${n} by ${k}`).join(', ')}.`);
  const v = s.verification;
  if (v) lines.push(`Verified: ${v.live} live, ${v.dead} dead, ${v.unknown} unknown, ${v.unverified} unverified.`);
  if (s.warnings.length) lines.push(`${s.warnings.length} warning(s) (see above or --format json).`);
  return lines.join('\n');
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1 << 20) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1 << 30) return `${(n / (1 << 20)).toFixed(1)} MB`;
  return `${(n / (1 << 30)).toFixed(2)} GB`;
}
