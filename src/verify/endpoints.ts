import { UsageError } from '../util/errors.js';

export const ENDPOINT_ENV_PREFIX = 'KEYSWEEP_ENDPOINT_';

interface Override {
  /** As the user wrote it: `github`, `aws.sts`. */
  key: string;
  url: string;
  source: string;
}

/**
 * Base URL overrides for verifiers and revokers (GitHub Enterprise, GitLab self-managed, tests), from
 * `--endpoint PROVIDER=URL` and `KEYSWEEP_ENDPOINT_<PROVIDER>` environment variables — deliberately never
 * from a config file inside the scanned repository, which could redirect found secrets to its own server.
 *
 * A key is a provider (`github`: every endpoint of its verifiers) or `provider.endpoint` (`aws.iam`).
 * Keys are compared upper-cased with `.` and `-` as `_`, so `KEYSWEEP_ENDPOINT_AWS_IAM` is `aws.iam`.
 */
export class Endpoints {
  private readonly fromEnv = new Map<string, Override>();
  private readonly fromFlags = new Map<string, Override>();

  constructor(flags: readonly string[] = [], env: NodeJS.ProcessEnv = process.env) {
    for (const [name, value] of Object.entries(env)) {
      if (!name.startsWith(ENDPOINT_ENV_PREFIX) || !value) continue;
      const key = name.slice(ENDPOINT_ENV_PREFIX.length);
      this.fromEnv.set(normalize(key), { key: key.toLowerCase(), url: checkUrl(value, name), source: `environment ${name}` });
    }
    for (const flag of flags) {
      const eq = flag.indexOf('=');
      if (eq <= 0) throw new UsageError(`--endpoint ${flag}: expected PROVIDER=URL, e.g. github=https://ghe.example.com/api/v3`);
      const key = flag.slice(0, eq).trim();
      this.fromFlags.set(normalize(key), { key, url: checkUrl(flag.slice(eq + 1).trim(), `--endpoint ${key}`), source: `--endpoint ${key}` });
    }
  }

  /** The base URL for one endpoint of a provider's verifier: an override, else the default. */
  resolve(provider: string, endpoint: string, defaultUrl: string): { url: string; overridden: boolean } {
    // A flag beats the environment; within each, `provider.endpoint` beats `provider`.
    const keys = [normalize(`${provider}.${endpoint}`), normalize(provider)];
    for (const map of [this.fromFlags, this.fromEnv]) {
      for (const key of keys) {
        const o = map.get(key);
        if (o) return { url: o.url, overridden: true };
      }
    }
    return { url: defaultUrl, overridden: false };
  }

  /**
   * Overrides that name no known provider or endpoint. A mistyped `--endpoint` is an error (the secret
   * would silently go to the real provider); a stray environment variable is returned for a warning.
   */
  unknown(known: ReadonlySet<string>): string[] {
    const knownNormalized = new Set([...known].map(normalize));
    for (const [norm, o] of this.fromFlags) {
      if (!knownNormalized.has(norm)) throw new UsageError(`${o.source}: no verifier has that provider or endpoint (see "keysweep verifiers list")`);
    }
    return [...this.fromEnv]
      .filter(([norm]) => !knownNormalized.has(norm))
      .map(([, o]) => `${o.source}: no verifier has that provider or endpoint; ignored`);
  }

  get size(): number {
    return this.fromEnv.size + this.fromFlags.size;
  }
}

function normalize(key: string): string {
  return key.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

function checkUrl(value: string, where: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${where}: "${value}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError(`${where}: only http and https URLs`);
  if (url.username || url.password || url.search || url.hash) throw new UsageError(`${where}: a base URL has no credentials, query or fragment`);
  return url.href.replace(/\/+$/, '');
}
