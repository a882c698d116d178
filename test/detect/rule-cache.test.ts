import { cpSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRuleCache, writeRuleCache } from '../../src/detect/rule-cache.js';
import { loadRules } from '../../src/detect/rules.js';
import { BUILTIN_PATTERNS_DIR } from '../../src/util/paths.js';
import { tempDir } from '../helpers.js';

/** Everything a rule carries, read through its public fields (metadata included). */
function described(rules: ReturnType<typeof loadRules>) {
  return rules.map((r) => ({
    id: r.id,
    provider: r.provider,
    providerName: r.providerName,
    name: r.name,
    severity: r.severity,
    keywords: r.keywords,
    pattern: r.pattern,
    entropy: r.entropy,
    checksum: r.checksum?.name,
    requires: r.requires,
    allow: r.allowPatterns,
    allowContext: r.allowContextPatterns,
    placeholders: r.placeholders,
    fallback: r.fallback,
    standalone: r.standalone,
    description: r.description,
    remediation: r.remediation,
    references: r.references,
    file: r.file,
  }));
}

describe('the built-in rule cache', () => {
  it('gives back every rule exactly as the YAML defines it, report metadata included', () => {
    const dir = tempDir();
    const cache = join(dir, 'rules-cache.json');
    const fromYaml = loadRules([BUILTIN_PATTERNS_DIR], { validatePatterns: false });
    writeRuleCache(cache, BUILTIN_PATTERNS_DIR, fromYaml);
    const fromCache = readRuleCache(cache, BUILTIN_PATTERNS_DIR);
    expect(fromCache).toBeDefined();
    expect(described(fromCache ?? [])).toEqual(described(fromYaml));
    // What every run reads is the smaller part: report texts live in the second file.
    expect(readFileSync(cache, 'utf8')).not.toContain('remediation');
  });

  it('is not used once a rule file changed, unless npm installed the package (it resets file times)', () => {
    const dir = tempDir();
    const patterns = join(dir, 'patterns');
    cpSync(BUILTIN_PATTERNS_DIR, patterns, { recursive: true });
    const cache = join(dir, 'rules-cache.json');
    writeRuleCache(cache, patterns, loadRules([patterns], { validatePatterns: false }));
    expect(readRuleCache(cache, patterns)).toBeDefined();
    const file = join(patterns, 'github.yml');
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n`);
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    expect(readRuleCache(cache, patterns)).toBeUndefined();
    expect(readRuleCache(cache, patterns, true)?.length).toBeGreaterThan(900);
  });
});
