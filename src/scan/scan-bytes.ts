import { TextDecoder } from 'node:util';
import type { Matcher } from '../detect/match.js';
import { StreamScanner, type Hit, type StreamOptions } from '../detect/stream.js';

/** What one unit of input (a file, a blob, stdin) produced. */
export interface UnitResult {
  hits: Hit[];
  bytes: number;
  /** Set when the unit was not scanned (binary, too large, unreadable…). */
  skipped?: { reason: string; message?: string };
  /** Set when the unit was scanned in part; what was found so far is kept. */
  warning?: string;
}

const BINARY_SNIFF_BYTES = 8000;

export type TextKind = 'utf8' | 'utf16le' | 'utf16be' | 'binary';

/**
 * Decides how to read a unit from its first bytes, as git does: a NUL byte in the first 8000 bytes
 * means binary — unless a UTF-16 byte-order mark says it is UTF-16 text.
 */
export function sniffText(head: Uint8Array): TextKind {
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf16be';
  const end = Math.min(head.length, BINARY_SNIFF_BYTES);
  for (let i = 0; i < end; i++) if (head[i] === 0) return 'binary';
  return 'utf8';
}

/**
 * Feeds a unit's bytes, which arrive in pieces, to a StreamScanner, converting UTF-16 to UTF-8 on the
 * way so that patterns (written for UTF-8) see text.
 */
export class UnitScanner {
  readonly hits: Hit[] = [];
  private readonly stream: StreamScanner;
  private kind: TextKind | undefined;
  private decoder: TextDecoder | undefined;
  bytes = 0;

  constructor(matcher: Matcher, options: StreamOptions = {}) {
    this.stream = new StreamScanner(matcher, (hit) => this.hits.push(hit), options);
  }

  /** Pushes the next piece. Returns false if the unit turned out to be binary (stop feeding it). */
  push(piece: Buffer): boolean {
    if (this.kind === undefined) {
      this.kind = sniffText(piece);
      if (this.kind === 'binary') return false;
      if (this.kind !== 'utf8') {
        this.decoder = new TextDecoder(this.kind === 'utf16le' ? 'utf-16le' : 'utf-16be');
      }
    }
    if (this.kind === 'binary') return false;
    this.bytes += piece.length;
    if (this.decoder) {
      const text = this.decoder.decode(piece, { stream: true });
      this.stream.push(Buffer.from(text, 'utf8'));
    } else {
      this.stream.push(piece);
    }
    return true;
  }

  /** Reads the next piece in place (see StreamScanner.readInto); only after a first piece showed UTF-8. */
  readInto(read: (buf: Buffer, offset: number, length: number) => number): number | undefined {
    if (this.kind !== 'utf8') return undefined;
    const got = this.stream.readInto(read);
    this.bytes += got;
    return got;
  }

  get isBinary(): boolean {
    return this.kind === 'binary';
  }

  end(): Hit[] {
    if (this.decoder) this.stream.push(Buffer.from(this.decoder.decode(), 'utf8'));
    this.stream.end();
    return this.hits;
  }
}

/** Scans one in-memory unit. */
export function scanBuffer(matcher: Matcher, data: Buffer, options: StreamOptions = {}): UnitResult {
  const unit = new UnitScanner(matcher, options);
  if (!unit.push(data)) return { hits: [], bytes: 0, skipped: { reason: 'binary' } };
  return { hits: unit.end(), bytes: unit.bytes };
}
