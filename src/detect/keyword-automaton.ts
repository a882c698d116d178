/**
 * Case-insensitive multi-keyword search in one pass over the bytes: an Aho–Corasick automaton run as
 * a DFA, so the loop does one table lookup per byte and never backs up.
 *
 * It answers both questions the matcher asks — which keywords occur, and where — in the same pass.
 * Doing that with RE2 took two passes (an RE2.Set for presence, then an alternation of the keywords
 * present for positions, compiled anew for every new combination of keywords); the per-match cost of
 * `exec` and those compilations were most of the matcher's time on real code.
 *
 * The DFA is built lazily, a transition the first time a scan takes it (as RE2 builds its own DFA):
 * building every state's full row up front (1.5 MB for ~1,200 keywords) cost more than a pre-commit
 * check's whole scan.
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

/** A transition not computed yet. */
const UNKNOWN = -0x80000000;

export class KeywordAutomaton {
  readonly keywords: readonly string[];
  /** Byte → class; letters fold to their lower case. Class 0: bytes in no keyword. */
  private readonly classOf = new Uint8Array(256);
  private readonly width: number;
  /** The trie's edges: state × width + class → child state. */
  private readonly goto = new Map<number, number>();
  /** By state: its failure state (the longest proper suffix of its text that is a trie state). */
  private readonly fail: Int32Array;
  /** By state: the keyword that ends there, or -1. */
  private readonly own: Int32Array;
  /** By state: the next state on its failure chain where a keyword ends, or -1. */
  private readonly link: Int32Array;
  private readonly lengths: Int32Array;
  /**
   * The DFA, one row per state the scans have reached (rows are allocated on first visit, so start-up
   * touches almost no memory): by (row offset + class), the row offset of the next state, stored
   * bit-inverted (negative) when a keyword ends there, so the loop's only extra work on the common
   * path is a sign test; UNKNOWN until first taken. Row 0 is the root.
   */
  private next: Int32Array;
  /** By state: its row offset in `next`, or -1. */
  private readonly rowOf: Int32Array;
  /** By row index: the state. */
  private readonly stateAt: number[] = [];

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

    // The trie, with each state's children as a linked list for the breadth-first pass below.
    let capacity = 1;
    for (const word of words) capacity += word.length;
    const own = new Int32Array(capacity).fill(-1);
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
        let child = this.goto.get(state * width + c);
        if (child === undefined) {
          child = states++;
          this.goto.set(state * width + c, child);
          via[child] = c;
          sibling[child] = firstChild[state] as number;
          firstChild[state] = child;
        }
        state = child;
      }
      own[state] = k;
    }

    // Failure and dictionary links, breadth-first (a state's failure state is shallower).
    const fail = new Int32Array(states);
    const link = new Int32Array(states).fill(-1);
    const queue = new Int32Array(states);
    let head = 0;
    let tail = 0;
    for (let child = firstChild[0] as number; child >= 0; child = sibling[child] as number) queue[tail++] = child;
    while (head < tail) {
      const state = queue[head++] as number;
      for (let child = firstChild[state] as number; child >= 0; child = sibling[child] as number) {
        queue[tail++] = child;
        const f = this.delta(fail[state] as number, via[child] as number, fail);
        fail[child] = f;
        link[child] = (own[f] as number) >= 0 ? f : (link[f] as number);
      }
    }
    this.fail = fail;
    this.own = own.subarray(0, states);
    this.link = link;
    this.rowOf = new Int32Array(states).fill(-1);
    this.next = new Int32Array(64 * width);
    this.rowFor(0);
  }

  /** The trie state reached from `state` on class `c`: its edge, or its failure state's, down to the root. */
  private delta(state: number, c: number, fail: Int32Array = this.fail): number {
    for (let s = state; ; s = fail[s] as number) {
      const child = this.goto.get(s * this.width + c);
      if (child !== undefined) return child;
      if (s === 0) return 0;
    }
  }

  /** The state's row offset, allocating its (all UNKNOWN) row on first visit. */
  private rowFor(state: number): number {
    const known = this.rowOf[state] as number;
    if (known >= 0) return known;
    const row = this.stateAt.length * this.width;
    if (row + this.width > this.next.length) {
      const grown = new Int32Array(this.next.length * 2);
      grown.set(this.next);
      this.next = grown;
    }
    this.next.fill(UNKNOWN, row, row + this.width);
    this.stateAt.push(state);
    this.rowOf[state] = row;
    return row;
  }

  /** Computes (and stores) the transition at `slot`. May grow `next`: callers reload it. */
  private resolve(slot: number): number {
    const width = this.width;
    const index = (slot / width) | 0;
    const target = this.delta(this.stateAt[index] as number, slot - index * width);
    const row = this.rowFor(target);
    const entry = (this.own[target] as number) >= 0 || (this.link[target] as number) >= 0 ? ~row : row;
    this.next[slot] = entry;
    return entry;
  }

  /**
   * The keywords in `buf`. With `limit`, also where: up to `limit` spans per keyword, after which the
   * keyword is marked DENSE (so frequent that locating it is not worth it).
   */
  find(buf: Uint8Array, limit?: number): KeywordHits {
    const { classOf, width, own, link, lengths, stateAt } = this;
    let next = this.next;
    const present: number[] = [];
    const spans = limit === undefined ? undefined : new Map<number, Array<[number, number]>>();
    const seen = new Set<number>();
    let row = 0;
    for (let i = 0, n = buf.length; i < n; i++) {
      const slot = row + (classOf[buf[i] as number] as number);
      row = next[slot] as number;
      if (row >= 0) continue;
      if (row === UNKNOWN) {
        row = this.resolve(slot);
        next = this.next;
        if (row >= 0) continue;
      }
      row = ~row;
      // Every keyword ending here: the state's own, then along the dictionary suffix links.
      const at = stateAt[(row / width) | 0] as number;
      for (let state = (own[at] as number) >= 0 ? at : (link[at] as number); state >= 0; state = link[state] as number) {
        const k = own[state] as number;
        if (!seen.has(k)) {
          seen.add(k);
          present.push(k);
        }
        if (!spans) continue;
        let list = spans.get(k);
        if (list === DENSE) continue;
        if (!list) spans.set(k, (list = []));
        if (list.length >= (limit as number)) spans.set(k, DENSE as Array<[number, number]>);
        else list.push([i + 1 - (lengths[k] as number), i + 1]);
      }
    }
    return spans ? { present, spans } : { present };
  }
}
