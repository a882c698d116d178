import type { ReportedFinding, Reporter } from '../types.js';
import { levelOf } from './level.js';

/**
 * GitHub Actions workflow commands: one annotation per finding, shown on the line in the pull request.
 * https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions
 */
export const githubReporter: Reporter = (findings, run) => {
  const lines = findings.map((f) => {
    const command = { error: 'error', warning: 'warning', note: 'notice', none: 'notice' }[levelOf(f)];
    const props = `file=${escapeProperty(f.file)},line=${f.line},col=${f.column},title=${escapeProperty(`${f.ruleName} (${f.ruleId})`)}`;
    return `::${command} ${props}::${escapeData(message(f))}`;
  });
  const s = run.summary;
  lines.push(`keysweep: ${s.findings} finding(s), ${s.distinctSecrets} distinct secret(s), ${s.filesScanned} file(s) scanned`);
  return `${lines.join('\n')}\n`;
};

function message(f: ReportedFinding): string {
  const verdict = f.verdict.status === 'unverified' ? '' : ` Verification: ${f.verdict.status}.`;
  return `${f.severity} secret ${f.secret} found.${verdict} Revoke and rotate it, then remove it from the code (fingerprint ${f.fingerprint}).`;
}

function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
