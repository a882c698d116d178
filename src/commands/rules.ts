import { EXIT_FINDINGS, EXIT_OK, type Io } from './io.js';
import { findConfig, loadConfig } from '../config.js';
import { loadRuleSet } from '../detect/rule-set.js';
import { loadRules } from '../detect/rules.js';
import { testRules } from '../detect/rule-test.js';
import { BUILTIN_PATTERNS_DIR } from '../util/paths.js';
import { UsageError } from '../util/errors.js';

interface RulesValues {
  format?: string | undefined;
  rules?: string[] | undefined;
  config?: string | undefined;
}

/** `keysweep rules list [--format json]`: JSON is an array of {id, provider, name, severity, keywords}. */
export function runRulesList(values: RulesValues, io: Io): number {
  const loaded = loadConfig(findConfig(values.config, []));
  const rules = loadRuleSet({ extra: [...loaded.rulePaths, ...(values.rules ?? [])] });
  const format = values.format ?? 'text';
  if (format === 'json') {
    const list = rules.map((r) => ({ id: r.id, provider: r.provider, name: r.name, severity: r.severity, keywords: r.keywords }));
    io.stdout(`${JSON.stringify(list, null, 2)}\n`);
    return EXIT_OK;
  }
  if (format !== 'text') throw new UsageError(`--format ${format}: expected text or json`);
  const width = Math.max(...rules.map((r) => r.id.length));
  for (const r of rules) io.stdout(`${r.id.padEnd(width)}  ${r.severity.padEnd(8)}  ${r.name}\n`);
  io.stdout(`${rules.length} rules, ${new Set(rules.map((r) => r.provider)).size} providers\n`);
  return EXIT_OK;
}

/**
 * `keysweep rules test [--rules DIR]`: runs the embedded examples of the given rules (or the built-in
 * library) and prints each failure with the example and the reason.
 */
export function runRulesTest(values: RulesValues, io: Io): number {
  const own = values.rules ?? [];
  const builtin = loadRules([BUILTIN_PATTERNS_DIR]);
  const tested = own.length ? loadRules(own, { validatePatterns: true }) : loadRules([BUILTIN_PATTERNS_DIR], { validatePatterns: true });
  const failures = testRules(tested, [...builtin, ...(own.length ? tested : [])]);
  for (const f of failures) {
    io.stdout(`FAIL ${f.rule} (${f.file}) ${f.kind} example ${JSON.stringify(f.example)}: ${f.problem}\n`);
  }
  const examples = tested.reduce((n, r) => n + r.examples.positive.length + r.examples.negative.length, 0);
  io.stdout(`${tested.length} rules, ${examples} examples, ${failures.length} failure(s)\n`);
  return failures.length ? EXIT_FINDINGS : EXIT_OK;
}
