/**
 * The only module that imports `re2`. Everything that matches user-controlled text goes through RE2 so
 * that no input can cost more than linear time.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export interface RE2Match {
  index: number;
  indices?: Array<[number, number] | undefined> & { groups?: Record<string, [number, number] | undefined> };
}
export interface RE2Regex {
  lastIndex: number;
  readonly source: string;
  exec(input: Buffer | string): (RE2Match & Array<Buffer | string | undefined>) | null;
  test(input: Buffer | string): boolean;
}
interface RE2Set {
  match(input: Buffer | string): number[];
}
interface RE2Constructor {
  new (pattern: string, flags?: string): RE2Regex;
  Set: new (patterns: string[], flags?: string) => RE2Set;
}

const RE2 = require('re2') as RE2Constructor;

/**
 * Compiles an RE2 pattern. `d` (match indices) is always on: we need the byte span of the `secret`
 * group, not just its text.
 */
export function compileRegex(pattern: string, flags = 'g'): RE2Regex {
  const all = new Set(`${flags}du`);
  return new RE2(pattern, [...all].join(''));
}

/** Returns an error message if RE2 rejects the pattern, otherwise undefined. */
export function checkRegex(pattern: string): string | undefined {
  try {
    new RE2(pattern, 'u');
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/**
 * A set of literal keywords, matched case-insensitively in one native pass: which keywords occur,
 * not where (for that, see KeywordAutomaton). Faster than the automaton when that is all one needs.
 */
export class KeywordSet {
  private readonly set: RE2Set | undefined;

  constructor(keywords: readonly string[]) {
    this.set = keywords.length ? new RE2.Set(keywords.map(escapeRegex), 'iu') : undefined;
  }

  /** Indices (into the keywords given) of the keywords that occur in `input`. */
  match(input: Buffer): number[] {
    return this.set ? this.set.match(input) : [];
  }
}

/** Whether any of the (non-global) regexes matches `text`. */
export function testAny(regexes: readonly RE2Regex[], text: string): boolean {
  return regexes.some((re) => {
    re.lastIndex = 0;
    return re.test(text);
  });
}

export function escapeRegex(literal: string): string {
  return literal.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}
