import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRules, type Rule } from '../../src/detect/rules.js';
import { testRules } from '../../src/detect/rule-test.js';
import { BUILTIN_PATTERNS_DIR } from '../../src/util/paths.js';

// Every built-in rule's embedded examples, one test per file and rule, so that a failure names them
// and one broken file does not hide the results of the others.
const files = readdirSync(BUILTIN_PATTERNS_DIR).filter((f) => /\.ya?ml$/.test(f)).sort();
const loaded = new Map<string, Rule[] | Error>();
for (const f of files) {
  try {
    loaded.set(f, loadRules([join(BUILTIN_PATTERNS_DIR, f)], { validatePatterns: true }));
  } catch (err) {
    loaded.set(f, err as Error);
  }
}
const all = [...loaded.values()].flatMap((v) => (v instanceof Error ? [] : v));

describe('built-in pattern library', () => {
  it('has unique rule ids across files', () => {
    const ids = all.map((r) => r.id);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  describe.each(files)('%s', (file) => {
    const rules = loaded.get(file);
    it('loads, with provider = file name and a reference for every rule', () => {
      if (rules instanceof Error) throw rules;
      for (const rule of rules ?? []) {
        expect(basename(rule.file).replace(/\.ya?ml$/, '')).toBe(rule.provider);
        expect(rule.references.length, `${rule.id} has no references`).toBeGreaterThan(0);
        expect(rule.examples.positive.length, `${rule.id}: at least two positive examples`).toBeGreaterThanOrEqual(2);
        expect(rule.examples.negative.length, `${rule.id}: at least one negative example`).toBeGreaterThanOrEqual(1);
      }
    });
    if (rules instanceof Error || !rules) return;
    it('bounds every repetition, so that each rule runs only near its keywords', () => {
      const unbounded = (rules ?? []).filter((r) => !Number.isFinite(r.reach)).map((r) => `${r.id}: use {0,N} / {1,N} instead of * / + in ${r.pattern}`);
      expect(unbounded).toEqual([]);
    });
    it.each(rules.map((r) => [r.id, r] as const))('%s: examples', (_id, rule) => {
      expect(testRules([rule], all)).toEqual([]);
    });
  });
});
