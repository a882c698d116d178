import picomatch from 'picomatch';
import { loadRules, type Rule } from './rules.js';
import { BUILTIN_PATTERNS_DIR } from '../util/paths.js';
import { UsageError } from '../util/errors.js';

export interface RuleSetOptions {
  /** Extra rule folders or files (from --rules and the config file). */
  extra?: readonly string[];
  /** Skip the built-in library (e.g. to test only your own rules). */
  builtin?: boolean;
  /** Only rules matching one of these (ids, providers or globs such as `aws.*`). */
  enable?: readonly string[];
  /** Rules matching one of these are turned off. */
  disable?: readonly string[];
  /** Report problems in the extra rules here and load the rest (see LoadOptions.onProblem). */
  onProblem?: (message: string) => void;
}

/**
 * The active rule set: the built-in library plus extra rules, narrowed by enable/disable. A name in
 * enable/disable that matches no rule is an error: a typo must not silently turn a rule on or off.
 */
export function loadRuleSet(options: RuleSetOptions = {}): Rule[] {
  const builtin = options.builtin ?? true;
  const extra = options.extra ?? [];
  const rules = [
    ...(builtin ? loadRules([BUILTIN_PATTERNS_DIR]) : []),
    ...(extra.length ? loadRules(extra, { validatePatterns: true, onProblem: options.onProblem }) : []),
  ];
  const ids = new Set<string>();
  for (const r of rules) {
    if (ids.has(r.id)) throw new UsageError(`rule id ${r.id} (${r.file}) is defined twice; give your rule another id`);
    ids.add(r.id);
  }
  let active = rules;
  if (options.enable?.length) {
    const wanted = selector(options.enable, rules, '--enable');
    const chosen = new Set(rules.filter(wanted));
    // Keep the rules that chosen rules take parts from, or pairing would silently stop working.
    for (const r of [...chosen]) for (const req of r.requires) chosen.add(rules.find((x) => x.id === req.rule) as Rule);
    active = rules.filter((r) => chosen.has(r));
  }
  if (options.disable?.length) {
    const unwanted = selector(options.disable, rules, '--disable');
    active = active.filter((r) => !unwanted(r));
  }
  return active;
}

function selector(names: readonly string[], rules: readonly Rule[], flag: string): (r: Rule) => boolean {
  const tests = names.map((name) => {
    const glob = picomatch(name, { dot: true });
    const test = (r: Rule) => r.id === name || r.provider === name || glob(r.id);
    if (!rules.some(test)) throw new UsageError(`${flag} ${name}: no rule has that id or provider (see "keysweep rules list")`);
    return test;
  });
  return (r) => tests.some((t) => t(r));
}

/** Splits repeated and comma-separated flag values: `--disable a,b --disable c` → [a, b, c]. */
export function splitList(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}
