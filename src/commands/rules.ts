import { readFileSync } from 'node:fs';
import { stringify as stringifyYaml } from 'yaml';
import { EXIT_FINDINGS, EXIT_OK, writeOutput, type Io } from './io.js';
import { detectFormat, importRules, type ImportFormat } from '../detect/rule-import.js';
import type { RuleSpec } from '../detect/rule-schema.js';
import { findConfig, loadConfig } from '../config.js';
import { loadRuleSet } from '../detect/rule-set.js';
import { loadRules } from '../detect/rules.js';
import { testRules } from '../detect/rule-test.js';
import { BUILTIN_PATTERNS_DIR } from '../util/paths.js';
import { describeError, KeysweepError, UsageError } from '../util/errors.js';

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
  const bare = tested.filter((r) => r.examples.positive.length === 0);
  if (bare.length) io.stdout(`warning: ${bare.length} rule(s) have no positive examples, so nothing proves they match: ${bare.map((r) => r.id).join(', ')}\n`);
  for (const f of failures) {
    io.stdout(`FAIL ${f.rule} (${f.file}) ${f.kind} example ${JSON.stringify(f.example)}: ${f.problem}\n`);
  }
  const examples = tested.reduce((n, r) => n + r.examples.positive.length + r.examples.negative.length, 0);
  io.stdout(`${tested.length} rules, ${examples} examples, ${failures.length} failure(s)\n`);
  return failures.length ? EXIT_FINDINGS : EXIT_OK;
}

interface ImportValues {
  format?: string | undefined;
  provider?: string | undefined;
  out?: string | undefined;
}

/**
 * `keysweep rules import FILE… [--format gitleaks|kingfisher|github] [--provider NAME] [--out FILE]`:
 * converts other scanners' rules into one keysweep rule file, reporting what it could not convert and why.
 */
export function runRulesImport(values: ImportValues, files: string[], io: Io): number {
  if (files.length === 0) throw new UsageError('rules import needs at least one file (gitleaks TOML, Kingfisher YAML or GitHub custom patterns)');
  const provider = values.provider ?? 'imported';
  if (!/^[a-z0-9][a-z0-9-]*$/.test(provider)) throw new UsageError(`--provider ${provider}: lower-case letters, digits and dashes`);
  if (values.format && !['gitleaks', 'kingfisher', 'github'].includes(values.format)) {
    throw new UsageError(`--format ${values.format}: expected gitleaks, kingfisher or github`);
  }
  const all: RuleSpec[] = [];
  let skipped = 0;
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new KeysweepError('IO', `${file}: cannot read: ${describeError(err)}`);
    }
    const format = (values.format as ImportFormat | undefined) ?? detectFormat(file, text);
    let result: ReturnType<typeof importRules>;
    try {
      result = importRules(text, format, provider);
    } catch (err) {
      throw new KeysweepError('RULES', `${file}: cannot read it as ${format} rules: ${describeError(err)}`);
    }
    const taken = new Set(all.map((r) => r.id));
    for (const rule of result.rules) {
      while (taken.has(rule.id)) rule.id = `${rule.id}-x`;
      taken.add(rule.id);
      all.push(rule);
    }
    for (const s of result.skipped) io.stderr(`skipped ${s.id} (${file}): ${s.reason}\n`);
    for (const n of result.notes) io.stderr(`note ${n.id} (${file}): ${n.note}\n`);
    skipped += result.skipped.length;
    io.stderr(`${file}: ${format}: ${result.rules.length} converted, ${result.skipped.length} skipped\n`);
  }
  const yaml = stringifyYaml({ provider, name: `Imported (${provider})`, rules: all }, { lineWidth: 0 });
  writeOutput(`# Converted by "keysweep rules import". Add examples, then check with: keysweep rules test --rules <this file>\n${yaml}`, values.out, io);
  return skipped > 0 && all.length === 0 ? EXIT_FINDINGS : EXIT_OK;
}
