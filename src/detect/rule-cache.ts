import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Rule } from './rules.js';

/**
 * The built-in library parsed once at build time. Parsing hundreds of YAML files costs more than the
 * rest of a pre-commit run, so `npm run build` stores the validated rules as JSON with a signature of
 * the YAML files (names, sizes, modification times); the loader uses it only while the signature still
 * matches, so an edited rule file is always read afresh.
 */
export interface RuleCache {
  signature: string;
  rules: Array<ReturnType<Rule['toSpec']>>;
}

export function signatureOf(dir: string): string {
  const parts: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (!/\.ya?ml$/.test(name)) continue;
    const st = statSync(join(dir, name));
    parts.push(`${name}:${st.size}:${Math.trunc(st.mtimeMs)}`);
  }
  return parts.join('|');
}

export function readRuleCache(cacheFile: string, dir: string): RuleCache['rules'] | undefined {
  let cache: RuleCache;
  try {
    cache = JSON.parse(readFileSync(cacheFile, 'utf8')) as RuleCache;
  } catch {
    return undefined;
  }
  return cache.signature === signatureOf(dir) ? cache.rules : undefined;
}

export function writeRuleCache(cacheFile: string, dir: string, rules: readonly Rule[]): void {
  // Examples are for `rules test`, which reads the YAML itself; leaving them out halves what every
  // start-up has to parse.
  const specs = rules.map((r) => {
    const s = r.toSpec();
    s.spec.examples = { positive: [], negative: [] };
    return s;
  });
  const cache: RuleCache = { signature: signatureOf(dir), rules: specs };
  writeFileSync(cacheFile, JSON.stringify(cache));
}
