/**
 * An upper bound on the bytes (UTF-8) a match of an RE2 pattern can span, or Infinity when a
 * repetition is unbounded. The matcher uses it to run a rule only on the few hundred bytes around its
 * keywords instead of the whole input: a match that holds a keyword cannot reach further than this
 * from it. The bound only has to be safe (never too small), not tight.
 */
export function maxMatchBytes(pattern: string): number {
  const parser = new Parser(pattern);
  const n = parser.alternation();
  return Number.isFinite(n) ? n : Infinity;
}

const WIDE = 4; // bytes of any character that may be non-ASCII

class Parser {
  private i = 0;
  constructor(private readonly s: string) {}

  alternation(): number {
    let best = this.sequence();
    while (this.s[this.i] === '|') {
      this.i++;
      best = Math.max(best, this.sequence());
    }
    return best;
  }

  private sequence(): number {
    let total = 0;
    while (this.i < this.s.length && this.s[this.i] !== '|' && this.s[this.i] !== ')') {
      const atom = this.atom();
      const times = this.quantifier();
      total += atom === 0 ? 0 : atom * times;
      if (!Number.isFinite(total)) {
        this.skipRest();
        return Infinity;
      }
    }
    return total;
  }

  /** Skips to the end of the current group, keeping parentheses balanced. */
  private skipRest(): void {
    let depth = 0;
    while (this.i < this.s.length) {
      const c = this.s[this.i];
      if (c === '\\') this.i += 2;
      else if (c === '[') this.charClass();
      else {
        if (c === '(') depth++;
        if (c === ')') {
          if (depth === 0) return;
          depth--;
        }
        this.i++;
      }
    }
  }

  private atom(): number {
    const c = this.s[this.i] as string;
    if (c === '(') {
      this.i++;
      if (this.s[this.i] === '?') {
        // (?:…), (?P<name>…), (?<name>…), or a flag group such as (?i) / (?i:…)
        const flags = /^\?([a-zA-Z-]*)\)/.exec(this.s.slice(this.i));
        if (flags) {
          this.i += flags[0].length;
          return 0;
        }
        const named = /^\?P?<[^>]+>/.exec(this.s.slice(this.i));
        if (named) this.i += named[0].length;
        else {
          const m = /^\?[a-zA-Z-]*:/.exec(this.s.slice(this.i));
          this.i += m ? m[0].length : 1;
        }
      }
      const inner = this.alternation();
      if (this.s[this.i] === ')') this.i++;
      return inner;
    }
    if (c === '[') return this.charClass();
    if (c === '\\') return this.escape();
    this.i++;
    if (c === '^' || c === '$') return 0;
    if (c === '.') return WIDE;
    return Buffer.byteLength(c, 'utf8');
  }

  private escape(): number {
    const next = this.s[this.i + 1] ?? '';
    this.i += 2;
    if ('bBAzZ'.includes(next)) return 0;
    if ('dDsSwW'.includes(next)) return /[DSW]/.test(next) ? WIDE : 1;
    if (next === 'p' || next === 'P') {
      if (this.s[this.i] === '{') this.i = this.s.indexOf('}', this.i) + 1;
      else this.i++;
      return WIDE;
    }
    if (next === 'x') {
      if (this.s[this.i] === '{') this.i = this.s.indexOf('}', this.i) + 1;
      else this.i += 2;
      return WIDE;
    }
    if (next === 'Q') {
      const end = this.s.indexOf('\\E', this.i);
      const literal = this.s.slice(this.i, end < 0 ? undefined : end);
      this.i = end < 0 ? this.s.length : end + 2;
      return Buffer.byteLength(literal, 'utf8');
    }
    return 1;
  }

  /** A bracketed class: 1 byte if it can only match ASCII, else up to 4. */
  private charClass(): number {
    const start = this.i;
    this.i++;
    if (this.s[this.i] === '^') this.i++;
    if (this.s[this.i] === ']') this.i++;
    while (this.i < this.s.length && this.s[this.i] !== ']') {
      if (this.s[this.i] === '\\') this.i += 2;
      else if (this.s.startsWith('[:', this.i)) this.i = this.s.indexOf(':]', this.i) + 2;
      else this.i++;
    }
    this.i++;
    const body = this.s.slice(start + 1, this.i - 1);
    const negated = body.startsWith('^');
    const asciiOnly = !negated && !/\\[pPDSWx]|[^\x00-\x7f]/.test(body);
    return asciiOnly ? 1 : WIDE;
  }

  private quantifier(): number {
    const c = this.s[this.i];
    let times = 1;
    if (c === '*' || c === '+') {
      this.i++;
      times = Infinity;
    } else if (c === '?') {
      this.i++;
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.s.slice(this.i));
      if (!m) return 1;
      this.i += m[0].length;
      times = m[2] === undefined ? Number(m[1]) : m[3] === '' ? Infinity : Number(m[3]);
    } else {
      return 1;
    }
    if (this.s[this.i] === '?') this.i++; // lazy
    return times;
  }
}

/**
 * The part of a pattern before its top-level `(?P<secret>` group, when that part is a selective
 * regex on its own (a few literal characters): every match of the pattern starts with a match of it.
 * The matcher tests it first on a window, so the full pattern (whose large bounded repetitions are
 * slow to compile) is compiled and run only where it can match. Undefined when the pattern has a
 * top-level alternation, the secret group is nested, or the part before it is too loose to help.
 */
export function gatePattern(pattern: string): string | undefined {
  let depth = 0;
  let secretAt = -1;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '[') {
      // Skip the class: `]` first in it (or after `^`) is a literal.
      let j = i + 1;
      if (pattern[j] === '^') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') j += pattern[j] === '\\' ? 2 : 1;
      i = j;
      continue;
    }
    if (c === '(') {
      if (depth === 0 && secretAt < 0 && pattern.startsWith('(?P<secret>', i)) secretAt = i;
      depth++;
    } else if (c === ')') {
      depth--;
    } else if (c === '|' && depth === 0) {
      return undefined;
    }
  }
  if (secretAt <= 0) return undefined;
  const prefix = pattern.slice(0, secretAt);
  // Selective: at least three literal letters or digits outside classes and escapes.
  const literal = prefix
    .replace(/\\./g, '')
    .replace(/\[(?:\\.|[^\]])*\]/g, '')
    .replace(/\{\d+(?:,\d*)?\}/g, '')
    .replace(/\(\?[a-zA-Z]*[:)]|\(\?P<\w+>/g, '');
  return (literal.match(/[A-Za-z0-9]/g)?.length ?? 0) >= 3 ? prefix : undefined;
}

/** Repetitions counted up to at least this many are relaxed by `relaxedPattern`. */
export const RELAX_MIN_COUNT = 64;

/**
 * The pattern with every large counted repetition `{m,n}` (n ≥ RELAX_MIN_COUNT) opened up to `{m,}`,
 * or undefined when it has none. RE2 compiles a counted repetition as n copies of its operand, so
 * `[A-Za-z0-9_-]{10,1000}` is a thousand instructions: the twenty-odd rules with long tokens (JWTs,
 * private keys) cost more to compile than all the others together. The relaxed pattern matches
 * everything the exact one does (and more), so it can find the candidates, and the exact pattern —
 * compiled only when a candidate turns up — decides (see Matcher).
 */
export function relaxedPattern(pattern: string, minCount = RELAX_MIN_COUNT): string | undefined {
  let out = '';
  let changed = false;
  for (let i = 0; i < pattern.length; ) {
    const c = pattern[i];
    let end = i + 1;
    if (c === '\\') {
      // \Q…\E quotes a literal run.
      end = pattern[i + 1] === 'Q' ? (pattern.indexOf('\\E', i + 2) + 1 || pattern.length - 1) + 1 : i + 2;
    } else if (c === '[') {
      end = classEnd(pattern, i);
    } else if (c === '{') {
      const counted = /^\{(\d+),(\d+)\}/.exec(pattern.slice(i, i + 24));
      if (counted && Number(counted[2]) >= minCount) {
        out += `{${counted[1]},}`;
        i += counted[0].length;
        changed = true;
        continue;
      }
    }
    out += pattern.slice(i, end);
    i = end;
  }
  return changed ? out : undefined;
}

/** The index just past the character class that opens at `start`. */
function classEnd(pattern: string, start: number): number {
  let j = start + 1;
  if (pattern[j] === '^') j++;
  if (pattern[j] === ']') j++; // first in the class: a literal
  while (j < pattern.length && pattern[j] !== ']') {
    if (pattern[j] === '\\') j += 2;
    else if (pattern.startsWith('[:', j)) j = pattern.indexOf(':]', j + 2) < 0 ? j + 1 : pattern.indexOf(':]', j + 2) + 2;
    else j++;
  }
  return j + 1;
}
