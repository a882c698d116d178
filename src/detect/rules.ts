import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CHECKSUMS, type Checksum } from './checksums/index.js';
import { checkRegex, compileRegex, testAny, type RE2Regex } from './regex.js';
import { gatePattern, maxMatchBytes, relaxedPattern } from './regex-length.js';
import { ruleSchemas, type Requirement, type RuleSpec, type Severity } from './rule-schema.js';
import { RuleError, describeError } from '../util/errors.js';
import { parseYamlWith } from '../util/yaml-file.js';
import { BUILTIN_PATTERNS_DIR, BUILTIN_RULE_CACHE, INSTALLED_BY_NPM } from '../util/paths.js';
import { readRuleCache, writeRuleCache } from './rule-cache.js';

export type { Severity } from './rule-schema.js';

/** Rules whose matches can span more than this many bytes get a gate (see Rule.gate). */
const GATED_REACH = 256;
/** Counted repetitions up to this many and more are opened in gates. */
const GATE_RELAX_MIN_COUNT = 8;

export interface ProviderInfo {
  id: string;
  name: string;
  references: readonly string[];
}

export interface RuleMetadata {
  description: string | undefined;
  remediation: string | undefined;
  references: readonly string[];
}

/** A rule as data: what worker threads receive and the rule cache holds. */
export interface RuleWire {
  spec: RuleSpec;
  provider: ProviderInfo;
  file: string;
}

/** A loaded detection rule. Its regexes compile on first use, so start-up stays fast. */
export class Rule {
  readonly id: string;
  readonly provider: string;
  readonly providerName: string;
  readonly name: string;
  readonly severity: Severity;
  readonly keywords: readonly string[];
  readonly pattern: string;
  readonly entropy: number | undefined;
  readonly checksum: Checksum | undefined;
  readonly requires: readonly Requirement[];
  readonly allowPatterns: readonly string[];
  readonly allowContextPatterns: readonly string[];
  readonly placeholders: boolean;
  readonly fallback: boolean;
  readonly standalone: boolean;
  readonly examples: { readonly positive: readonly string[]; readonly negative: readonly string[] };
  /** What reports say about the rule; from the built-in cache it is read only when a report needs it. */
  private meta: RuleMetadata | (() => RuleMetadata);
  /** Where the rule was defined, for error messages. */
  readonly file: string;

  private compiled: RE2Regex | undefined;
  private maxBytes: number | undefined;
  private compiledGate: RE2Regex | null | undefined;
  private compiledFinder: RE2Regex | null | undefined;
  private compiledAllow: RE2Regex[] | undefined;
  private compiledAllowContext: RE2Regex[] | undefined;

  constructor(spec: RuleSpec, provider: ProviderInfo, file: string, meta?: () => RuleMetadata) {
    this.id = spec.id;
    this.provider = provider.id;
    this.providerName = provider.name;
    this.name = spec.name;
    this.severity = spec.severity;
    this.keywords = spec.keywords;
    this.pattern = spec.pattern;
    this.entropy = spec.entropy;
    this.checksum = spec.checksum ? CHECKSUMS.get(spec.checksum) : undefined;
    this.requires = spec.requires ?? [];
    this.allowPatterns = spec.allow ?? [];
    this.allowContextPatterns = spec.allowContext ?? [];
    this.placeholders = spec.placeholders ?? true;
    this.fallback = spec.fallback ?? false;
    this.standalone = spec.standalone ?? true;
    this.meta = meta ?? { description: spec.description, remediation: spec.remediation, references: spec.references ?? provider.references };
    this.examples = spec.examples;
    this.file = file;
  }

  private metadata(): RuleMetadata {
    if (typeof this.meta === 'function') this.meta = this.meta();
    return this.meta;
  }

  get description(): string | undefined {
    return this.metadata().description;
  }

  get remediation(): string | undefined {
    return this.metadata().remediation;
  }

  get references(): readonly string[] {
    return this.metadata().references;
  }

  /** The rule's global, index-reporting RE2 regex. Callers reset `lastIndex` before use. */
  get regex(): RE2Regex {
    return (this.compiled ??= compileRegex(this.pattern, 'g'));
  }

  /**
   * The relaxed regex that finds where the rule may match, for a pattern with large counted
   * repetitions (see relaxedPattern): cheap to compile, while `regex` is compiled only once it finds
   * something. Null when the pattern has none, or when RE2 rejects the relaxed form.
   */
  get finder(): RE2Regex | null {
    if (this.compiledFinder === undefined) {
      const relaxed = relaxedPattern(this.pattern);
      try {
        this.compiledFinder = relaxed === undefined ? null : compileRegex(relaxed, 'g');
      } catch {
        this.compiledFinder = null; // the exact pattern decides (and reports its own error)
      }
    }
    return this.compiledFinder;
  }

  /**
   * A cheap necessary condition for a match (see gatePattern), for rules whose pattern is long (slow
   * to compile and to run); null when the rule has none.
   */
  get gate(): RE2Regex | null {
    if (this.compiledGate === undefined) {
      const prefix = this.reach > GATED_REACH ? gatePattern(this.pattern) : undefined;
      try {
        // Relaxed: a gate only has to let every match through, and counted repetitions are what
        // makes a regex slow to compile.
        this.compiledGate = prefix === undefined ? null : compileRegex(relaxedPattern(prefix, GATE_RELAX_MIN_COUNT) ?? prefix, '');
      } catch {
        this.compiledGate = null; // the full pattern decides (and reports its own error)
      }
    }
    return this.compiledGate;
  }

  /** How far (bytes) a match can reach: Infinity if the pattern has an unbounded repetition. */
  get reach(): number {
    return (this.maxBytes ??= maxMatchBytes(this.pattern));
  }

  /** True if the candidate secret matches one of the rule's `allow` patterns. */
  allows(secret: string): boolean {
    if (this.allowPatterns.length === 0) return false;
    this.compiledAllow ??= compileEither(this.allowPatterns);
    return testAny(this.compiledAllow, secret);
  }

  /** True if the text before the secret (name, operator) matches one of the `allowContext` patterns. */
  allowsContext(context: string): boolean {
    if (this.allowContextPatterns.length === 0) return false;
    this.compiledAllowContext ??= compileEither(this.allowContextPatterns);
    return testAny(this.compiledAllowContext, context);
  }

  /**
   * What a worker thread needs to match with this rule: the report metadata and examples stay on the
   * main thread, which builds the findings.
   */
  toSpec(): RuleWire {
    return {
      spec: {
        id: this.id,
        name: this.name,
        severity: this.severity,
        keywords: [...this.keywords],
        pattern: this.pattern,
        entropy: this.entropy,
        checksum: this.checksum?.name,
        requires: [...this.requires],
        allow: [...this.allowPatterns],
        allowContext: [...this.allowContextPatterns],
        placeholders: this.placeholders,
        fallback: this.fallback,
        standalone: this.standalone,
        examples: { positive: [], negative: [] },
      },
      provider: { id: this.provider, name: this.providerName, references: [] },
      file: this.file,
    };
  }

  static fromSpec(s: RuleWire, meta?: () => RuleMetadata): Rule {
    return new Rule(s.spec, s.provider, s.file, meta);
  }
}

export interface LoadOptions {
  /** Check every pattern with RE2 now (user rules, `rules test`) instead of on first use. */
  validatePatterns?: boolean;
  /**
   * Report each problem here and load what is valid (a broken file or rule is left out) instead of
   * failing the whole load: a scan goes on when one of the user's rule files is broken.
   */
  onProblem?: (message: string) => void;
}

/**
 * Loads every `*.yml` / `*.yaml` rule file in the given folders (or single files). Collects every
 * problem in every file before failing, so one run shows the whole list.
 */
export function loadRules(sources: readonly string[], options: LoadOptions = {}): Rule[] {
  if (!options.validatePatterns && sources.length === 1 && sources[0] === BUILTIN_PATTERNS_DIR) {
    const cached = readRuleCache(BUILTIN_RULE_CACHE, BUILTIN_PATTERNS_DIR, INSTALLED_BY_NPM);
    if (cached) return cached;
    // Stale (a rule file was edited): read the YAML, and refresh the cache for the next run if we may.
    const rules = parseRuleFiles(sources, options);
    try {
      writeRuleCache(BUILTIN_RULE_CACHE, BUILTIN_PATTERNS_DIR, rules);
    } catch {
      // A read-only installation: every run reads the YAML, which is slower but correct.
    }
    return rules;
  }
  return parseRuleFiles(sources, options);
}

function parseRuleFiles(sources: readonly string[], options: LoadOptions): Rule[] {
  const errors: string[] = [];
  const rules: Rule[] = [];
  const seen = new Map<string, string>();
  for (const file of listRuleFiles(sources, errors)) {
    const shown = displayPath(file);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      errors.push(`${shown}: cannot read rule file: ${describeError(err)}`);
      continue;
    }
    const parsed = parseYamlWith(text, shown, ruleSchemas().ruleFileSchema);
    if (!parsed.ok) {
      errors.push(...parsed.errors);
      continue;
    }
    const spec = parsed.value;
    const provider = { id: spec.provider, name: spec.name ?? spec.provider, references: spec.references ?? [] };
    spec.rules.forEach((ruleSpec, i) => {
      const where = `${shown}: rules[${i}] (${ruleSpec.id})`;
      const problems = checkRuleSpec(ruleSpec, spec.provider, options.validatePatterns ?? false);
      for (const p of problems) errors.push(`${where}: ${p}`);
      const earlier = seen.get(ruleSpec.id);
      if (earlier) errors.push(`${where}: duplicate rule id, first defined in ${earlier}`);
      else seen.set(ruleSpec.id, shown);
      if (problems.length === 0 && !earlier) rules.push(new Rule(ruleSpec, provider, shown));
    });
  }
  const ids = new Set(rules.map((r) => r.id));
  for (const rule of rules) {
    for (const req of rule.requires) {
      if (!ids.has(req.rule)) errors.push(`${rule.file}: ${rule.id}: requires.rule names unknown rule ${req.rule}`);
    }
  }
  if (errors.length && options.onProblem) {
    errors.forEach(options.onProblem);
    return rules.filter((r) => r.requires.every((req) => ids.has(req.rule)));
  }
  if (errors.length) throw new RuleError(`invalid rules:\n  ${errors.join('\n  ')}`);
  return rules;
}

function checkRuleSpec(rule: RuleSpec, provider: string, validatePatterns: boolean): string[] {
  const problems: string[] = [];
  if (!rule.id.startsWith(`${provider}.`)) problems.push(`id must start with the file's provider "${provider}."`);
  if (!/\(\?P<secret>/.test(rule.pattern)) problems.push('pattern: needs a named group (?P<secret>…)');
  if (rule.checksum && !CHECKSUMS.has(rule.checksum)) {
    problems.push(`checksum: unknown checksum "${rule.checksum}" (known: ${[...CHECKSUMS.keys()].join(', ')})`);
  }
  if (validatePatterns) {
    const err = checkRegex(rule.pattern);
    if (err) problems.push(`pattern: RE2 rejects it: ${err}`);
    for (const field of ['allow', 'allowContext'] as const) {
      for (const [i, allow] of (rule[field] ?? []).entries()) {
        const allowErr = checkRegex(allow);
        if (allowErr) problems.push(`${field}[${i}]: RE2 rejects it: ${allowErr}`);
      }
    }
  }
  return problems;
}

function listRuleFiles(sources: readonly string[], errors: string[]): string[] {
  const files: string[] = [];
  for (const source of sources) {
    let isDir: boolean;
    try {
      isDir = statSync(source).isDirectory();
    } catch (err) {
      errors.push(`${source}: cannot read rules: ${describeError(err)}`);
      continue;
    }
    if (!isDir) {
      files.push(source);
      continue;
    }
    for (const name of readdirSync(source).sort()) {
      if (/\.ya?ml$/.test(name)) files.push(join(source, name));
    }
  }
  return files;
}

function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
}

/**
 * Patterns of which any may match, as one regex (each in its own group, so that its flags stay its
 * own): one RE2 call per candidate instead of one per pattern (a dozen for the generic rules, whose
 * candidates are many). One regex per pattern if RE2 will not take them together.
 */
function compileEither(patterns: readonly string[]): RE2Regex[] {
  if (patterns.length > 1) {
    try {
      return [compileRegex(patterns.map((p) => `(?:${p})`).join('|'), '')];
    } catch {
      // e.g. past RE2's size limit: one by one
    }
  }
  return patterns.map((p) => compileRegex(p, ''));
}

