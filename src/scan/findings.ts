import type { Rule } from '../detect/rules.js';
import type { Finding, Origin, ReportedFinding } from '../types.js';
import { redactSecret, secretHash } from '../util/redact.js';
import type { WireHit } from './protocol.js';

/**
 * Turns the hits of one unit (a file, a blob, stdin) into findings. The fingerprint names the path,
 * the rule and the secret — and the n-th occurrence of that secret there — but not the line, so it
 * stays valid when unrelated lines move.
 */
export function toFindings(hits: readonly WireHit[], origin: Origin, rulesById: ReadonlyMap<string, Rule>): Array<{ finding: Finding; hit: WireHit }> {
  const seen = new Map<string, number>();
  const out: Array<{ finding: Finding; hit: WireHit }> = [];
  const sorted = [...hits].sort((a, b) => a.line - b.line || a.column - b.column);
  for (const hit of sorted) {
    const rule = rulesById.get(hit.ruleId);
    if (!rule) continue;
    const hash = secretHash(hit.secret);
    const key = `${rule.id}\0${hash}`;
    const occurrence = (seen.get(key) ?? 0) + 1;
    seen.set(key, occurrence);
    const finding: Finding = {
      ruleId: rule.id,
      ruleName: rule.name,
      provider: rule.provider,
      severity: rule.severity,
      origin,
      line: hit.line,
      column: hit.column,
      secret: hit.secret,
      parts: hit.parts,
      snippet: hit.snippet,
      secretHash: hash,
      fingerprint: fingerprintOf(origin, rule.id, hash, occurrence),
      verdict: { status: 'unverified', reason: 'verification off' },
    };
    if (hit.encoding?.length) finding.encoding = hit.encoding;
    out.push({ finding, hit });
  }
  return out;
}

/** `path:rule:hash` (and `:n` for the n-th occurrence of the same secret in the same file). */
export function fingerprintOf(origin: Origin, ruleId: string, hash: string, occurrence: number): string {
  const base = `${origin.path}:${ruleId}:${hash}`;
  return occurrence > 1 ? `${base}:${occurrence}` : base;
}

/** The one place where a finding is prepared for output; redacts unless asked not to. */
export function toReported(f: Finding, showSecrets: boolean): ReportedFinding {
  const reported: ReportedFinding = {
    ruleId: f.ruleId,
    ruleName: f.ruleName,
    provider: f.provider,
    severity: f.severity,
    file: f.origin.path,
    line: f.line,
    column: f.column,
    secret: showSecrets ? f.secret : redactSecret(f.secret),
    redacted: !showSecrets,
    secretHash: f.secretHash,
    fingerprint: f.fingerprint,
    snippet: f.snippet,
    origin: f.origin,
    verdict: f.verdict,
  };
  if (Object.keys(f.parts).length) {
    reported.parts = Object.fromEntries(Object.entries(f.parts).map(([k, v]) => [k, showSecrets ? v : redactSecret(v)]));
  }
  if (f.encoding) reported.encoding = f.encoding;
  return reported;
}

/** Deterministic output order: by path, line, column, rule. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    (a.origin.path < b.origin.path ? -1 : a.origin.path > b.origin.path ? 1 : 0) ||
    a.line - b.line ||
    a.column - b.column ||
    (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0)
  );
}
