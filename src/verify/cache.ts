import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Verdict } from '../types.js';
import type { Credential } from './types.js';

interface Entry {
  verdict: Verdict;
  /** Epoch milliseconds. */
  at: number;
}

/**
 * An on-disk cache of verdicts, so repeated scans do not ask providers again. Keys are SHA-256 hashes
 * of the verifier id and the credential: the file never holds a secret. Only `live` and `dead` are kept;
 * an `unknown` is asked again next time.
 */
export class VerifyCache {
  private entries = new Map<string, Entry>();
  private dirty = false;

  constructor(
    readonly file: string,
    readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      return; // missing or unreadable: start empty
    }
    const entries = (data as { entries?: unknown })?.entries;
    if (!entries || typeof entries !== 'object') return;
    for (const [key, e] of Object.entries(entries as Record<string, Entry>)) {
      if (/^[0-9a-f]{64}$/.test(key) && typeof e?.at === 'number' && isVerdict(e.verdict)) this.entries.set(key, e);
    }
  }

  static key(verifierId: string, c: Pick<Credential, 'secret' | 'parts'>): string {
    const parts = Object.keys(c.parts)
      .sort()
      .map((k) => `${k}=${c.parts[k] ?? ''}`)
      .join('\0');
    return createHash('sha256').update(`keysweep-verify-cache-v1\0${verifierId}\0${c.secret}\0${parts}`).digest('hex');
  }

  get(key: string): Verdict | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (this.now() - e.at > this.ttlMs) {
      this.entries.delete(key);
      this.dirty = true;
      return undefined;
    }
    return e.verdict;
  }

  set(key: string, verdict: Verdict): void {
    if (verdict.status !== 'live' && verdict.status !== 'dead') return;
    this.entries.set(key, { verdict, at: this.now() });
    this.dirty = true;
  }

  /** Writes the cache (atomically, readable by the owner only), dropping expired entries. */
  save(): void {
    if (!this.dirty) return;
    const now = this.now();
    const entries = Object.fromEntries([...this.entries].filter(([, e]) => now - e.at <= this.ttlMs));
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ version: 1, entries })}\n`, { mode: 0o600 });
    renameSync(tmp, this.file);
    this.dirty = false;
  }
}

function isVerdict(v: unknown): v is Verdict {
  const s = (v as { status?: unknown })?.status;
  return s === 'live' || s === 'dead';
}

/** `90s`, `30m`, `24h`, `7d`, or a number of seconds. */
export function parseDuration(value: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(value);
  if (!m) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Math.round(Number(m[1]) * unit);
}
