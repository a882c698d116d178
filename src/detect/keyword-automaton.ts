/**
 * Case-insensitive multi-keyword search in one pass over the bytes: an Aho–Corasick automaton run as
 * a DFA, so the loop does one table lookup per byte and never backs up.
 *
 * It answers both questions the matcher asks — which keywords occur, and where — in the same pass.
 * Doing that with RE2 took two passes (an RE2.Set for presence, then an alternation of the keywords
 * present for positions, compiled anew for every new combination of keywords); the per-match cost of
 * `exec` and those compilations were most of the matcher's time on real code.
 *
 * The whole DFA is built up front, one row per trie state, each a copy of its failure state's row
 * with its own edges laid over it (about 1.5 MB and a few milliseconds for the full rule set). Built
 * lazily, a transition at a time, the first pass over a corpus ran at half the speed of later ones.
 *
 * ASCII letters match either case (keywords are ASCII in practice; a non-ASCII keyword matches its
 * exact UTF-8 bytes). Bytes that occur in no keyword share one class, which keeps rows short.
 */

/** A keyword seen more often than the caller's limit: its rules run over the whole input anyway. */
export const DENSE: ReadonlyArray<[number, number]> = Object.freeze([]) as unknown as ReadonlyArray<[number, number]>;

export interface KeywordHits {
  /** Indices of the keywords that occur, in order of first occurrence. */
  present: number[];
  /** With positions: each present keyword's [start, end) byte spans, or DENSE past the limit. */
  spans?: Map<number, ReadonlyArray<[number, number]>>;
}

/** A keyword's bytes, lower-cased. (Buffer.from costs microseconds per call; this runs at start-up.) */
function toBytes(keyword: string): number[] {
  const lower = keyword.toLowerCase();
  const bytes: number[] = [];
  for (let i = 0; i < lower.length; i++) {
    const code = lower.charCodeAt(i);
    if (code > 0x7f) return [...Buffer.from(lower, 'utf8')];
    bytes.push(code);
  }
  return bytes;
}

export class KeywordAutomaton {
  readonly keywords: readonly string[];
  /** Byte → class; letters fold to their lower case. Class 0: bytes in no keyword. */
  private readonly classOf = new Uint8Array(256);
  private readonly width: number;
  /** By state: the keyword that ends there, or -1. */
  private readonly own: Int32Array;
  /** By state: the next state on its failure chain where a keyword ends, or -1. */
  private readonly link: Int32Array;
  private readonly lengths: Int32Array;
  /**
   * The DFA: by (state × width + class), the next state's row offset (state × width), stored
   * bit-inverted (negative) when a keyword ends there, so the loop's only extra work on the common
   * path is a sign test.
   */
  private readonly next: Int32Array;

  constructor(keywords: readonly string[]) {
    this.keywords = keywords;
    // Bytes, not characters: spans are byte offsets. ASCII letters match either case; other bytes
    // (a non-ASCII keyword's UTF-8) match exactly.
    const words = keywords.map(toBytes);
    this.lengths = Int32Array.from(words, (w) => w.length);
    let classes = 1;
    for (const word of words) {
      for (const byte of word) {
        if (this.classOf[byte] !== 0) continue;
        this.classOf[byte] = classes;
        if (byte >= 0x61 && byte <= 0x7a) this.classOf[byte - 0x20] = classes;
        classes++;
      }
    }
    const width = (this.width = classes);

    // The trie, in insertion order, each state's children a linked list (searched: at most a few
    // dozen per state, cheaper to build than a map).
    let capacity = 1;
    for (const word of words) capacity += word.length;
    const ownByInsertion = new Int32Array(capacity).fill(-1);
    const firstChild = new Int32Array(capacity).fill(-1);
    const sibling = new Int32Array(capacity).fill(-1);
    const via = new Int32Array(capacity);
    let states = 1;
    for (let k = 0; k < words.length; k++) {
      const word = words[k] as number[];
      if (word.length === 0) continue;
      let state = 0;
      for (const byte of word) {
        const c = this.classOf[byte] as number;
        let child = firstChild[state] as number;
        while (child >= 0 && via[child] !== c) child = sibling[child] as number;
        if (child < 0) {
          child = states++;
          via[child] = c;
          sibling[child] = firstChild[state] as number;
          firstChild[state] = child;
        }
        state = child;
      }
      ownByInsertion[state] = k;
    }

    // States numbered breadth-first: the shallow states, where scans spend nearly all their time,
    // get the first rows, so the hot part of the table stays in cache.
    const order = new Int32Array(states);
    const idOf = new Int32Array(states);
    for (let head = 0, tail = 1; head < tail; head++) {
      const state = order[head] as number;
      idOf[state] = head;
      for (let child = firstChild[state] as number; child >= 0; child = sibling[child] as number) order[tail++] = child;
    }
    const own = (this.own = new Int32Array(states));
    for (let state = 0; state < states; state++) own[idOf[state] as number] = ownByInsertion[state] as number;

    // In that order a state's failure state (which is shallower) is done before it: its failure and
    // dictionary links, and its DFA row — the failure state's row with the state's own edges laid
    // over it. One copy per state: a few milliseconds for the whole rule set (computing each
    // transition by walking failure chains cost more than a small scan).
    const fail = new Int32Array(states);
    const link = new Int32Array(states).fill(-1);
    const next = new Int32Array(states * width);
    const entry = (state: number) => ((own[state] as number) >= 0 || (link[state] as number) >= 0 ? ~(state * width) : state * width);
    for (let child = firstChild[0] as number; child >= 0; child = sibling[child] as number) {
      next[via[child] as number] = entry(idOf[child] as number);
    }
    for (let state = 1; state < states; state++) {
      const f = fail[state] as number;
      next.copyWithin(state * width, f * width, f * width + width);
      for (let child = firstChild[order[state] as number] as number; child >= 0; child = sibling[child] as number) {
        const id = idOf[child] as number;
        // The failure state of a child: where the parent's failure state goes on the same class.
        const viaFail = next[f * width + (via[child] as number)] as number;
        const cf = ((viaFail < 0 ? ~viaFail : viaFail) / width) | 0;
        fail[id] = cf;
        link[id] = (own[cf] as number) >= 0 ? cf : (link[cf] as number);
        next[state * width + (via[child] as number)] = entry(id);
      }
    }
    this.link = link;
    this.next = next;
  }

  /**
   * The keywords in `buf`. With `limit`, also where: up to `limit` spans per keyword, after which the
   * keyword is marked DENSE (so frequent that locating it is not worth it). With `runs`, the same pass
   * also notes where runs of bytes of one kind (e.g. the base64 alphabet) reach a length: a second
   * pass over the bytes for those would cost as much as this one.
   */
  find(buf: Uint8Array, limit?: number, runs?: RunWatch): KeywordHits {
    const { classOf, next } = this;
    const hits = new HitCollector(this.width, this.own, this.link, this.lengths, limit);
    // Without runs to watch, a mask of zeros: the count stays 0 (and costs next to nothing).
    const { inRun, length, starts } = runs ?? NO_RUNS;
    let row = 0;
    let run = 0;
    for (let i = 0, n = buf.length; i < n; i++) {
      const byte = buf[i] as number;
      row = next[row + (classOf[byte] as number)] as number;
      run = (run + 1) & (inRun[byte] as number);
      if (run === length) starts.push(i + 1 - length);
      if (row >= 0) continue;
      row = ~row;
      hits.add(row, i);
    }
    return hits.result();
  }
}

/**
 * Runs to watch for in `find`: bytes where inRun[byte] is -1 (all bits set; 0 for the others), at
 * least `length` of them in a row. (A mask, not a flag: `(run + 1) & mask` keeps the count without a
 * branch, which in that loop costs next to nothing.)
 */
export interface RunWatch {
  inRun: Int32Array;
  length: number;
  /** Filled by `find`: where each run that reaches `length` starts, in order. */
  starts: number[];
}

/** No runs: no byte is in one. */
const NO_RUNS: RunWatch = { inRun: new Int32Array(256), length: 1, starts: [] };

/** The keywords ending where a scan reached an accepting state. */
class HitCollector {
  readonly present: number[] = [];
  readonly spans: Map<number, Array<[number, number]>> | undefined;
  private readonly seen = new Set<number>();

  constructor(
    private readonly width: number,
    private readonly own: Int32Array,
    private readonly link: Int32Array,
    private readonly lengths: Int32Array,
    private readonly limit: number | undefined,
  ) {
    this.spans = limit === undefined ? undefined : new Map();
  }

  /** Every keyword ending at byte `i` in the state whose row is `row`: its own, then along the dictionary suffix links. */
  add(row: number, i: number): void {
    const { width, own, link, lengths } = this;
    const at = (row / width) | 0;
    for (let state = (own[at] as number) >= 0 ? at : (link[at] as number); state >= 0; state = link[state] as number) {
      const k = own[state] as number;
      if (!this.seen.has(k)) {
        this.seen.add(k);
        this.present.push(k);
      }
      const spans = this.spans;
      if (!spans) continue;
      let list = spans.get(k);
      if (list === DENSE) continue;
      if (!list) spans.set(k, (list = []));
      if (list.length >= (this.limit as number)) spans.set(k, DENSE as Array<[number, number]>);
      else list.push([i + 1 - (lengths[k] as number), i + 1]);
    }
  }

  result(): KeywordHits {
    return this.spans ? { present: this.present, spans: this.spans } : { present: this.present };
  }
}
