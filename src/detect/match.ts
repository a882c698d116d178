import { BASE64_MIN_CHARS, BASE64_RUN_BYTES, findEncodedRegions } from './decode.js';
import { placeholderReason, shannonEntropy } from './filters.js';
import { DENSE, KeywordAutomaton, type RunWatch } from './keyword-automaton.js';
import { KeywordSet, type RE2Match, type RE2Regex } from './regex.js';
import type { Rule } from './rules.js';

/** A rule's match in one buffer that passed the value filters. Offsets are bytes into that buffer. */
export interface Candidate {
  rule: Rule;
  secret: string;
  /** Byte span of the `secret` group. */
  start: number;
  end: number;
  /** 0-based line of `start`, counted from the buffer's first byte. */
  line: number;
  /** Other parts of a multi-part credential, by part name (the secret itself is not repeated). */
  parts: Record<string, string>;
  /** Byte spans of the parts, so that snippets can mask them too. */
  partSpans: Array<[number, number]>;
  /** Set when found in decoded text: the encodings, outermost first. `start`/`end` span the encoded text. */
  encoding?: string[];
}

/** Below this size a rule simply runs over the whole input: locating keywords would cost more. */
const LOCATE_MIN_BYTES = 16 << 10;
/**
 * On large inputs a match counts only if one of its rule's keywords stands within this many bytes of
 * it (or inside it): the keyword is the provider's prefix or the name the value is assigned to.
 */
const KEYWORD_NEAR = 256;
/** Inputs at least this large take part in the `quiet` logic (the windows of large files). */
const QUIET_MIN_BYTES = 256 << 10;
/** Rules that can match further than this from their keyword run over the whole input. */
const MAX_SLICE_REACH = 64 << 10;

/** How many encodings deep a secret is looked for (e.g. base64 inside a JSON string = 2). */
const MAX_DECODE_DEPTH = 2;
const NEWLINE = Buffer.from('\n');

/** Why a regex match was not reported; kept for `rules test` and debugging. */
export type Rejection = 'empty' | 'allow' | 'entropy' | 'placeholder' | 'checksum';

export interface RawHit {
  rule: Rule;
  secret: string;
  /** Other named groups of the pattern (e.g. `host`, `username` of a connection URL): parts of the credential. */
  named?: Record<string, string>;
  start: number;
  end: number;
  rejected: Rejection | undefined;
}

const SEVERITY_RANK = { critical: 0, high: 1, medium: 2, low: 3, info: 4 } as const;

/**
 * Runs a rule set over buffers: one case-insensitive keyword pass picks the rules that can match,
 * then only those rules' RE2 regexes run. Stateless between calls; safe to reuse for every buffer.
 */
export class Matcher {
  readonly rules: readonly Rule[];
  private readonly keywordList: string[];
  /** Which keywords occur and where. */
  private automatonBuilt: KeywordAutomaton | undefined;
  /** Which keywords occur, natively: built the first time a large input had no keywords. */
  private keywordSetBuilt: KeywordSet | undefined;
  /**
   * The last large input held no keyword at all. Text like that comes in runs (the windows of a large
   * log), and on it the native presence pass is about twice as fast as the automaton, which then runs
   * only when a keyword turns up.
   */
  private quiet = false;
  /** For each keyword index, the rules it can trigger (required parts included). */
  private readonly rulesByKeyword: Rule[][];
  private readonly keywordsOf = new Map<Rule, number[]>();
  /** For each rule that supplies a part, the rules that need it and how many lines away it may stand. */
  private readonly requiredBy = new Map<Rule, Array<{ by: Rule; within: number }>>();
  /** rulesByKeyword, as positions in `rules` (candidates run in rule-set order). */
  private readonly ruleIndicesByKeyword: number[][];
  /** By rule position: the last `locate` call (generation) that chose it. */
  private readonly chosenIn: Uint32Array;
  private generation = 0;

  constructor(
    rules: readonly Rule[],
    /** Also look inside base64, percent-encoded and escaped text. */
    private readonly decode = true,
    /** Inputs at least this large run each rule only near its keywords (tests set 0 to always do so). */
    private readonly locateMinBytes = LOCATE_MIN_BYTES,
  ) {
    this.rules = rules;
    const byId = new Map(rules.map((r) => [r.id, r]));
    const keywordIndex = new Map<string, number>();
    const rulesByKeyword: Rule[][] = [];
    for (const rule of rules) {
      // A rule that needs a part must also run the part's rule, whatever keyword triggered it.
      const triggered = [rule, ...rule.requires.map((r) => byId.get(r.rule)).filter((r): r is Rule => !!r)];
      for (const keyword of rule.keywords) {
        const key = keyword.toLowerCase();
        let index = keywordIndex.get(key);
        if (index === undefined) {
          index = rulesByKeyword.length;
          keywordIndex.set(key, index);
          rulesByKeyword.push([]);
        }
        const list = rulesByKeyword[index] as Rule[];
        for (const r of triggered) if (!list.includes(r)) list.push(r);
      }
    }
    this.keywordList = [...keywordIndex.keys()];
    this.rulesByKeyword = rulesByKeyword;
    const order = new Map(rules.map((rule, i) => [rule, i]));
    this.ruleIndicesByKeyword = rulesByKeyword.map((list) => list.map((r) => order.get(r) as number));
    this.chosenIn = new Uint32Array(rules.length);
    for (const rule of rules) {
      for (const req of rule.requires) {
        const part = byId.get(req.rule);
        if (!part) continue;
        const list = this.requiredBy.get(part) ?? [];
        list.push({ by: rule, within: req.within ?? 5 });
        this.requiredBy.set(part, list);
      }
    }
    for (const rule of rules) this.keywordsOf.set(rule, rule.keywords.map((k) => keywordIndex.get(k.toLowerCase()) as number));
  }

  private get automaton(): KeywordAutomaton {
    return (this.automatonBuilt ??= new KeywordAutomaton(this.keywordList));
  }

  private get keywordSet(): KeywordSet {
    return (this.keywordSetBuilt ??= new KeywordSet(this.keywordList));
  }

  /** Rules whose pattern RE2 rejected, with the reason. They are skipped; the rest keep working. */
  readonly brokenRules = new Map<string, string>();

  private regexOf(rule: Rule): RE2Regex | undefined {
    if (this.brokenRules.has(rule.id)) return undefined;
    try {
      return rule.regex;
    } catch (err) {
      this.brokenRules.set(rule.id, `${rule.file}: ${rule.id}: pattern: RE2 rejects it: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  }

  /** The rules whose keywords occur in `buf`, in rule-set order. */
  candidateRules(buf: Buffer): Rule[] {
    return this.locate(buf).rules;
  }

  /**
   * The prefilter: one pass of the keyword automaton says which keywords occur and, for inputs larger
   * than a few KB, where, so that each rule runs only on the bytes around its keywords. A keyword so
   * frequent that its rules' windows would cover the input anyway is marked DENSE: its rules run over
   * the whole input. After a large input without keywords, a native RE2.Set pass goes first (see
   * `quiet`; for small inputs, its compilation and per-call cost outweigh what it saves).
   */
  locate(buf: Buffer, runs?: RunWatch): { rules: Rule[]; spans?: Map<number, ReadonlyArray<[number, number]>>; runsWatched: boolean } {
    const located = buf.length >= this.locateMinBytes;
    let present: number[];
    let spans: Map<number, ReadonlyArray<[number, number]>> | undefined;
    let runsWatched = runs !== undefined;
    if (!located) {
      ({ present } = this.automaton.find(buf, undefined, runs));
    } else if (!this.quiet || buf.length < QUIET_MIN_BYTES || this.keywordSet.match(buf).length > 0) {
      ({ present, spans } = this.automaton.find(buf, Math.max(64, buf.length >>> 11), runs));
      if (buf.length >= QUIET_MIN_BYTES) this.quiet = present.length === 0;
    } else {
      present = [];
      runsWatched = false;
    }
    if (present.length === 0) return { rules: [], runsWatched };
    // The rules of the keywords present, once each, in rule-set order: marked by position in a
    // typed array (a generation number per call, so it is never cleared), then sorted as numbers.
    const generation = ++this.generation;
    const chosen: number[] = [];
    for (const index of present) {
      for (const at of this.ruleIndicesByKeyword[index] ?? []) {
        if (this.chosenIn[at] === generation) continue;
        this.chosenIn[at] = generation;
        chosen.push(at);
      }
    }
    chosen.sort((a, b) => a - b);
    const rules = chosen.map((at) => this.rules[at] as Rule);
    return { rules, spans, runsWatched };
  }

  /** Every regex match of the candidate rules in `buf`, each with the filter that rejected it, if any. */
  rawHits(buf: Buffer, rules: readonly Rule[] = this.candidateRules(buf), spans?: Map<number, ReadonlyArray<[number, number]>>): RawHit[] {
    const hits: RawHit[] = [];
    for (const rule of rules) {
      const near = spans ? this.spansOf(rule, spans) : undefined;
      if (spans && near === undefined && rule.reach <= MAX_SLICE_REACH) {
        // None of its own keywords here: it runs as a part of a credential whose keyword is. Only the
        // lines around those keywords where the part may stand are worth matching.
        const windows = this.partWindows(rule, spans, buf);
        if (windows) {
          for (const [from, to] of windows) this.collect(rule, buf, from, to, undefined, hits);
          continue;
        }
      }
      if (!near || near === DENSE || rule.reach > MAX_SLICE_REACH) {
        this.collect(rule, buf, 0, buf.length, undefined, hits);
        continue;
      }
      // Only the bytes that a match near one of the keywords can reach.
      for (const [from, to] of windowsAround(near, buf, rule.reach + KEYWORD_NEAR, 0)) this.collect(rule, buf, from, to, near, hits);
    }
    return hits;
  }

  /**
   * Where a part rule (one that other rules `require`) can match, when it runs because of their
   * keywords: around each of those keywords, as far as the requiring rule's match reaches and then
   * `within` lines further. Undefined when one of them must run over the whole input anyway.
   */
  private partWindows(rule: Rule, spans: Map<number, ReadonlyArray<[number, number]>>, buf: Buffer): Array<[number, number]> | undefined {
    const requirers = this.requiredBy.get(rule);
    if (!requirers) return undefined;
    const windows: Array<[number, number]> = [];
    for (const { by, within } of requirers) {
      const near = this.spansOf(by, spans);
      if (near === DENSE || (near && by.reach > MAX_SLICE_REACH)) return undefined;
      if (!near) continue;
      for (const w of windowsAround(near, buf, by.reach + KEYWORD_NEAR + rule.reach, within)) windows.push(w);
    }
    if (windows.length === 0) return undefined;
    windows.sort((x, y) => x[0] - y[0]);
    return mergeWindows(windows);
  }

  /**
   * Where a rule's keywords occur, sorted; DENSE when one is too frequent to be worth locating (the
   * rule runs over the whole input), undefined when none occurs.
   */
  private spansOf(rule: Rule, spans: Map<number, ReadonlyArray<[number, number]>>): ReadonlyArray<[number, number]> | undefined {
    const lists: Array<ReadonlyArray<[number, number]>> = [];
    for (const i of this.keywordsOf.get(rule) ?? []) {
      const list = spans.get(i);
      if (list === DENSE) return DENSE;
      if (list && list.length) lists.push(list);
    }
    if (lists.length === 0) return undefined;
    if (lists.length === 1) return lists[0];
    return lists.flat().sort((a, b) => a[0] - b[0]);
  }

  /** Runs one rule over buf[from, to); with `near`, keeps only matches within KEYWORD_NEAR of a keyword. */
  private collect(rule: Rule, buf: Buffer, from: number, to: number, near: ReadonlyArray<[number, number]> | undefined, hits: RawHit[]): void {
    const slice = from === 0 && to === buf.length ? buf : buf.subarray(from, to);
    const gate = rule.gate;
    if (gate && !gate.test(slice)) return;
    const finder = rule.finder;
    if (!finder) {
      const re = this.regexOf(rule);
      if (!re) return;
      re.lastIndex = 0;
      for (let m = re.exec(slice); m; m = re.exec(slice)) {
        const whole = m.indices?.[0];
        if (whole && whole[0] === whole[1]) re.lastIndex++; // empty match: step on
        this.accept(rule, buf, from, m, near, hits);
      }
      return;
    }
    // The relaxed regex says where the next exact match can start at the earliest: none starts before
    // its match, as it matches all the exact one does. From there the exact regex finds that match
    // itself. Each byte is searched at most once by each, and the exact regex is compiled only when
    // there is a candidate at all.
    for (let at = 0; at <= slice.length; ) {
      finder.lastIndex = at;
      const start = finder.exec(slice)?.indices?.[0]?.[0];
      if (start === undefined) return;
      const re = this.regexOf(rule);
      if (!re) return;
      re.lastIndex = start;
      const m = re.exec(slice);
      const whole = m?.indices?.[0];
      if (!m || !whole) return;
      this.accept(rule, buf, from, m, near, hits);
      at = whole[1] === whole[0] ? whole[1] + 1 : whole[1];
    }
  }

  /** Turns one regex match (in buf from `from` on) into a raw hit, with the filter that rejects it, if any. */
  private accept(rule: Rule, buf: Buffer, from: number, m: RE2Match, near: ReadonlyArray<[number, number]> | undefined, hits: RawHit[]): void {
    const whole = m.indices?.[0];
    const span = m.indices?.groups?.secret;
    if (!span || !whole) return;
    const [ms, me] = [whole[0] + from, whole[1] + from];
    if (near && !overlapsAny(near, ms - KEYWORD_NEAR, me + KEYWORD_NEAR)) return;
    const [start, end] = [span[0] + from, span[1] + from];
    const secret = buf.toString('utf8', start, end);
    let rejected = rejectionOf(rule, secret);
    if (!rejected && rule.allowContextPatterns.length && rule.allowsContext(buf.toString('utf8', ms, start))) rejected = 'allow';
    const hit: RawHit = { rule, secret, start, end, rejected };
    for (const [name, g] of Object.entries(m.indices?.groups ?? {})) {
      if (name !== 'secret' && g) (hit.named ??= {})[name] = buf.toString('utf8', g[0] + from, g[1] + from);
    }
    hits.push(hit);
  }

  /**
   * The candidates in `buf`: filtered, de-duplicated (a fallback rule yields to any specific rule that
   * matched the same text) and paired (multi-part credentials carry their parts).
   */
  find(buf: Buffer, depth = 0): Candidate[] {
    const decode = this.decode && depth < MAX_DECODE_DEPTH;
    // The keyword pass also notes the base64 runs, sparing the decoder a pass of its own.
    const runs: RunWatch | undefined = decode ? { inRun: BASE64_RUN_BYTES, length: BASE64_MIN_CHARS, starts: [] } : undefined;
    const { direct, runsWatched } = this.findDirect(buf, runs);
    if (!decode) return direct;
    const regions = findEncodedRegions(buf, runsWatched ? runs?.starts : undefined);
    if (regions.length === 0) return direct;
    // All decoded text in one pass: regions joined by newlines, with each region's offset remembered.
    const offsets: number[] = [];
    const pieces: Buffer[] = [];
    let at = 0;
    for (const r of regions) {
      offsets.push(at);
      pieces.push(r.decoded, NEWLINE);
      at += r.decoded.length + 1;
    }
    const inner = this.find(Buffer.concat(pieces), depth + 1);
    if (inner.length === 0) return direct;
    const lines = lineIndexer(buf);
    const found: Candidate[] = [...direct];
    for (const c of inner) {
      const index = upperBound(offsets, c.start) - 1;
      const region = regions[index];
      if (!region) continue;
      // Found as it is already, or already found in this region.
      if (found.some((d) => d.secret === c.secret && (d.encoding === undefined || d.start === region.start))) continue;
      found.push({ ...c, start: region.start, end: region.end, line: lines(region.start), partSpans: [], encoding: [region.encoding, ...(c.encoding ?? [])] });
    }
    return found.sort((a, b) => a.start - b.start || a.end - b.end);
  }

  private findDirect(buf: Buffer, runs?: RunWatch): { direct: Candidate[]; runsWatched: boolean } {
    const { rules, spans, runsWatched } = this.locate(buf, runs);
    if (rules.length === 0) return { direct: [], runsWatched };
    const hits = this.rawHits(buf, rules, spans);
    if (hits.length === 0) return { direct: [], runsWatched };
    hits.sort((a, b) => a.start - b.start || a.end - b.end);
    const lines = lineIndexer(buf);
    const specificSpans = hits.filter((h) => !h.rule.fallback);

    const accepted: Candidate[] = [];
    for (const hit of hits) {
      if (hit.rejected) continue;
      if (hit.rule.fallback && specificSpans.some((s) => s.start < hit.end && hit.start < s.end)) continue;
      accepted.push({ rule: hit.rule, secret: hit.secret, start: hit.start, end: hit.end, line: lines(hit.start), parts: { ...hit.named }, partSpans: [] });
    }
    return { direct: pairAndDedupe(accepted, hits, lines), runsWatched };
  }
}

function rejectionOf(rule: Rule, secret: string): Rejection | undefined {
  if (secret.length === 0) return 'empty';
  // Entropy first: it is computed in place, while an allow list is a regex call.
  if (rule.entropy !== undefined && shannonEntropy(secret) < rule.entropy) return 'entropy';
  if (rule.allows(secret)) return 'allow';
  if (rule.placeholders && placeholderReason(secret) !== undefined) return 'placeholder';
  if (rule.checksum && !rule.checksum.validate(secret)) return 'checksum';
  return undefined;
}

/**
 * Attaches required parts (nearest match of the named rule within the allowed line distance), drops
 * candidates whose mandatory parts are missing, drops part-only rules and parts that were absorbed into
 * a pair, and keeps one candidate per exact span.
 */
function pairAndDedupe(accepted: Candidate[], hits: readonly RawHit[], lines: (offset: number) => number): Candidate[] {
  const consumed = new Set<string>();
  const out: Candidate[] = [];
  for (const cand of accepted) {
    let complete = true;
    for (const req of cand.rule.requires) {
      let best: RawHit | undefined;
      let bestDistance = Infinity;
      for (const h of hits) {
        if (h.rule.id !== req.rule || h.rejected) continue;
        const distance = Math.abs(lines(h.start) - cand.line);
        if (distance <= req.within && distance < bestDistance) {
          best = h;
          bestDistance = distance;
        }
      }
      if (best) {
        cand.parts[req.part] = best.secret;
        cand.partSpans.push([best.start, best.end]);
        consumed.add(`${best.rule.id}:${best.start}`);
      } else if (!req.optional) {
        complete = false;
      }
    }
    if (complete) out.push(cand);
  }
  const bySpan = new Map<string, Candidate>();
  for (const cand of out) {
    if (!cand.rule.standalone || consumed.has(`${cand.rule.id}:${cand.start}`)) continue;
    const key = `${cand.start}:${cand.end}`;
    const prev = bySpan.get(key);
    if (!prev || SEVERITY_RANK[cand.rule.severity] < SEVERITY_RANK[prev.rule.severity]) bySpan.set(key, cand);
  }
  return [...bySpan.values()].sort((a, b) => a.start - b.start);
}

/** Whether [start, end) overlaps one of the sorted spans. */
function overlapsAny(spans: ReadonlyArray<readonly [number, number]>, start: number, end: number): boolean {
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((spans[mid] as readonly [number, number])[0] < end) lo = mid + 1;
    else hi = mid;
  }
  // spans[lo - 1] is the last span starting before `end`; keyword spans are short, so only the last
  // few can still reach past `start`.
  for (let i = lo - 1; i >= 0 && i >= lo - 8; i--) if ((spans[i] as readonly [number, number])[1] > start) return true;
  return false;
}

/** Index of the first element greater than `value` in an ascending array. */
function upperBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A function from byte offset to 0-based line, for offsets asked in roughly increasing order. */
export function lineIndexer(buf: Buffer): (offset: number) => number {
  const newlines: number[] = [];
  let scanned = 0;
  return (offset: number) => {
    while (scanned < offset) {
      const nl = buf.indexOf(10, scanned);
      if (nl < 0 || nl >= offset) {
        scanned = offset;
        if (nl < 0) break;
        break;
      }
      newlines.push(nl);
      scanned = nl + 1;
    }
    // Count newlines strictly before `offset` (binary search: callers may ask out of order).
    let lo = 0;
    let hi = newlines.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((newlines[mid] as number) < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/**
 * The byte ranges within `margin` bytes (and then `lines` more lines) of the spans, merged. `spans`
 * are sorted by start.
 */
function windowsAround(spans: ReadonlyArray<[number, number]>, buf: Buffer, margin: number, lines: number): Array<[number, number]> {
  const windows: Array<[number, number]> = [];
  for (const [s, e] of spans) {
    const last = windows[windows.length - 1];
    let to = Math.min(buf.length, e + margin);
    // Spans come sorted by start: one that ends inside the previous window adds nothing.
    if (last && to <= last[1]) continue;
    let from = Math.max(0, s - margin);
    if (lines > 0) {
      // Out to the ends of the lines, then `lines` lines further each way. Each search covers bytes
      // no earlier search did (backwards never past the previous window, forwards only past its
      // end), so minified inputs with megabyte lines stay linear.
      const floor = last ? last[1] : 0;
      for (let i = 0; i <= lines && from > floor; i++) {
        const before = buf.subarray(floor, i === 0 ? from : from - 1).lastIndexOf(10);
        from = before < 0 ? floor : floor + before + 1;
      }
      for (let i = 0; i <= lines && to < buf.length; i++) {
        const nl = buf.indexOf(10, i === 0 ? to : to + 1);
        to = nl < 0 ? buf.length : nl;
      }
    }
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else windows.push([from, to]);
  }
  return windows;
}

/** Merges sorted, possibly overlapping ranges. */
function mergeWindows(windows: Array<[number, number]>): Array<[number, number]> {
  const merged: Array<[number, number]> = [];
  for (const [from, to] of windows) {
    const last = merged[merged.length - 1];
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else merged.push([from, to]);
  }
  return merged;
}
