import { loadRules } from '../detect/rules.js';
import { BUILTIN_PATTERNS_DIR } from '../util/paths.js';
import { UsageError } from '../util/errors.js';
import type { Registry } from '../verify/loader.js';
import type { VerifyEngine } from '../verify/index.js';
import type { Io } from './io.js';

/** Flags shared by `scan --verify`, `verify` and `revoke`. */
export const verifyOptions = {
  endpoint: { type: 'string', multiple: true },
  'verify-timeout': { type: 'string' },
  'verify-concurrency': { type: 'string' },
  'verify-rate': { type: 'string' },
  'verify-cache': { type: 'string' },
  'verify-cache-ttl': { type: 'string' },
  'verify-private-hosts': { type: 'boolean' },
} as const;

export const VERIFY_HELP = `Verification
      --endpoint P=URL     base URL for provider P's verifier/revoker (repeatable; GHES, self-managed GitLab, tests);
                           also KEYSWEEP_ENDPOINT_<P>=URL in the environment — never from .keysweep.yml
      --verify-timeout T   per request (default 10s; a timeout is "unknown", never "dead")
      --verify-concurrency N  credentials checked at once (default 8)
      --verify-rate N      requests per second to one host (default 10)
      --verify-cache FILE  remember live/dead verdicts in FILE, keyed by a hash (never the secret)
      --verify-cache-ttl T how long cached verdicts last (default 24h)
      --verify-private-hosts  let verifiers of URL credentials connect to private and loopback addresses
`;

export interface VerifyValues {
  endpoint?: string[] | undefined;
  'verify-timeout'?: string | undefined;
  'verify-concurrency'?: string | undefined;
  'verify-rate'?: string | undefined;
  'verify-cache'?: string | undefined;
  'verify-cache-ttl'?: string | undefined;
  'verify-private-hosts'?: boolean | undefined;
}

/** The ids of the built-in rules: verifiers may only name these. */
export function builtinRuleIds(): Set<string> {
  return new Set(loadRules([BUILTIN_PATTERNS_DIR]).map((r) => r.id));
}

// The verification engine (undici, the verifier files) is loaded only when a command verifies: a
// plain scan, such as a pre-commit hook, must not pay for it.
export async function loadRegistry(): Promise<Registry> {
  const { loadVerifiers } = await import('../verify/loader.js');
  return loadVerifiers({ ruleIds: builtinRuleIds() });
}

/** Builds the verification engine from the flags and the environment. */
export async function createEngine(values: VerifyValues, io: Io, registry?: Registry): Promise<VerifyEngine> {
  const [{ Endpoints }, { parseDuration, VerifyCache, VerifyEngine }] = await Promise.all([import('../verify/endpoints.js'), import('../verify/index.js')]);
  const reg = registry ?? (await loadRegistry());
  const endpoints = new Endpoints(values.endpoint ?? []);
  for (const warning of endpoints.unknown(reg.endpointKeys())) io.stderr(`keysweep: warning: ${warning}\n`);
  const duration = (value: string | undefined, flag: string, def: number): number => {
    if (value === undefined) return def;
    const ms = parseDuration(value);
    if (ms === undefined || ms <= 0) throw new UsageError(`${flag} ${value}: expected a duration such as 500ms, 10s, 30m, 24h`);
    return ms;
  };
  const timeoutMs = duration(values['verify-timeout'], '--verify-timeout', 10_000);
  const ttl = duration(values['verify-cache-ttl'], '--verify-cache-ttl', 24 * 3_600_000);
  return new VerifyEngine({
    registry: reg,
    endpoints,
    http: { timeoutMs, perHostRate: positive(values['verify-rate'], '--verify-rate', 10) },
    concurrency: Math.max(1, Math.floor(positive(values['verify-concurrency'], '--verify-concurrency', 8))),
    cache: values['verify-cache'] ? new VerifyCache(values['verify-cache'], ttl) : undefined,
    allowPrivateHosts: values['verify-private-hosts'] ?? false,
  });
}

/** The `--endpoint` flags as given, to repeat them in a suggested command. */
export function endpointFlags(values: VerifyValues): string {
  return (values.endpoint ?? []).map((e) => ` --endpoint ${shellQuote(e)}`).join('');
}

export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function positive(value: string | undefined, flag: string, def: number): number {
  if (value === undefined) return def;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 10_000) throw new UsageError(`${flag} ${value}: expected a positive number`);
  return n;
}
