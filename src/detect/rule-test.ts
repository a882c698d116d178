import { Matcher } from './match.js';
import type { Rule } from './rules.js';

export interface RuleTestFailure {
  rule: string;
  file: string;
  kind: 'positive' | 'negative' | 'keyword';
  example: string;
  problem: string;
}

/**
 * Runs every rule's embedded examples: each positive must produce a finding of that rule with a
 * non-empty secret and hold one of its keywords; no negative may produce a finding of that rule.
 * Each rule runs with just itself and the rules it needs parts from, exactly as in a scan.
 */
export function testRules(rules: readonly Rule[], all: readonly Rule[] = rules): RuleTestFailure[] {
  const byId = new Map(all.map((r) => [r.id, r]));
  const failures: RuleTestFailure[] = [];
  for (const rule of rules) {
    const parts = rule.requires.map((r) => byId.get(r.rule)).filter((r): r is Rule => !!r);
    let matcher: Matcher;
    try {
      // Keyword locating always on: examples must pass the way large inputs are matched.
      matcher = new Matcher([rule, ...parts], true, 0);
      void rule.regex;
    } catch (err) {
      failures.push({ rule: rule.id, file: rule.file, kind: 'positive', example: '', problem: `pattern does not compile: ${String(err)}` });
      continue;
    }
    const fail = (kind: RuleTestFailure['kind'], example: string, problem: string) =>
      failures.push({ rule: rule.id, file: rule.file, kind, example, problem });

    // A part-only rule never reports alone: its examples are judged on its filtered matches.
    const findings = (text: string) => {
      const buf = Buffer.from(text, 'utf8');
      if (!rule.standalone) return matcher.rawHits(buf, [rule]).filter((h) => !h.rejected);
      return matcher.find(buf).filter((c) => c.rule === rule);
    };
    for (const example of rule.examples.positive) {
      const lower = example.toLowerCase();
      if (!rule.keywords.some((k) => lower.includes(k.toLowerCase()))) {
        fail('keyword', example, `holds none of the keywords [${rule.keywords.join(', ')}], so the prefilter would skip it`);
      }
      const found = findings(example);
      if (found.length === 0) {
        const raw = matcher.rawHits(Buffer.from(example, 'utf8'), [rule]);
        const why = raw.length ? `matched but was rejected by the ${raw[0]?.rejected ?? 'pairing'} filter` : 'the pattern does not match';
        fail('positive', example, why);
      } else if (found.some((c) => c.secret.length === 0)) {
        fail('positive', example, 'the secret group is empty');
      }
    }
    for (const example of rule.examples.negative) {
      if (findings(example).length > 0) fail('negative', example, 'produced a finding');
    }
  }
  return failures;
}
