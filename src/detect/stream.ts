import type { Candidate, Matcher } from './match.js';
import type { Rule } from './rules.js';
import { redactSecret } from '../util/redact.js';

/** A candidate placed in its input: absolute line and column, and the line with secrets masked. */
export interface Hit {
  rule: Rule;
  secret: string;
  parts: Record<string, string>;
  /** 1-based. */
  line: number;
  /** 1-based, in characters (not bytes). */
  column: number;
  /** The matched line, trimmed to a window around the secret, every secret on it masked. */
  snippet: string;
  /** The line carries a `keysweep:allow` marker. */
  inlineAllowed: boolean;
  /** How the secret was encoded where it was found, outermost first (e.g. ["base64"]). */
  encoding?: string[];
}

export interface StreamOptions {
  /** Bytes matched per pass; larger passes mean fewer keyword-set runs but more memory. */
  windowBytes?: number;
  /**
   * Bytes shared by consecutive windows. A secret is reported by the window in which it starts,
   * and must fit, with its left context, inside the overlap: 64 KiB holds the largest PEM blocks.
   */
  overlapBytes?: number;
  showSecrets?: boolean;
}

export const DEFAULT_WINDOW_BYTES = 1 << 20;
export const DEFAULT_OVERLAP_BYTES = 64 << 10;
const SNIPPET_CONTEXT_BYTES = 100;
const ALLOW_MARKERS = ['keysweep:allow', 'gitleaks:allow'];

/**
 * Matches an arbitrarily long byte stream in bounded memory. Input arrives in pieces of any size
 * (`push`); it is matched in windows of about `windowBytes` that overlap by `overlapBytes`, and each
 * secret is reported exactly once, by the window in which it starts.
 */
export class StreamScanner {
  private readonly windowBytes: number;
  private readonly overlapBytes: number;
  private readonly showSecrets: boolean;
  private carry: Buffer = Buffer.alloc(0);
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** 1-based line of carry[0], and the characters before it on that line. */
  private carryLine = 1;
  private carryColumn = 0;
  /** Candidates starting before this offset in the current window were reported by the previous one. */
  private acceptFrom = 0;
  private ended = false;
  /** The buffer that `readInto` is filling (pending[0] is its filled part). */
  private window: Buffer | undefined;
  /**
   * A window already matched, for `readInto` to fill again: fresh megabyte buffers cost page faults
   * and garbage collections, which on a large file cost more than reading it.
   */
  private spare: Buffer | undefined;

  constructor(
    private readonly matcher: Matcher,
    private readonly emit: (hit: Hit) => void,
    options: StreamOptions = {},
  ) {
    this.overlapBytes = options.overlapBytes ?? DEFAULT_OVERLAP_BYTES;
    this.windowBytes = Math.max(options.windowBytes ?? DEFAULT_WINDOW_BYTES, 3 * this.overlapBytes);
    this.showSecrets = options.showSecrets ?? false;
  }

  push(data: Buffer): void {
    if (this.ended) throw new Error('StreamScanner: push after end');
    if (data.length === 0) return;
    this.window = undefined;
    this.pending.push(data);
    this.pendingBytes += data.length;
    if (this.carry.length + this.pendingBytes >= this.windowBytes) this.flush(false);
  }

  /**
   * Reads the next piece straight into a window that already holds what is carried over, instead of
   * reading into a block and copying it into the window: on large files that copy cost as much as
   * reading. `read` fills buf[offset, offset + length) and returns the bytes it read (0 at the end).
   */
  readInto(read: (buf: Buffer, offset: number, length: number) => number): number {
    if (this.ended) throw new Error('StreamScanner: read after end');
    let window = this.window;
    let filled = this.pendingBytes;
    if (!window || this.carry.length > 0 || this.pending.length !== 1) {
      // A new window, starting with what is carried over (and anything pushed since).
      const head = this.pending.length ? Buffer.concat([this.carry, ...this.pending]) : this.carry;
      const size = Math.max(this.windowBytes, head.length + this.overlapBytes);
      window = this.spare && this.spare.length >= size ? this.spare : takeWindow(size);
      this.spare = undefined;
      // (The carry may already stand at the window's start: see flush.)
      if (head.buffer !== window.buffer || head.byteOffset !== window.byteOffset) head.copy(window, 0);
      filled = head.length;
    }
    const got = read(window, filled, window.length - filled);
    this.window = window;
    this.carry = Buffer.alloc(0);
    this.pending = [window.subarray(0, filled + got)];
    this.pendingBytes = filled + got;
    if (this.pendingBytes >= this.windowBytes) this.flush(false);
    return got;
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.flush(true);
  }

  private flush(final: boolean): void {
    // Most units are one piece: use it as it is rather than copying it.
    const buf =
      this.carry.length === 0 && this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat([this.carry, ...this.pending]);
    // Matches are copied out as strings and the carry is copied below: once matched, the window can
    // be filled again.
    const refill = this.window && buf.buffer === this.window.buffer && buf.byteOffset === this.window.byteOffset ? this.window : undefined;
    this.pending = [];
    this.pendingBytes = 0;
    this.window = undefined;
    const limit = final ? buf.length : buf.length - this.overlapBytes;
    if (buf.length > 0) {
      const candidates = this.matcher.find(buf);
      for (const cand of candidates) {
        if (cand.start < this.acceptFrom || cand.start >= limit) continue;
        this.emit(this.place(buf, cand, candidates));
      }
    }
    if (final) {
      this.carry = Buffer.alloc(0);
      if (refill) giveWindow(refill);
      return;
    }
    const cut = limit - this.overlapBytes;
    const nl = buf.lastIndexOf(10, cut - 1);
    if (nl >= 0) {
      this.carryLine += countNewlines(buf, 0, cut);
      this.carryColumn = countChars(buf, nl + 1, cut);
    } else {
      this.carryColumn += countChars(buf, 0, cut);
    }
    if (refill) {
      // The carry moves to the start of the window, which the next read fills on from there: no
      // buffer per window (each costs page faults, at a dozen microseconds apiece on a small VM).
      refill.copyWithin(0, cut, buf.length);
      this.carry = refill.subarray(0, buf.length - cut);
      this.spare = refill;
    } else {
      // Copy, so that the large window can be collected.
      this.carry = Buffer.from(buf.subarray(cut));
    }
    this.acceptFrom = limit - cut;
  }

  private place(buf: Buffer, cand: Candidate, all: readonly Candidate[]): Hit {
    const lineStart = buf.lastIndexOf(10, cand.start - 1) + 1;
    const column = (cand.line === 0 ? this.carryColumn : 0) + countChars(buf, lineStart, cand.start) + 1;
    let lineEnd = buf.indexOf(10, cand.end);
    if (lineEnd < 0) lineEnd = buf.length;
    return {
      rule: cand.rule,
      secret: cand.secret,
      parts: cand.parts,
      line: this.carryLine + cand.line,
      column,
      snippet: this.snippet(buf, cand, lineStart, lineEnd, all),
      inlineAllowed: ALLOW_MARKERS.some((marker) => {
        const at = buf.indexOf(marker, lineStart);
        return at >= 0 && at < lineEnd;
      }),
      ...(cand.encoding ? { encoding: cand.encoding } : {}),
    };
  }

  private snippet(buf: Buffer, cand: Candidate, lineStart: number, lineEnd: number, all: readonly Candidate[]): string {
    const from = charBoundary(buf, Math.max(lineStart, cand.start - SNIPPET_CONTEXT_BYTES));
    const to = charBoundary(buf, Math.min(lineEnd, cand.end + SNIPPET_CONTEXT_BYTES));
    const masks: Array<[number, number, string]> = [];
    if (!this.showSecrets) {
      for (const c of all) {
        for (const [s, e] of [[c.start, c.end] as [number, number], ...c.partSpans]) {
          if (s < to && e > from) masks.push([s, e, redactSecret(buf.toString('utf8', s, e))]);
        }
      }
      masks.sort((a, b) => a[0] - b[0]);
    }
    let out = from > lineStart ? '…' : '';
    let at = from;
    for (const [s, e, masked] of masks) {
      if (e <= at) continue;
      out += buf.toString('utf8', at, Math.max(at, s)) + masked;
      at = Math.max(at, e);
    }
    if (at < to) out += buf.toString('utf8', at, to);
    if (to < lineEnd) out += '…';
    return out.replace(/\r$/, '');
  }
}

/**
 * One window kept per thread between files: the next large file reads into it rather than into a
 * fresh megabyte. Taken while in use, so two scanners never share it.
 */
let pooledWindow: Buffer | undefined;

function takeWindow(size: number): Buffer {
  const pooled = pooledWindow;
  if (pooled && pooled.length >= size) {
    pooledWindow = undefined;
    return pooled;
  }
  return Buffer.allocUnsafe(size);
}

function giveWindow(window: Buffer): void {
  if (!pooledWindow || window.length > pooledWindow.length) pooledWindow = window;
}

function countNewlines(buf: Buffer, from: number, to: number): number {
  let n = 0;
  for (let i = buf.indexOf(10, from); i >= 0 && i < to; i = buf.indexOf(10, i + 1)) n++;
  return n;
}

/** UTF-8 characters in buf[from, to): every byte that is not a continuation byte starts one. */
function countChars(buf: Buffer, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (((buf[i] as number) & 0xc0) !== 0x80) n++;
  return n;
}

/** Moves `offset` back to the start of the UTF-8 character it falls in. */
function charBoundary(buf: Buffer, offset: number): number {
  let at = offset;
  while (at > 0 && at < buf.length && ((buf[at] as number) & 0xc0) === 0x80) at--;
  return at;
}
