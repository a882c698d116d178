import { levelOf, type Level } from '../src/report/level.js';
import type { ReportedFinding, ScanSummary } from '../src/types.js';
import type { RevokeOutcome } from '../src/verify/revoke.js';
import { short } from './git.js';

/** The hidden line by which the action finds its own pull-request comment again. */
export const COMMENT_MARKER = '<!-- keysweep:pr-comment -->';

/** What the reports say about a run, besides the findings. */
export interface RunFacts {
  /** What was scanned, in words. */
  scanned: string;
  commits: readonly string[];
  notes: readonly string[];
  summary: ScanSummary;
  failing: boolean;
  failOn: 'any' | 'live' | 'none';
  verified: boolean;
  revocations: ReadonlyArray<{ finding: ReportedFinding; outcome: Pick<RevokeOutcome, 'status' | 'message'> }>;
  /** `https://github.com/owner/repo`, for links; absent when unknown. */
  repoUrl?: string;
  /** The commit a finding without one of its own is shown at. */
  headSha?: string;
  runUrl?: string;
}

const SUMMARY_ROWS = 500;

/** One workflow annotation per finding, on its line. */
export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  message: string;
  title: string;
  file: string;
  startLine: number;
  startColumn: number;
}

const ANNOTATION_LEVEL: Record<Level, Annotation['level']> = { error: 'error', warning: 'warning', note: 'notice', none: 'notice' };

export function annotationOf(f: ReportedFinding): Annotation {
  const where = f.origin.kind === 'git' ? ` It was added in commit ${short(f.origin.commit)}${f.origin.removedIn ? ` and removed in ${short(f.origin.removedIn)}, but stays in the history` : ''}.` : '';
  const verdict = f.verdict.status === 'unverified' ? '' : ` Verification: ${verdictText(f.verdict)}.`;
  return {
    level: ANNOTATION_LEVEL[levelOf(f)],
    title: `${f.ruleName} (${f.ruleId})`,
    message: `${capitalize(f.severity)} secret ${f.secret} found.${where}${verdict} Revoke and rotate it, then remove it from the code; if it is not a secret, add "keysweep:allow" to the line or ${f.fingerprint} to .keysweepignore.`,
    file: f.file,
    startLine: f.line,
    startColumn: f.column,
  };
}

/** The job summary (Markdown): what was scanned, which commits, and a table of the findings. */
export function summaryMarkdown(findings: readonly ReportedFinding[], facts: RunFacts): string {
  const out = [`## ${headline(findings, facts)}`, '', `**Scanned:** ${escapeText(facts.scanned)}`, ''];
  if (facts.commits.length) {
    const shown = facts.commits.slice(0, 100).map((c) => `<code>${c}</code>`);
    const more = facts.commits.length > shown.length ? ` and ${facts.commits.length - shown.length} more (all of them are in the \`commits\` output)` : '';
    out.push(`<details><summary>Commits scanned (${facts.commits.length})</summary>`, '', `${shown.join('<br>')}${more}`, '', '</details>', '');
  }
  for (const note of facts.notes) out.push(`> [!NOTE]`, `> ${escapeText(note)}`, '');
  if (findings.length) {
    // A step summary holds at most 1 MiB; the SARIF file and the log have every finding.
    const shown = findings.slice(0, SUMMARY_ROWS);
    out.push(findingsTable(shown, facts), '');
    if (findings.length > shown.length) out.push(`…and ${findings.length - shown.length} more: see the SARIF report and the log.`, '');
    out.push(REMEDIATION, '');
  }
  if (facts.revocations.length) {
    out.push('### Revocations', '', '| Rule | Secret | Result |', '| --- | --- | --- |');
    for (const r of facts.revocations) out.push(`| ${cell(r.finding.ruleId)} | ${code(r.finding.secret)} | ${escapeText(`${r.outcome.status}: ${r.outcome.message}`)} |`);
    out.push('');
  }
  const s = facts.summary;
  const skipped = Object.entries(s.skipped).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`);
  out.push(
    `<sub>keysweep · ${s.filesScanned} file(s) scanned${s.commitsScanned !== undefined ? ` in ${s.commitsScanned} commit(s)` : ''}` +
      `${skipped.length ? ` · skipped: ${skipped.join(', ')}` : ''}` +
      `${s.warnings.length ? ` · ${s.warnings.length} warning(s) in the log` : ''} · ${s.durationMs} ms</sub>`,
  );
  return `${out.join('\n')}\n`;
}

/** The pull-request comment: short, updated in place on every run (found again by its marker). */
export function commentMarkdown(findings: readonly ReportedFinding[], facts: RunFacts): string {
  const out = [COMMENT_MARKER, `### ${headline(findings, facts)}`, '', `Scanned ${escapeText(facts.scanned)}.`, ''];
  if (findings.length) {
    const shown = findings.slice(0, 30);
    out.push(findingsTable(shown, facts));
    if (findings.length > shown.length) out.push('', `…and ${findings.length - shown.length} more${facts.runUrl ? ` in the [job summary](${facts.runUrl})` : ''}.`);
    out.push('', REMEDIATION);
  } else if (facts.runUrl) {
    out.push(`[Details](${facts.runUrl})`);
  }
  return `${out.join('\n')}\n`;
}

const REMEDIATION =
  'Treat every secret found as leaked: **revoke and rotate it** at the provider, then remove it from the code (rewriting history does not un-leak it). ' +
  'Not a secret? Add `keysweep:allow` to the line, or its fingerprint to `.keysweepignore`.';

function headline(findings: readonly ReportedFinding[], facts: RunFacts): string {
  if (findings.length === 0) return '✅ keysweep: no secrets found';
  const distinct = new Set(findings.map((f) => f.secretHash)).size;
  const live = findings.filter((f) => f.verdict.status === 'live').length;
  const what = `${findings.length} secret finding(s) (${distinct} distinct)${facts.verified ? `, ${live} verified live` : ''}`;
  return facts.failing ? `🚨 keysweep: ${what}` : `⚠️ keysweep: ${what} (not failing: fail-on ${facts.failOn})`;
}

function findingsTable(findings: readonly ReportedFinding[], facts: RunFacts): string {
  const verdicts = facts.verified || findings.some((f) => f.verdict.status !== 'unverified');
  const rows = [`| Severity | Rule | Location | Secret | Commit |${verdicts ? ' Verification |' : ''}`, `| --- | --- | --- | --- | --- |${verdicts ? ' --- |' : ''}`];
  for (const f of findings) {
    const commit = f.origin.kind === 'git' ? f.origin.commit : undefined;
    const at = commit ?? facts.headSha;
    const location = `${f.file}:${f.line}`;
    const link = facts.repoUrl && at ? `[${code(location)}](${facts.repoUrl}/blob/${at}/${f.file.split('/').map(encodeURIComponent).join('/')}#L${f.line})` : code(location);
    const commitCell = f.origin.kind === 'git' ? `${code(short(f.origin.commit))}${f.origin.removedIn ? ` (removed in ${code(short(f.origin.removedIn))})` : ''}` : '';
    rows.push(`| ${f.severity} | ${cell(f.ruleName)} ${code(f.ruleId)} | ${link} | ${code(f.secret)} | ${commitCell || '—'} |${verdicts ? ` ${escapeText(verdictText(f.verdict))} |` : ''}`);
  }
  return rows.join('\n');
}

export function verdictText(v: ReportedFinding['verdict']): string {
  switch (v.status) {
    case 'live': {
      const who = v.identity ? Object.entries(v.identity).map(([k, val]) => `${k}=${val}`).join(', ') : '';
      return `live${who ? ` (${who})` : ''}`;
    }
    case 'dead':
      return 'dead';
    case 'unknown':
      return `unknown (${v.reason})`;
    case 'unverified':
      return v.reason === 'verification off' ? '' : `unverified (${v.reason})`;
  }
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Text for Markdown and table cells: no HTML, no table breaks, no accidental mentions. */
function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '&#124;').replace(/@/g, '&#64;').replace(/\r?\n/g, ' ');
}

function cell(s: string): string {
  return escapeText(s);
}

function code(s: string): string {
  return `<code>${escapeText(s)}</code>`;
}
