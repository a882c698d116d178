import { parseArgs } from 'node:util';
import { scanOptions } from '../src/commands/scan.js';
import { UsageError } from '../src/util/errors.js';

/** The action's inputs (action.yml), read the way the runner passes them: `INPUT_<NAME>` variables. */
export interface ActionInputs {
  /** Files and folders: what a working-tree scan reads, and what git scans report on. */
  paths: string[];
  config?: string;
  failOn: 'any' | 'live' | 'none';
  verify: boolean;
  revoke: boolean;
  /** Where the SARIF report goes; empty: `$RUNNER_TEMP/keysweep.sarif`. */
  sarifFile?: string;
  comment: 'off' | 'on' | 'on-failure';
  baseline?: string;
  /** What to scan: the event's changes (auto), the whole history, or the working tree. */
  scope: 'auto' | 'history' | 'tree';
  token?: string;
  extra: ExtraValues;
}

/** `keysweep scan` flags that may be passed through `extra-args`; the action owns the others. */
const EXTRA_FLAGS = [
  'rules',
  'enable',
  'disable',
  'exclude',
  'no-default-excludes',
  'max-file-size',
  'ignore-file',
  'no-inline-allow',
  'threads',
  'since',
  'max-commits',
  'quiet',
  'endpoint',
  'verify-timeout',
  'verify-concurrency',
  'verify-rate',
  'verify-cache',
  'verify-cache-ttl',
  'verify-private-hosts',
] as const satisfies ReadonlyArray<keyof typeof scanOptions>;

type ExtraFlag = (typeof EXTRA_FLAGS)[number];
export type ExtraValues = {
  [K in ExtraFlag]?: (typeof scanOptions)[K] extends { multiple: true } ? string[] : (typeof scanOptions)[K] extends { type: 'boolean' } ? boolean : string;
};

/** The value of input `name` as the runner sets it: `INPUT_` + the name upper-cased, spaces as `_`. */
export function input(env: NodeJS.ProcessEnv, name: string): string {
  return (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}

export function readInputs(env: NodeJS.ProcessEnv): ActionInputs {
  const failOn = oneOf(input(env, 'fail-on') || 'any', 'fail-on', ['any', 'live', 'none'] as const);
  const comment = oneOf(input(env, 'comment') || 'off', 'comment', ['off', 'on', 'on-failure'] as const);
  const scope = oneOf(input(env, 'scope') || 'auto', 'scope', ['auto', 'history', 'tree'] as const);
  const verify = bool(input(env, 'verify'), 'verify');
  const revoke = bool(input(env, 'revoke'), 'revoke');
  if (revoke && !verify) throw new UsageError('input revoke: true needs verify: true (only credentials verified live are revoked)');
  const paths = input(env, 'paths')
    .split(/[\n,]/)
    .map((p) => p.trim())
    .filter(Boolean);
  const inputs: ActionInputs = {
    paths: paths.length ? paths : ['.'],
    failOn,
    verify,
    revoke,
    comment,
    scope,
    extra: parseExtraArgs(input(env, 'extra-args')),
  };
  const config = input(env, 'config');
  if (config) inputs.config = config;
  const sarif = input(env, 'sarif-file');
  if (sarif) inputs.sarifFile = sarif;
  const baseline = input(env, 'baseline');
  if (baseline) inputs.baseline = baseline;
  const token = input(env, 'github-token') || env.GITHUB_TOKEN || '';
  if (token) inputs.token = token;
  return inputs;
}

/** Splits `extra-args` like a shell would (quotes, backslashes) and accepts only the pass-through flags. */
export function parseExtraArgs(text: string): ExtraValues {
  if (!text) return {};
  const args = splitShellWords(text);
  const options = Object.fromEntries(EXTRA_FLAGS.map((k) => [k, scanOptions[k]]));
  try {
    return parseArgs({ args, options, allowPositionals: false, strict: true }).values as ExtraValues;
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new UsageError(`input extra-args: ${why} (allowed: ${EXTRA_FLAGS.map((f) => `--${f}`).join(', ')})`);
  }
}

export function splitShellWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) word += text[++i];
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new UsageError(`input extra-args: unterminated ${quote} quote`);
  if (inWord) words.push(word);
  return words;
}

function oneOf<T extends string>(value: string, name: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`input ${name}: "${value}" is not one of ${allowed.join(', ')}`);
}

/** The YAML 1.2 core schema booleans, as @actions/core's getBooleanInput reads them. */
function bool(value: string, name: string): boolean {
  if (value === '') return false;
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  if (['false', 'False', 'FALSE'].includes(value)) return false;
  throw new UsageError(`input ${name}: "${value}" is not true or false`);
}
