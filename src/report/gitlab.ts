import { createHash } from 'node:crypto';
import type { ReportedFinding, Reporter, RuleInfo, Severity } from '../types.js';

/**
 * GitLab's secret-detection report (the `artifacts:reports:secret_detection` file), schema 15.0.x:
 * https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/blob/master/dist/secret-detection-report-format.json
 * GitLab 16 and later ingest 15.x reports only; a report with an unknown patch version is validated
 * against the newest 15.0 schema it has. Validation is strict: a report that fails is dropped whole.
 */
export const GITLAB_SCHEMA_VERSION = '15.0.7';

const SEVERITY: Record<Severity, string> = { critical: 'Critical', high: 'High', medium: 'Medium', low: 'Low', info: 'Info' };

/** What GitLab's own analyzer writes when a finding has no commit (a file, not a git object). */
const NO_COMMIT = '0000000';

const TOOL = { id: 'keysweep', name: 'keysweep', url: 'https://github.com/keysweep/keysweep', vendor: { name: 'keysweep' } };

export const gitlabReporter: Reporter = (findings, run) => {
  const end = new Date();
  const start = new Date(end.getTime() - run.summary.durationMs);
  const rules = new Map(run.rules.map((r) => [r.id, r]));
  const report = {
    version: GITLAB_SCHEMA_VERSION,
    schema: `https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/v${GITLAB_SCHEMA_VERSION}/dist/secret-detection-report-format.json`,
    scan: {
      analyzer: { ...TOOL, version: run.tool.version },
      scanner: { ...TOOL, version: run.tool.version },
      type: 'secret_detection',
      start_time: timestamp(start),
      end_time: timestamp(end),
      status: 'success',
      messages: run.summary.warnings.map((w) => ({ level: 'warn', value: `${w.path}: ${w.message}` })),
    },
    vulnerabilities: findings.map((f) => vulnerability(f, rules.get(f.ruleId))),
  };
  return `${JSON.stringify(report, null, 2)}\n`;
};

function vulnerability(f: ReportedFinding, rule: RuleInfo | undefined) {
  const commit = commitOf(f);
  const verdict = f.verdict.status === 'unverified' ? '' : ` Verified ${f.verdict.status} by ${f.verdict.verifier}.`;
  const where = f.origin.kind === 'git' && f.origin.removedIn ? ` Removed in commit ${f.origin.removedIn}, but still in the history.` : '';
  return {
    // GitLab tracks a vulnerability across pipelines by its identifiers and location; the id only has
    // to be unique within the report.
    id: createHash('sha256').update(`${f.fingerprint}\0${commit.sha}\0${f.line}\0${f.column}`).digest('hex'),
    category: 'secret_detection',
    name: f.ruleName,
    description: `${f.ruleName} found: ${f.secret} (${f.ruleId}).${verdict}${where} Fingerprint: ${f.fingerprint}`,
    severity: SEVERITY[f.severity],
    solution:
      rule?.remediation ??
      `Revoke the ${rule?.providerName ?? f.provider} credential at the provider, issue a new one, store it in a secret manager, and remove the leaked value from the code and its history.`,
    raw_source_code_extract: f.snippet,
    location: { file: f.file, start_line: f.line, end_line: f.line, commit },
    identifiers: [{ type: 'keysweep_rule_id', name: `keysweep rule ${f.ruleId}`, value: f.ruleId, ...(rule?.references[0] ? { url: rule.references[0] } : {}) }],
    ...(rule?.references.length ? { links: rule.references.map((url) => ({ url })) } : {}),
  };
}

/** The commit a finding is in: its introducing commit for history scans, the head of a diff's range. */
function commitOf(f: ReportedFinding): { sha: string; author?: string; date?: string } {
  if (f.origin.kind === 'git') return { sha: f.origin.commit, author: `${f.origin.author} <${f.origin.email}>`, date: f.origin.date };
  if (f.origin.kind === 'diff') {
    const head = f.origin.range.split(/\.{2,3}/).pop();
    if (head && /^[0-9a-f]{7,64}$/i.test(head)) return { sha: head };
  }
  return { sha: NO_COMMIT };
}

/** The schema's date-time: `2024-01-01T12:00:00`, UTC, no zone or fraction. */
function timestamp(d: Date): string {
  return d.toISOString().slice(0, 19);
}
