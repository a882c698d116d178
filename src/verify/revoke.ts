import { appendFileSync } from 'node:fs';
import type { Verdict } from '../types.js';
import { describeError, KeysweepError } from '../util/errors.js';
import { secretHash } from '../util/redact.js';
import type { VerifyEngine } from './index.js';
import { scrub } from './scrub.js';
import { templateFailure } from './http-spec.js';
import type { Credential, PlannedRequest } from './types.js';

export type RevokeStatus =
  /** Dry run: what would be sent. */
  | 'would-revoke'
  /** Revocation accepted and the credential no longer verifies. */
  | 'revoked'
  /** Revocation accepted, but a re-check did not show it dead (some providers revoke asynchronously). */
  | 'revoked-unconfirmed'
  | 'failed'
  /** Nothing sent: no revoker, already dead, identity unavailable… */
  | 'skipped';

export interface RevokeOutcome {
  status: RevokeStatus;
  /** Human-readable: "revoked (confirmed dead)", the failure, or why it was skipped. */
  message: string;
  verifier?: string;
  /** The verdict before revoking. */
  before?: Verdict;
  /** The verdict after revoking. */
  after?: Verdict;
  requests: PlannedRequest[];
  docs: readonly string[];
}

export interface RevokeOptions {
  engine: VerifyEngine;
  /** False: dry run. */
  execute: boolean;
  /** JSONL file that gets one record per action. */
  auditLog?: string;
  operator?: string;
  now?: () => Date;
}

/** Who is acting, for the audit log: the CI actor, else the login name. */
export function operatorFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return env.GITHUB_ACTOR || env.USER || env.USERNAME || env.LOGNAME || 'unknown';
}

/**
 * Revokes one credential: verifies it first (a dead one is left alone; revokers that need an id take it
 * from the live verification), then — only when `execute` — sends the revocation and verifies again.
 * Appends an audit record (never the secret) whatever happens.
 */
export async function revokeCredential(c: Credential, options: RevokeOptions): Promise<RevokeOutcome> {
  const outcome = await decide(c, options);
  if (options.auditLog) audit(options.auditLog, c, outcome, options);
  return outcome;
}

async function decide(c: Credential, { engine, execute }: RevokeOptions): Promise<RevokeOutcome> {
  const choice = engine.verifierFor(c);
  if ('reason' in choice) return { status: 'skipped', message: `cannot revoke: ${choice.reason}`, requests: [], docs: [] };
  const verifier = choice.verifier;
  const revoker = verifier.revoker;
  const base = { verifier: verifier.id, requests: [] as PlannedRequest[], docs: revoker?.docs ?? [] };
  if (!revoker) {
    return { ...base, status: 'skipped', message: `no revoker for ${c.ruleId}: revoke it in the provider's console (${verifier.references[0] ?? verifier.provider})` };
  }
  const before = await engine.verify(c);
  if (before.status === 'dead') return { ...base, before, status: 'skipped', message: 'already dead: nothing to revoke' };
  const identity = before.status === 'live' ? (before.identity ?? {}) : {};
  const missing = revoker.needsIdentity.filter((k) => !identity[k]);
  if (missing.length) {
    const why = before.status === 'live' ? `the provider did not return ${missing.join(', ')}` : `the credential could not be verified (${verdictWords(before)})`;
    return { ...base, before, status: 'skipped', message: `cannot revoke: needs ${missing.join(', ')} from a live verification, and ${why}` };
  }
  const ctx = engine.context(verifier);
  let requests: PlannedRequest[];
  try {
    requests = revoker.plan(c, ctx, identity);
  } catch (err) {
    return { ...base, before, status: 'skipped', message: `cannot revoke: ${templateFailure(err) ?? scrub(describeError(err), c)}` };
  }
  if (!execute) return { ...base, before, requests, status: 'would-revoke', message: 'dry run: nothing sent (add --yes to revoke)' };

  let result;
  try {
    result = await revoker.revoke(c, ctx, identity);
  } catch (err) {
    result = { ok: false as const, reason: `revoker error: ${scrub(describeError(err), c).slice(0, 200)}` };
  }
  if (!result.ok) return { ...base, before, requests, status: 'failed', message: `revocation failed: ${scrub(result.reason, c)}` };
  const after = await engine.reverify(c);
  if (after.status === 'dead') return { ...base, before, after, requests, status: 'revoked', message: 'revoked (confirmed dead)' };
  return {
    ...base,
    before,
    after,
    requests,
    status: 'revoked-unconfirmed',
    message:
      after.status === 'live'
        ? 'revocation accepted, but the credential still verifies live (the provider may revoke asynchronously: check again with "keysweep verify")'
        : `revocation accepted, but the re-check was inconclusive (${verdictWords(after)})`,
  };
}

export function verdictWords(v: Verdict): string {
  switch (v.status) {
    case 'live':
      return 'live';
    case 'dead':
      return 'dead';
    case 'unknown':
      return `unknown: ${v.reason}`;
    case 'unverified':
      return `unverified: ${v.reason}`;
  }
}

function audit(file: string, c: Credential, o: RevokeOutcome, options: RevokeOptions): void {
  const record = {
    time: (options.now ?? (() => new Date()))().toISOString(),
    operator: options.operator ?? operatorFromEnv(),
    action: options.execute ? 'revoke' : 'dry-run',
    rule: c.ruleId,
    provider: c.provider,
    secretHash: secretHash(c.secret),
    verifier: o.verifier ?? null,
    requests: o.requests.map((r) => ({ method: r.method, host: r.host, path: r.path })),
    host: o.requests[0]?.host ?? null,
    result: o.status,
    detail: scrub(o.message, c),
  };
  try {
    appendFileSync(file, `${JSON.stringify(record)}\n`, { mode: 0o600 });
  } catch (err) {
    throw new KeysweepError('IO', `${file}: cannot append to the audit log: ${describeError(err)}`);
  }
}
