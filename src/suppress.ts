import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import picomatch from 'picomatch';
import { lazyZod, once } from './util/lazy.js';
import type { ConfigFile } from './config.js';
import { compileRegex, testAny, type RE2Regex } from './detect/regex.js';
import type { Finding } from './types.js';
import { ConfigError, describeError } from './util/errors.js';

export const IGNORE_FILE_NAME = '.keysweepignore';

/** Everything that can make a finding not count, gathered from the ignore file, baseline and config. */
export interface Suppressions {
  /** Honour `keysweep:allow` markers on the line. */
  inline: boolean;
  fingerprints: Set<string>;
  secretHashes: Set<string>;
  pathGlobs: string[];
  baseline: Set<string>;
  allowRegexes: RE2Regex[];
  stopwords: string[];
}

export type SuppressionKind = 'inline' | 'ignoreFile' | 'baseline' | 'allowlist';

const FINGERPRINT = /^.+:[a-z0-9][a-z0-9-]*\.[a-z0-9.-]+:[0-9a-f]{16}(?::\d+)?$/;
const SECRET_HASH = /^[0-9a-f]{16}$/;

/**
 * Reads a `.keysweepignore`: one entry per line — a finding fingerprint (`path:rule:hash`), a secret
 * hash (16 hex digits: that secret everywhere) or a path glob. `#` starts a comment.
 */
export function parseIgnoreFile(text: string): { fingerprints: string[]; secretHashes: string[]; pathGlobs: string[] } {
  const out = { fingerprints: [] as string[], secretHashes: [] as string[], pathGlobs: [] as string[] };
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (!line) continue;
    if (FINGERPRINT.test(line)) out.fingerprints.push(line);
    else if (SECRET_HASH.test(line)) out.secretHashes.push(line);
    else out.pathGlobs.push(line.replace(/^\.\//, '').replace(/\/$/, '/**'));
  }
  return out;
}

const baselineSchema = once(() => {
  const z = lazyZod();
  return z.union([
    z.object({ findings: z.array(z.object({ fingerprint: z.string() }).loose()) }).loose(),
    z.array(z.object({ fingerprint: z.string() }).loose()),
  ]);
});

/** Reads a baseline: a keysweep JSON report (or just its findings array). */
export function readBaseline(file: string): Set<string> {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`${file}: cannot read baseline: ${describeError(err)}`);
  }
  const parsed = baselineSchema().safeParse(data);
  if (!parsed.success) {
    throw new ConfigError(`${file}: not a keysweep baseline (expected {"findings": [{"fingerprint": …}]}): ${parsed.error.issues[0]?.message ?? ''}`);
  }
  const findings = Array.isArray(parsed.data) ? parsed.data : parsed.data.findings;
  return new Set(findings.map((f) => f.fingerprint));
}

export interface SuppressionSources {
  ignoreFile?: string | undefined;
  baselineFile?: string | undefined;
  config: ConfigFile;
  configFile?: string | undefined;
  inline?: boolean;
  roots: readonly string[];
}

export function loadSuppressions(sources: SuppressionSources): Suppressions {
  const s: Suppressions = {
    inline: sources.inline ?? true,
    fingerprints: new Set(sources.config.allowlist?.fingerprints ?? []),
    secretHashes: new Set(),
    pathGlobs: [...(sources.config.allowlist?.paths ?? [])],
    baseline: sources.baselineFile ? readBaseline(sources.baselineFile) : new Set(),
    allowRegexes: [],
    stopwords: (sources.config.allowlist?.stopwords ?? []).map((w) => w.toLowerCase()),
  };
  (sources.config.allowlist?.regexes ?? []).forEach((pattern, i) => {
    try {
      s.allowRegexes.push(compileRegex(pattern, ''));
    } catch (err) {
      throw new ConfigError(`${sources.configFile ?? 'config'}: allowlist.regexes[${i}]: RE2 rejects it: ${describeError(err)}`);
    }
  });
  const ignoreFile = sources.ignoreFile ?? [...sources.roots, '.'].map((r) => join(r, IGNORE_FILE_NAME)).find((f) => existsSync(f));
  if (ignoreFile) {
    let text: string;
    try {
      text = readFileSync(ignoreFile, 'utf8');
    } catch (err) {
      throw new ConfigError(`${ignoreFile}: cannot read ignore file: ${describeError(err)}`);
    }
    const parsed = parseIgnoreFile(text);
    parsed.fingerprints.forEach((f) => s.fingerprints.add(f));
    parsed.secretHashes.forEach((h) => s.secretHashes.add(h));
    s.pathGlobs.push(...parsed.pathGlobs);
  }
  return s;
}

/** Why a finding is suppressed, or undefined if it stands. `inlineAllowed` comes from the matcher. */
export function suppressionOf(f: Finding, inlineAllowed: boolean, s: Suppressions, pathMatcher: (p: string) => boolean): SuppressionKind | undefined {
  if (s.inline && inlineAllowed) return 'inline';
  if (s.fingerprints.has(f.fingerprint) || s.secretHashes.has(f.secretHash) || pathMatcher(f.origin.path)) return 'ignoreFile';
  if (s.baseline.has(f.fingerprint)) return 'baseline';
  if (testAny(s.allowRegexes, f.secret)) return 'allowlist';
  if (s.stopwords.length) {
    const lower = f.secret.toLowerCase();
    if (s.stopwords.some((w) => lower.includes(w))) return 'allowlist';
  }
  return undefined;
}

export function pathMatcherOf(globs: readonly string[]): (p: string) => boolean {
  if (globs.length === 0) return () => false;
  const isMatch = picomatch([...globs], { dot: true });
  return (p) => isMatch(p) || isMatch(p.replace(/^\.\//, ''));
}
