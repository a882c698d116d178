import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isNode, type Document } from 'yaml';
import { describeError, KeysweepError } from '../util/errors.js';
import { BUILTIN_VERIFIERS_DIR, PACKAGE_ROOT } from '../util/paths.js';
import { parseYamlWith } from '../util/yaml-file.js';
import { compileSpec, requestPlaceholders } from './http-spec.js';
import { verifierFileSchema, type RequestSpec, type VerifierFileSpec, type VerifierSpec } from './spec-schema.js';
import { templateProblems } from './template.js';
import type { CodeVerifierModule, Verifier } from './types.js';

/**
 * Code verifiers: `verifiers/*.ts` when running from the sources (tests), the compiled
 * dist/verifiers/*.js when running built (dist/src/ or the bundle in dist/bin/).
 */
export const CODE_VERIFIERS_DIR = import.meta.url.includes('/dist/') ? join(PACKAGE_ROOT, 'dist', 'verifiers') : fileURLToPath(new URL('../../verifiers/', import.meta.url));

/** The loaded verifiers, indexed by rule. */
export class Registry {
  private readonly byRule = new Map<string, Verifier[]>();

  constructor(readonly verifiers: readonly Verifier[]) {
    for (const v of verifiers) {
      for (const rule of v.rules) {
        const list = this.byRule.get(rule);
        if (list) list.push(v);
        else this.byRule.set(rule, [v]);
      }
    }
  }

  forRule(ruleId: string): readonly Verifier[] {
    return this.byRule.get(ruleId) ?? [];
  }

  get(id: string): Verifier | undefined {
    return this.verifiers.find((v) => v.id === id);
  }

  /** The names `--endpoint` accepts: every provider, and `provider.endpoint`. */
  endpointKeys(): Set<string> {
    const keys = new Set<string>();
    for (const v of this.verifiers) {
      keys.add(v.provider);
      for (const name of Object.keys(v.endpoints)) keys.add(`${v.provider}.${name}`);
    }
    return keys;
  }
}

export interface LoadVerifiersOptions {
  /** Rule ids that exist: a verifier naming another rule is an error. */
  ruleIds: ReadonlySet<string>;
  /** Folder of `<provider>.yml` files (default: the built-in verifiers/). */
  yamlDir?: string;
  /** Folder of code verifiers (default: the built-in ones); null for none. */
  codeDir?: string | null;
}

export interface LoadedSpecFile {
  file: string;
  spec: VerifierFileSpec;
  /** 1-based line of each verifier entry, for messages. */
  lines: number[];
  /** 1-based line of each `verifiers[i].rules[j]`. */
  ruleLines: number[][];
}

/**
 * Loads the declarative and code verifiers. Collects every problem in every file before failing, each
 * with file, line and field.
 */
export async function loadVerifiers(options: LoadVerifiersOptions): Promise<Registry> {
  const errors: string[] = [];
  const { files } = readSpecFiles(options.yamlDir ?? BUILTIN_VERIFIERS_DIR, errors);
  const verifiers: Verifier[] = [];
  for (const f of files) {
    for (const [i, spec] of f.spec.verifiers.entries()) {
      const problems = checkSpec(spec, f.spec.provider, options.ruleIds, f.ruleLines[i] ?? []);
      for (const [line, p] of problems) errors.push(`${f.file}:${line ?? f.lines[i] ?? 1}: verifiers[${i}] (${spec.id}): ${p}`);
      if (problems.length === 0) verifiers.push(compileSpec(spec, f.spec.provider, f.file, f.spec.references ?? []));
    }
  }
  const codeDir = options.codeDir === undefined ? CODE_VERIFIERS_DIR : options.codeDir;
  if (codeDir) verifiers.push(...(await loadCodeVerifiers(codeDir, options.ruleIds, errors)));
  const seen = new Map<string, string>();
  for (const v of verifiers) {
    const earlier = seen.get(v.id);
    if (earlier) errors.push(`${v.file}: ${v.id}: duplicate verifier id, first defined in ${earlier}`);
    seen.set(v.id, v.file);
  }
  if (errors.length) throw new KeysweepError('RULES', `invalid verifiers:\n  ${errors.join('\n  ')}`);
  return new Registry(verifiers);
}

/** Parses and schema-checks every `*.yml` in a folder (tests use this to read the replayed cases). */
export function readSpecFiles(dir: string, errors: string[]): { files: LoadedSpecFile[] } {
  const files: LoadedSpecFile[] = [];
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort();
  } catch (err) {
    errors.push(`${dir}: cannot read verifiers: ${describeError(err)}`);
    return { files };
  }
  for (const name of names) {
    const path = join(dir, name);
    const shown = displayPath(path);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      errors.push(`${shown}: cannot read: ${describeError(err)}`);
      continue;
    }
    const parsed = parseYamlWith(text, shown, verifierFileSchema);
    if (!parsed.ok) {
      errors.push(...parsed.errors);
      continue;
    }
    const provider = name.replace(/\.ya?ml$/, '');
    if (parsed.value.provider !== provider) {
      errors.push(`${shown}:${lineAt(text, parsed.doc, ['provider'])}: provider: must equal the file name "${provider}"`);
      continue;
    }
    const lines = parsed.value.verifiers.map((_, i) => lineAt(text, parsed.doc, ['verifiers', i]));
    // Rule references get their own line, so "unknown rule" points at it.
    const ruleLines = parsed.value.verifiers.map((v, i) => v.rules.map((_, j) => lineAt(text, parsed.doc, ['verifiers', i, 'rules', j])));
    files.push({ file: shown, spec: parsed.value, lines, ruleLines });
  }
  return { files };
}

type Problem = [line: number | undefined, message: string];

function checkSpec(spec: VerifierSpec, provider: string, ruleIds: ReadonlySet<string>, ruleLines: readonly number[]): Problem[] {
  const out: Problem[] = [];
  for (const [j, rule] of spec.rules.entries()) {
    if (!ruleIds.has(rule)) out.push([ruleLines[j], `rules[${j}]: no rule "${rule}" exists (see "keysweep rules list")`]);
  }
  return [...out, ...specProblems(spec, provider).map((p): Problem => [undefined, p])];
}

function specProblems(spec: VerifierSpec, provider: string): string[] {
  const problems: string[] = [];
  if (!spec.id.startsWith(`${provider}.`)) problems.push(`id: must start with the file's provider "${provider}."`);
  problems.push(...endpointProblems(spec.endpoint).map((p) => `endpoint: ${p}`));
  const requests: Array<[string, RequestSpec, boolean]> = [['verify.request', spec.verify.request, false]];
  if (spec.revoke) requests.push(['revoke.request', spec.revoke.request, true]);
  for (const [where, req, identity] of requests) {
    if (/[?#]/.test(req.path)) problems.push(`${where}.path: put query parameters in "query", not in the path`);
    const strings: Array<[string, string]> = [[`${where}.path`, req.path]];
    for (const [k, v] of Object.entries(req.query ?? {})) strings.push([`${where}.query.${k}`, v]);
    for (const [k, v] of Object.entries(req.headers ?? {})) strings.push([`${where}.headers.${k}`, v]);
    for (const [k, v] of Object.entries(req.form ?? {})) strings.push([`${where}.form.${k}`, v]);
    if (req.basic) strings.push([`${where}.basic.username`, req.basic.username], [`${where}.basic.password`, req.basic.password]);
    jsonStrings(req.json, `${where}.json`, strings);
    for (const [field, s] of strings) for (const p of templateProblems(s, { identity })) problems.push(`${field}: ${p}`);
    if (!identity && !requestPlaceholders(req, spec.endpoint).some((p) => p === 'secret')) {
      problems.push(`${where}: never uses {{secret}}`);
    }
  }
  for (const [i, c] of spec.cases.entries()) {
    if (c.rule && !spec.rules.includes(c.rule)) problems.push(`cases[${i}].rule: "${c.rule}" is not one of this verifier's rules`);
  }
  return problems;
}

/** A base URL: http(s), placeholders only as whole labels of the host, no query. */
export function endpointProblems(endpoint: string): string[] {
  const problems = templateProblems(endpoint, { identity: false }).slice();
  const probe = endpoint.replace(/\{\{\s*[A-Za-z0-9_.-]*\s*\}\}/g, 'placeholder');
  let url: URL;
  try {
    url = new URL(probe);
  } catch {
    return [...problems, `"${endpoint}" is not a URL`];
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') problems.push('must be an http(s) URL');
  if (url.search || url.hash || url.username) problems.push('no query, fragment or credentials in a base URL');
  const [, , authority = '', ...rest] = endpoint.split('/');
  if (rest.join('/').includes('{{')) problems.push('placeholders may only stand in the host');
  if (authority.includes('{{')) {
    const labels = authority.replace(/\{\{\s*parts\.[a-z][a-z0-9_]*\s*\}\}/g, '\0').split('.');
    if (labels.some((l) => /[{}]/.test(l) || !/^[a-z0-9-]*\0?[a-z0-9-]*(?::\d+)?$/.test(l))) {
      problems.push('a host placeholder must be {{parts.NAME}} and stand for (part of) one label, e.g. https://{{parts.account}}.blob.core.windows.net');
    }
    if (labels.length < 3 || (labels[labels.length - 1] ?? '').includes('\0') || (labels[labels.length - 2] ?? '').includes('\0')) {
      problems.push('the domain after a host placeholder must be fixed (at least two labels), so a found value cannot choose the server');
    }
  }
  return problems;
}

function jsonStrings(value: unknown, where: string, out: Array<[string, string]>): void {
  if (typeof value === 'string') out.push([where, value]);
  else if (Array.isArray(value)) value.forEach((v, i) => jsonStrings(v, `${where}[${i}]`, out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) jsonStrings(v, `${where}.${k}`, out);
}

async function loadCodeVerifiers(dir: string, ruleIds: ReadonlySet<string>, errors: string[]): Promise<Verifier[]> {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => (n.endsWith('.js') || n.endsWith('.ts')) && !n.endsWith('.d.ts'))
      .sort();
  } catch {
    return [];
  }
  const out: Verifier[] = [];
  for (const name of names) {
    const path = join(dir, name);
    const shown = `verifiers/${name.replace(/\.js$/, '.ts')}`;
    let mod: { default?: CodeVerifierModule };
    try {
      mod = (await import(pathToFileURL(path).href)) as { default?: CodeVerifierModule };
    } catch (err) {
      errors.push(`${shown}: cannot load: ${describeError(err)}`);
      continue;
    }
    const exported = mod.default;
    if (!exported) {
      errors.push(`${shown}: no default export (a verifier or an array of verifiers)`);
      continue;
    }
    const provider = basename(name).replace(/\.[jt]s$/, '');
    for (const v of Array.isArray(exported) ? exported : [exported]) {
      const problems: string[] = [];
      if (typeof v.verify !== 'function') problems.push('verify: must be a function');
      if (v.provider !== provider) problems.push(`provider: must equal the file name "${provider}"`);
      if (!v.id?.startsWith(`${provider}.`)) problems.push(`id: must start with "${provider}."`);
      for (const rule of v.rules ?? []) if (!ruleIds.has(rule)) problems.push(`rules: no rule "${rule}" exists (see "keysweep rules list")`);
      for (const [k, url] of Object.entries(v.endpoints ?? {})) for (const p of endpointProblems(url)) problems.push(`endpoints.${k}: ${p}`);
      for (const call of v.calls ?? []) if (!Object.hasOwn(v.endpoints ?? {}, call.endpoint)) problems.push(`calls: unknown endpoint "${call.endpoint}"`);
      if (problems.length) errors.push(...problems.map((p) => `${shown}: ${v.id ?? '?'}: ${p}`));
      else out.push({ ...v, file: shown });
    }
  }
  return out;
}

function lineAt(text: string, doc: Document, path: Array<string | number>): number {
  const node = doc.getIn(path, true);
  if (isNode(node) && node.range) return text.slice(0, node.range[0]).split('\n').length;
  return 1;
}

function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
}
