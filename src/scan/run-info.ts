import type { Rule } from '../detect/rules.js';
import type { RunInfo, ScanSummary } from '../types.js';
import { VERSION } from '../version.js';

/**
 * What reporters are told about a run: the tool, the summary and the active rules' metadata. The
 * metadata is gathered when a reporter first asks (SARIF, GitLab): the text report of a clean
 * pre-commit check never reads it.
 */
export function runInfo(rules: readonly Rule[], summary: ScanSummary, showSecrets: boolean): RunInfo {
  let described: RunInfo['rules'] | undefined;
  return {
    tool: { name: 'keysweep', version: VERSION },
    summary,
    get rules() {
      return (described ??= describe(rules));
    },
    showSecrets,
  };
}

function describe(rules: readonly Rule[]): RunInfo['rules'] {
  return rules.map((r) => ({
    id: r.id,
    name: r.name,
    provider: r.provider,
    providerName: r.providerName,
    severity: r.severity,
    description: r.description,
    remediation: r.remediation,
    references: r.references,
  }));
}
