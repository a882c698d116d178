import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';
import { checkRegex } from './regex.js';
import type { RuleSpec, Severity } from './rule-schema.js';

/**
 * Converts rules written for other scanners into keysweep rules: gitleaks-style TOML, Kingfisher-style
 * YAML and GitHub secret-scanning custom patterns. What RE2 accepts is converted; everything else is
 * reported with the reason, never silently dropped.
 */
export type ImportFormat = 'gitleaks' | 'kingfisher' | 'github';

export interface ImportResult {
  rules: RuleSpec[];
  skipped: Array<{ id: string; reason: string }>;
  /** Parts of a rule that could not be carried over although the rule was converted. */
  notes: Array<{ id: string; note: string }>;
}

export function detectFormat(file: string, text: string): ImportFormat {
  if (/\.toml$/i.test(file) || /^\s*\[\[rules\]\]/m.test(text)) return 'gitleaks';
  if (/^\s*patterns:\s*$/m.test(text) || /secret_format|before_secret/.test(text)) return 'github';
  return 'kingfisher';
}

export function importRules(text: string, format: ImportFormat, provider: string): ImportResult {
  const result: ImportResult = { rules: [], skipped: [], notes: [] };
  const seen = new Set<string>();
  const add = (sourceId: string, draft: Draft) => {
    const spec = finish(uniqueId(`${provider}.${slug(sourceId)}`, seen), draft, result);
    if (spec) result.rules.push(spec);
  };
  if (format === 'gitleaks') {
    const doc = parseToml(text) as { rules?: Array<Record<string, unknown>> };
    for (const r of doc.rules ?? []) {
      const sourceId = String(r.id ?? r.description ?? 'rule');
      const regex = typeof r.regex === 'string' ? r.regex : undefined;
      if (!regex) {
        result.skipped.push({ id: sourceId, reason: 'no regex (path-only rules have no keysweep equivalent)' });
        continue;
      }
      const allowlists = [r.allowlist, ...(Array.isArray(r.allowlists) ? r.allowlists : [])].filter((a): a is Record<string, unknown> => !!a && typeof a === 'object');
      const allow: string[] = [];
      for (const a of allowlists) {
        for (const re of asStrings(a.regexes)) allow.push(re);
        if (asStrings(a.paths).length) result.notes.push({ id: sourceId, note: 'allowlist paths: put them in .keysweep.yml allowlist.paths' });
        if (asStrings(a.stopwords).length) result.notes.push({ id: sourceId, note: 'allowlist stopwords: put them in .keysweep.yml allowlist.stopwords' });
      }
      add(sourceId, {
        name: String(r.description ?? sourceId),
        pattern: withSecretGroup(regex, typeof r.secretGroup === 'number' ? r.secretGroup : undefined),
        keywords: asStrings(r.keywords),
        entropy: typeof r.entropy === 'number' ? r.entropy : undefined,
        allow,
        severity: 'high',
        positives: [],
        references: [],
      });
    }
  } else if (format === 'kingfisher') {
    const doc = parseYaml(text) as { rules?: Array<Record<string, unknown>> };
    const idMap = new Map<string, string>();
    for (const r of doc.rules ?? []) idMap.set(String(r.id), `${provider}.${slug(String(r.id))}`);
    for (const r of doc.rules ?? []) {
      const sourceId = String(r.id ?? r.name ?? 'rule');
      if (typeof r.pattern !== 'string') {
        result.skipped.push({ id: sourceId, reason: 'no pattern' });
        continue;
      }
      const confidence = String(r.confidence ?? 'medium');
      const requires = (Array.isArray(r.depends_on_rule) ? r.depends_on_rule : []).map((d: Record<string, unknown>) => ({
        part: slug(String(d.variable ?? 'part')).replace(/-/g, '_'),
        rule: idMap.get(String(d.rule_id)) ?? `${provider}.${slug(String(d.rule_id))}`,
        within: 20,
        // Kingfisher uses the dependency for validation; the key is still a finding without it.
        optional: true,
      }));
      add(sourceId, {
        name: String(r.name ?? sourceId),
        pattern: withSecretGroup(freeSpacingToPlain(r.pattern), undefined),
        keywords: [],
        entropy: typeof r.min_entropy === 'number' ? r.min_entropy : undefined,
        allow: [],
        severity: confidence === 'high' ? 'high' : confidence === 'low' ? 'low' : 'medium',
        positives: asStrings(r.examples),
        references: asStrings(r.references),
        standalone: r.visible === false ? false : undefined,
        requires: requires.length ? requires : undefined,
      });
      if (r.validation) result.notes.push({ id: sourceId, note: 'validation: write a verifier in verifiers/ (see docs/verifier-format.md)' });
    }
  } else {
    const doc = parseYaml(text) as { patterns?: Array<Record<string, unknown>> } | Array<Record<string, unknown>>;
    const list = Array.isArray(doc) ? doc : (doc.patterns ?? []);
    for (const p of list) {
      const regex = (p.regex ?? {}) as Record<string, unknown>;
      const sourceId = String(p.type ?? p.name ?? 'pattern');
      const body = str(regex.pattern) ?? str(p.secret_format) ?? str(p.pattern);
      if (!body) {
        result.skipped.push({ id: sourceId, reason: 'no secret format' });
        continue;
      }
      const before = str(regex.start) ?? str(p.before_secret);
      const after = str(regex.end) ?? str(p.after_secret);
      const must = [...asStrings(regex.additional_match), ...asStrings(p.additional_match)];
      if (must.length) result.notes.push({ id: sourceId, note: `additional_match (${must.length}) has no keysweep equivalent: the rule is broader than the original` });
      add(sourceId, {
        name: String(p.name ?? sourceId),
        pattern: `${before ? `(?:${before.trim()})` : ''}(?P<secret>${body.trim()})${after ? `(?:${after.trim()})` : ''}`,
        keywords: [],
        entropy: undefined,
        allow: [...asStrings(regex.additional_not_match), ...asStrings(p.additional_not_match)].map((a) => a.trim()),
        severity: 'high',
        positives: (Array.isArray(p.expected) ? p.expected : []).map((e: unknown) => (typeof e === 'string' ? e : '')).filter(Boolean),
        references: [],
      });
    }
  }
  return result;
}

interface Draft {
  name: string;
  pattern: string;
  keywords: string[];
  entropy: number | undefined;
  allow: string[];
  severity: Severity;
  positives: string[];
  references: string[];
  standalone?: boolean | undefined;
  requires?: RuleSpec['requires'];
}

function finish(id: string, d: Draft, result: ImportResult): RuleSpec | undefined {
  const problem = checkRegex(d.pattern);
  if (problem) {
    result.skipped.push({ id, reason: `RE2 rejects the pattern: ${problem}` });
    return undefined;
  }
  for (const a of d.allow) {
    const allowProblem = checkRegex(a);
    if (allowProblem) {
      result.skipped.push({ id, reason: `RE2 rejects an allowlist regex: ${allowProblem}` });
      return undefined;
    }
  }
  const keywords = d.keywords.filter((k) => k.length >= 3);
  if (keywords.length === 0) {
    const literal = longestLiteral(d.pattern);
    if (!literal) {
      result.skipped.push({ id, reason: 'no keywords, and the pattern has no literal of 3+ characters to use as one' });
      return undefined;
    }
    keywords.push(literal);
    result.notes.push({ id, note: `keyword "${literal}" taken from the pattern` });
  }
  const spec: RuleSpec = {
    id,
    name: d.name.length >= 3 ? d.name : `${d.name} (imported)`,
    severity: d.severity,
    keywords,
    pattern: d.pattern,
    examples: { positive: d.positives, negative: [] },
  };
  if (d.entropy !== undefined) spec.entropy = d.entropy;
  if (d.allow.length) spec.allow = d.allow;
  if (d.references.length) spec.references = d.references;
  if (d.standalone === false) spec.standalone = false;
  if (d.requires) spec.requires = d.requires;
  return spec;
}

/** Names group `n` (1-based; default the first capturing group, else the whole match) `secret`. */
export function withSecretGroup(pattern: string, n: number | undefined): string {
  if (/\(\?P<secret>/.test(pattern)) return pattern;
  let count = 0;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') {
      const named = /^\(\?P?<[A-Za-z_]/.test(pattern.slice(i));
      const capturing = pattern[i + 1] !== '?' || named;
      if (!capturing) continue;
      count++;
      if (count === (n ?? 1) && !named) return `${pattern.slice(0, i)}(?P<secret>${pattern.slice(i + 1)}`;
      if (count === (n ?? 1) && named) return pattern.slice(0, i) + pattern.slice(i).replace(/^\(\?P?<[A-Za-z_][A-Za-z0-9_]*>/, '(?P<secret>');
    }
  }
  return `(?P<secret>${pattern})`;
}

/** Rewrites an `(?x)` free-spacing pattern (which RE2 rejects) into a plain one. */
export function freeSpacingToPlain(pattern: string): string {
  const flags = /\(\?([a-zA-Z]*x[a-zA-Z]*)\)/.exec(pattern);
  if (!flags) return pattern.trim();
  const rest = flags[1]?.replace('x', '') ?? '';
  let src = pattern.replace(flags[0], rest ? `(?${rest})` : '');
  src = src.replace(/\(\?([a-zA-Z]*)x([a-zA-Z]*)\)/g, (_m, a: string, b: string) => (a + b ? `(?${a}${b})` : ''));
  let out = '';
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i] as string;
    if (c === '\\') {
      out += c + (src[i + 1] ?? '');
      i++;
      continue;
    }
    if (inClass) {
      out += c;
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
    } else if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (!/\s/.test(c)) {
      out += c;
    }
  }
  return out;
}

/** The longest run of literal characters outside classes and groups' syntax, lower-cased. */
function longestLiteral(pattern: string): string | undefined {
  const body = pattern.replace(/\(\?P?<[^>]+>/g, '(').replace(/\(\?[a-zA-Z]*:?/g, '(');
  let best = '';
  let current = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c === '\\' && /[^A-Za-z0-9]/.test(body[i + 1] ?? '')) {
      current += body[i + 1];
      i++;
    } else if (/[A-Za-z0-9_\-:/.@]/.test(c) && c !== '.') {
      current += c;
    } else {
      // A quantifier makes the last character optional or repeated: it is not part of the literal.
      if (/[?*{+]/.test(c)) current = current.slice(0, -1);
      if (current.length > best.length) best = current;
      current = '';
      if (c === '[') while (i < body.length && body[i] !== ']') i += body[i] === '\\' ? 2 : 1;
    }
  }
  if (current.length > best.length) best = current;
  return best.length >= 3 ? best.toLowerCase() : undefined;
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'rule';
}

function uniqueId(id: string, seen: Set<string>): string {
  let candidate = id;
  for (let n = 2; seen.has(candidate); n++) candidate = `${id}-${n}`;
  seen.add(candidate);
  return candidate;
}

function asStrings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v : undefined;
}
