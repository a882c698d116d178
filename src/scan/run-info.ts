import type { Rule } from '../detect/rules.js';
import type { RunInfo, ScanSummary } from '../types.js';
import { VERSION } from '../version.js';

/** What reporters are told about a run: the tool, the summary and the active rules' metadata. */
export function runInfo(rules: readonly Rule[], summary: ScanSummary, showSecrets: boolean): RunInfo {
  return {
    tool: { name: 'keysweep', version: VERSION },
    summary,
    rules: rules.map((r) => ({
      id: r.id,
      name: r.name,
      provider: r.provider,
      providerName: r.providerName,
      severity: r.severity,
      description: r.description,
      remediation: r.remediation,
      references: r.references,
    })),
    showSecrets,
  };
}
