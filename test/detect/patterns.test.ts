import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRules } from '../../src/detect/rules.js';
import { testRules } from '../../src/detect/rule-test.js';
import { BUILTIN_PATTERNS_DIR } from '../../src/util/paths.js';

// Every built-in rule's embedded examples, one test per rule, so a failure names the rule.
const rules = loadRules([BUILTIN_PATTERNS_DIR], { validatePatterns: true });

describe('built-in pattern library', () => {
  it('has unique ids of the form <provider>.<kind>, one provider per file', () => {
    const ids = rules.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of rules) {
      expect(rule.id.startsWith(`${rule.provider}.`)).toBe(true);
      expect(basename(rule.file).replace(/\.ya?ml$/, '')).toBe(rule.provider);
    }
  });

  it('every rule has a reference link', () => {
    expect(rules.filter((r) => r.references.length === 0).map((r) => r.id)).toEqual([]);
  });

  it.each(rules.map((r) => [r.id, r] as const))('%s: examples', (_id, rule) => {
    expect(testRules([rule], rules)).toEqual([]);
  });
});
