/**
 * Case-insensitive multi-keyword search in one pass over the bytes: an Aho–Corasick automaton turned
 * into a full transition table (a DFA), so the loop does one table lookup per byte and never backs up.
 *
 * It answers both questions the matcher asks — which keywords occur, and where — in the same pass.
 * Doing that with RE2 took two passes (an RE2.Set for presence, then an alternation of the keywords
 * present for positions, compiled anew for every new combination of keywords); the per-match cost of
 * `exec` and those compilations were most of the matcher's time on real code.
 *
 * ASCII letters match either case (keywords are ASCII in practice; a non-ASCII keyword matches its
 * exact UTF-8 bytes). Bytes that occur in no keyword share one class, which keeps the table small:
 * states × classes entries.
 */

/** A keyword seen more often than the caller's limit: its rules run over the whole input anyway. */
export const DENSE: ReadonlyArray<[number, number]> = Object.freeze([]) as unknown as ReadonlyArray<[number, number]>;

export interface KeywordHits {
  /** Indices of the keywords that occur, in order of first occurrence. */
  present: number[];
  /** With positions: each present keyword's [start, end) byte spans, or DENSE past the limit. */
  spans?: Map<number, ReadonlyArray<[number, number]>>;
}

export class KeywordAutomaton {
  readonly keywords: readonly string[];
  /** Byte → class; letters fold to their lower case. Class 0: bytes in no keyword. */
  private readonly classOf = new Uint8Array(256);
  private readonly width: number;
  /**
   * Row offset of the next state, by (row offset of the state + class); state 0 (row 0) is the root.
   * A state where a keyword ends is stored bit-inverted (negative), so the loop's only extra work on
   * the common path is a sign test.
   */
  private readonly next: Int32Array;
  /** By state: the keyword that ends there, or -1. */
  private readonly own: Int32Array;
  /** By state: the next state on its failure chain where a keyword ends, or -1. */
  private readonly link: Int32Array;
  private readonly lengths: Int32Array;

  constructor(keywords: readonly string[]) {
    this.keywords = keywords;
    // Bytes, not characters: spans are byte offsets. ASCII letters match either case; other bytes
    // (a non-ASCII keyword's UTF-8) match exactly.
    const words = keywords.map((k) => Buffer.from(k.toLowerCase(), 'utf8'));
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

    // The trie, with goto transitions only (0: none; the root is never a target). Typed arrays sized
    // for the worst case (no shared prefixes): building stays a few milliseconds for ~1,000 keywords.
    let capacity = 1;
    for (const word of words) capacity += word.length;
    const next = new Int32Array(capacity * width);
    const own = new Int32Array(capacity).fill(-1);
    let states = 1;
    for (let k = 0; k < words.length; k++) {
      const word = words[k] as Buffer;
      if (word.length === 0) continue;
      let row = 0;
      for (let i = 0; i < word.length; i++) {
        const slot = row + (this.classOf[word[i] as number] as number);
        if (next[slot] === 0) next[slot] = states++ * width;
        row = next[slot] as number;
      }
      own[row / width] = k;
    }

    // Breadth-first: failure links, and the missing transitions filled in from the failure state's
    // (already complete) row — the classic construction of the DFA. When a state is taken from the
    // queue its row still holds only trie edges. `link`: the nearest state on the failure chain where
    // a keyword ends (the dictionary suffix link), so outputs are followed rather than copied.
    // A row offset, bit-inverted when a keyword ends in that state.
    const signed = (state: number) => ((own[state] as number) >= 0 || (link[state] as number) >= 0 ? ~(state * width) : state * width);
    const stateOf = (entry: number) => (entry < 0 ? ~entry : entry) / width;
    const fail = new Int32Array(states);
    const link = new Int32Array(states).fill(-1);
    const queue = new Int32Array(states);
    let head = 0;
    let tail = 0;
    for (let c = 0; c < width; c++) {
      if (next[c] === 0) continue;
      const child = (next[c] as number) / width;
      next[c] = signed(child);
      queue[tail++] = child;
    }
    while (head < tail) {
      const state = queue[head++] as number;
      const row = state * width;
      const failRow = (fail[state] as number) * width;
      for (let c = 0; c < width; c++) {
        const target = next[row + c] as number;
        if (target === 0) {
          next[row + c] = next[failRow + c] as number;
          continue;
        }
        const child = target / width;
        const f = stateOf(next[failRow + c] as number);
        fail[child] = f;
        link[child] = (own[f] as number) >= 0 ? f : (link[f] as number);
        next[row + c] = signed(child);
        queue[tail++] = child;
      }
    }
    this.next = next.subarray(0, states * width);
    this.own = own.subarray(0, states);
    this.link = link;
  }

  /**
   * The keywords in `buf`. With `limit`, also where: up to `limit` spans per keyword, after which the
   * keyword is marked DENSE (so frequent that locating it is not worth it).
   */
  find(buf: Uint8Array, limit?: number): KeywordHits {
    const { next, classOf, width, own, link, lengths } = this;
    const present: number[] = [];
    const spans = limit === undefined ? undefined : new Map<number, Array<[number, number]>>();
    const seen = new Set<number>();
    let row = 0;
    for (let i = 0, n = buf.length; i < n; i++) {
      row = next[row + (classOf[buf[i] as number] as number)] as number;
      if (row >= 0) continue;
      row = ~row;
      // Every keyword ending here: the state's own, then along the dictionary suffix links.
      const at = (row / width) | 0;
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
