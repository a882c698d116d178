import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rule, type RuleMetadata } from './rules.js';
import type { RuleSpec } from './rule-schema.js';

/**
 * The built-in library parsed once at build time. Parsing hundreds of YAML files costs more than the
 * rest of a pre-commit run, so `npm run build` stores the validated rules as JSON with a signature of
 * the YAML files (names, sizes, modification times); the loader uses it only while the signature still
 * matches, so an edited rule file is always read afresh.
 *
 * Two files: what matching needs (small, read by every run), and what reports say about each rule
 * (descriptions, remediation, references: read only when a report shows them). Fields at their
 * defaults are left out. Together this cut what a pre-commit check reads from 900 KB to about a third.
 */
interface CachedRule {
  id: string;
  name: string;
  severity: RuleSpec['severity'];
  keywords: string[];
  pattern: string;
  provider: string;
  entropy?: number;
  checksum?: string;
  requires?: RuleSpec['requires'];
  allow?: string[];
  allowContext?: string[];
  placeholders?: false;
  fallback?: true;
  standalone?: false;
}

interface RuleCacheFile {
  signature: string;
  providers: Record<string, { name: string; file: string }>;
  rules: CachedRule[];
}

interface RuleMetaFile {
  signature: string;
  rules: Record<string, RuleMetadata>;
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

function metaFileOf(cacheFile: string): string {
  return cacheFile.replace(/\.json$/, '.meta.json');
}

/**
 * The cached built-in rules, or undefined when there is no cache or it is stale. `installed`: the
 * package was installed by npm, whose extraction sets every file's time to the same fixed date, so the
 * signature cannot match the one taken at build time; its files change only with the package, cache
 * included, so the cache is used as it is (and a pre-commit check saves a stat per rule file).
 */
export function readRuleCache(cacheFile: string, dir: string, installed = false): Rule[] | undefined {
  let cache: RuleCacheFile;
  try {
    cache = JSON.parse(readFileSync(cacheFile, 'utf8')) as RuleCacheFile;
  } catch {
    return undefined;
  }
  const signature = installed ? cache.signature : signatureOf(dir);
  if (cache.signature !== signature) return undefined;
  let meta: RuleMetaFile['rules'] | undefined;
  const metaOf = (id: string) => (): RuleMetadata => {
    if (!meta) {
      try {
        const file = JSON.parse(readFileSync(metaFileOf(cacheFile), 'utf8')) as RuleMetaFile;
        meta = file.signature === signature ? file.rules : {};
      } catch {
        meta = {};
      }
    }
    return meta[id] ?? { description: undefined, remediation: undefined, references: [] };
  };
  return cache.rules.map((c) => {
    const provider = cache.providers[c.provider] ?? { name: c.provider, file: `patterns/${c.provider}.yml` };
    const spec: RuleSpec = {
      id: c.id,
      name: c.name,
      severity: c.severity,
      keywords: c.keywords,
      pattern: c.pattern,
      entropy: c.entropy,
      checksum: c.checksum,
      requires: c.requires ?? [],
      allow: c.allow ?? [],
      allowContext: c.allowContext ?? [],
      placeholders: c.placeholders ?? true,
      fallback: c.fallback ?? false,
      standalone: c.standalone ?? true,
      examples: { positive: [], negative: [] },
    };
    return Rule.fromSpec({ spec, provider: { id: c.provider, name: provider.name, references: [] }, file: provider.file }, metaOf(c.id));
  });
}

export function writeRuleCache(cacheFile: string, dir: string, rules: readonly Rule[]): void {
  const signature = signatureOf(dir);
  const cache: RuleCacheFile = { signature, providers: {}, rules: [] };
  const meta: RuleMetaFile = { signature, rules: {} };
  for (const rule of rules) {
    cache.providers[rule.provider] = { name: rule.providerName, file: rule.file };
    const c: CachedRule = { id: rule.id, name: rule.name, severity: rule.severity, keywords: [...rule.keywords], pattern: rule.pattern, provider: rule.provider };
    if (rule.entropy !== undefined) c.entropy = rule.entropy;
    if (rule.checksum) c.checksum = rule.checksum.name;
    if (rule.requires.length) c.requires = [...rule.requires];
    if (rule.allowPatterns.length) c.allow = [...rule.allowPatterns];
    if (rule.allowContextPatterns.length) c.allowContext = [...rule.allowContextPatterns];
    if (!rule.placeholders) c.placeholders = false;
    if (rule.fallback) c.fallback = true;
    if (!rule.standalone) c.standalone = false;
    cache.rules.push(c);
    meta.rules[rule.id] = { description: rule.description, remediation: rule.remediation, references: [...rule.references] };
  }
  writeFileSync(metaFileOf(cacheFile), JSON.stringify(meta));
  writeFileSync(cacheFile, JSON.stringify(cache));
}
