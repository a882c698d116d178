import type { ReportedFinding } from '../types.js';

export type Level = 'error' | 'warning' | 'note' | 'none';

/** SARIF-style level: a live credential is always an error; a dead one a note; otherwise by severity. */
export function levelOf(f: Pick<ReportedFinding, 'severity' | 'verdict'>): Level {
  if (f.verdict.status === 'live') return 'error';
  if (f.verdict.status === 'dead') return 'note';
  return severityLevel(f.severity);
}

export function severityLevel(severity: ReportedFinding['severity']): Level {
  return severity === 'critical' || severity === 'high' ? 'error' : severity === 'medium' ? 'warning' : 'note';
}
