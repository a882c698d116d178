import pLimit from 'p-limit';
import type { Finding, Verdict } from '../types.js';
import { VerifyCache } from './cache.js';
import { Endpoints } from './endpoints.js';
import { HttpClient, type HttpOptions } from './http.js';
import type { Registry } from './loader.js';
import { scrub } from './scrub.js';
import type { Credential, Http, Verifier, VerifyContext, VerifyResult } from './types.js';

export { Endpoints } from './endpoints.js';
export { HttpClient } from './http.js';
export { loadVerifiers, Registry } from './loader.js';
export { VerifyCache, parseDuration } from './cache.js';
export type { Credential, Verifier, VerifyContext, VerifyResult } from './types.js';

export interface EngineOptions {
  registry: Registry;
  endpoints?: Endpoints;
  /** An Http (tests replay responses) or options for the default client. */
  http?: Http | HttpOptions;
  /** Credentials verified at the same time (default 8). */
  concurrency?: number;
  cache?: VerifyCache;
  /** Whether hosts named by scanned content (database URLs) may be private or loopback addresses. */
  allowPrivateHosts?: boolean;
  now?: () => Date;
}

export interface VerdictCounts {
  live: number;
  dead: number;
  unknown: number;
  unverified: number;
}

/**
 * Verification: picks the verifier of each credential, asks the provider once per distinct credential
 * (verifier + secret + parts) per run, with limited concurrency, an optional cache, and turns whatever
 * happens into one of the four verdicts. Never throws for a provider's behaviour.
 */
export class VerifyEngine {
  readonly registry: Registry;
  readonly endpoints: Endpoints;
  readonly http: Http;
  private readonly ownHttp: HttpClient | undefined;
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly cache: VerifyCache | undefined;
  private readonly allowPrivateHosts: boolean;
  private readonly now: () => Date;
  private readonly timeoutMs: number;
  private readonly inFlight = new Map<string, Promise<Verdict>>();

  constructor(options: EngineOptions) {
    this.registry = options.registry;
    this.endpoints = options.endpoints ?? new Endpoints([], {});
    if (options.http && 'send' in options.http) {
      this.http = options.http;
      this.timeoutMs = 10_000;
    } else {
      this.ownHttp = new HttpClient(options.http);
      this.http = this.ownHttp;
      this.timeoutMs = this.ownHttp.timeoutMs;
    }
    this.limit = pLimit(options.concurrency ?? 8);
    this.cache = options.cache;
    this.allowPrivateHosts = options.allowPrivateHosts ?? false;
    this.now = options.now ?? (() => new Date());
  }

  /** The context a verifier runs in: endpoints resolved through the overrides. */
  context(verifier: Verifier): VerifyContext {
    const resolve = (name: string) => {
      const def = verifier.endpoints[name];
      if (def === undefined) throw new Error(`${verifier.id}: unknown endpoint "${name}"`);
      return this.endpoints.resolve(verifier.provider, name, def);
    };
    return {
      http: this.http,
      baseUrl: (name) => resolve(name).url,
      overridden: (name) => resolve(name).overridden,
      now: this.now,
      timeoutMs: this.timeoutMs,
      allowPrivateHosts: this.allowPrivateHosts,
    };
  }

  /** The verifier for a credential, or why there is none. */
  verifierFor(c: Credential): { verifier: Verifier } | { reason: string } {
    const candidates = this.registry.forRule(c.ruleId);
    if (candidates.length === 0) return { reason: `no verifier for ${c.ruleId}` };
    for (const v of candidates) {
      if (v.requiredParts.every((p) => c.parts[p])) return { verifier: v };
    }
    const missing = candidates[0]?.requiredParts.filter((p) => !c.parts[p]) ?? [];
    return { reason: `missing part ${missing.join(', ')}` };
  }

  /** Verifies one credential (de-duplicated against the other calls of this engine). */
  verify(c: Credential): Promise<Verdict> {
    const choice = this.verifierFor(c);
    if ('reason' in choice) return Promise.resolve({ status: 'unverified', reason: choice.reason });
    const verifier = choice.verifier;
    const key = VerifyCache.key(verifier.id, c);
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.limit(() => this.run(verifier, c, key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  /** Sets the verdict of every finding; each distinct credential is asked about once. */
  async verifyFindings(findings: Finding[]): Promise<VerdictCounts> {
    await Promise.all(
      findings.map(async (f) => {
        f.verdict = await this.verify({ ruleId: f.ruleId, provider: f.provider, secret: f.secret, parts: f.parts });
      }),
    );
    this.cache?.save();
    return countVerdicts(findings);
  }

  /** Re-asks the provider, bypassing de-duplication and the cache (after a revocation). */
  async reverify(c: Credential): Promise<Verdict> {
    const choice = this.verifierFor(c);
    if ('reason' in choice) return { status: 'unverified', reason: choice.reason };
    return this.limit(() => this.ask(choice.verifier, c));
  }

  async close(): Promise<void> {
    this.cache?.save();
    await this.ownHttp?.close();
  }

  private async run(verifier: Verifier, c: Credential, key: string): Promise<Verdict> {
    const cached = this.cache?.get(key);
    if (cached) return cached;
    const verdict = await this.ask(verifier, c);
    this.cache?.set(key, verdict);
    return verdict;
  }

  private async ask(verifier: Verifier, c: Credential): Promise<Verdict> {
    let result: VerifyResult;
    try {
      result = await verifier.verify(c, this.context(verifier));
    } catch (err) {
      // A bug or an unexpected input in a verifier: unknown, with the message scrubbed of the secret.
      const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      result = { status: 'unknown', reason: `verifier error: ${scrub(message, c).slice(0, 200)}` };
    }
    return toVerdict(verifier.id, result, c);
  }
}

export function toVerdict(verifierId: string, r: VerifyResult, c: Credential): Verdict {
  switch (r.status) {
    case 'live':
      return r.identity && Object.keys(r.identity).length
        ? { status: 'live', verifier: verifierId, identity: Object.fromEntries(Object.entries(r.identity).map(([k, v]) => [k, scrub(v, c, { parts: false })])) }
        : { status: 'live', verifier: verifierId };
    case 'dead':
      return { status: 'dead', verifier: verifierId };
    case 'unknown':
      return { status: 'unknown', verifier: verifierId, reason: scrub(r.reason, c, { parts: false }) };
    case 'unverified':
      return { status: 'unverified', reason: scrub(r.reason, c, { parts: false }) };
  }
}

export function countVerdicts(findings: readonly Pick<Finding, 'verdict'>[]): VerdictCounts {
  const counts: VerdictCounts = { live: 0, dead: 0, unknown: 0, unverified: 0 };
  for (const f of findings) counts[f.verdict.status]++;
  return counts;
}
