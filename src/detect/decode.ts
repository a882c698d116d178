import { compileRegex } from './regex.js';

/**
 * Finds text that hides a secret behind an encoding — base64 (Kubernetes `data:` values, Basic auth
 * headers, docker `auth` fields), percent-encoding (URLs, SAS signatures), and JSON / string escapes
 * (`\u002F`, `\"`, notebooks, JSON-in-JSON log lines) — and decodes it, so that the rules can run on
 * the decoded bytes. Each region keeps its span in the original input, so a finding in decoded text
 * still points at the place a user would open.
 */
export interface EncodedRegion {
  start: number;
  end: number;
  encoding: 'base64' | 'percent' | 'escape';
  decoded: Buffer;
}

// Base64 runs long enough to hold a credential (20 characters or more), standing alone as a value
// (after a space, quote, `=`, `:` or `>`, before a quote, space or separator): identifiers in code rarely
// do, which keeps this pass fast. A run must also hold a digit, `+` or `/` among its first 41
// characters, or end in `=` padding: camelCase identifiers (letters only) were 95% of all runs in real
// code, and base64 of text without a single such character in 41 is rare (about 1 in 5,000 for random
// bytes). "20 or more, with a non-letter at position p" is spelled out for each p < 19, so that short
// runs (`path=/api/v1/items` on every line of a log) never match: each match costs a call.
const BASE64_EARLY_NONLETTER = Array.from({ length: 19 }, (_, p) => `[A-Za-z]{${p}}[0-9+/][A-Za-z0-9+/]{${19 - p},}`).join('|');
const BASE64_RUN = compileRegex(
  [
    `[\\s"'=:>\`(](?:${BASE64_EARLY_NONLETTER}|[A-Za-z]{19,40}[0-9+/][A-Za-z0-9+/]*)={0,2}(?:["'\\s,;<\`)]|$)`,
    `[\\s"'=:>\`(][A-Za-z0-9+/]{20,}={1,2}(?:["'\\s,;<\`)]|$)`,
  ].join('|'),
  'g',
);
export const BASE64_MIN_CHARS = 20;
/** A table by byte: `value` for the (ASCII) characters given, 0 for the others. */
function byteTable<T extends Uint8Array | Int32Array>(table: T, chars: string, value = 1): T {
  for (const c of chars) table[c.charCodeAt(0)] = value;
  return table;
}

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BASE64_BYTES = byteTable(new Uint8Array(256), `${LETTERS}0123456789+/=`);
const HEX_BYTES = byteTable(new Uint8Array(256), '0123456789abcdefABCDEF');
/** What may follow a backslash for it to start a JSON / C escape (\u \x \" \' \/ \\ \b \f \n \r \t). */
const ESCAPED_BYTES = byteTable(new Uint8Array(256), 'ux"\'/\\bfnrt');

const MAX_REGIONS = 10_000;
/** Longest stretch decoded around a percent or escape marker, each side. */
const MAX_GROW = 2048;

/** The base64 alphabet without padding: the bytes a run is made of (-1; a mask, see RunWatch). */
export const BASE64_RUN_BYTES = byteTable(new Int32Array(256), `${LETTERS}0123456789+/`, -1);
/** Bytes that may stand before and after a base64 value (the BASE64_RUN delimiters). */
const OPENING_BYTES = byteTable(new Uint8Array(256), ' \t\n\f\r"\'=:>`(');
const CLOSING_BYTES = byteTable(new Uint8Array(256), ' \t\n\f\r"\',;<`)');
const LETTER_BYTES = byteTable(new Uint8Array(256), LETTERS);

/**
 * The encoded regions of `buf`. `runStarts`, when given, are where the runs of base64 bytes at least
 * BASE64_MIN_CHARS long start (noted by the keyword pass, see RunWatch); the base64 values are then
 * picked from those runs instead of by another pass over the whole input with BASE64_RUN.
 */
export function findEncodedRegions(buf: Buffer, runStarts?: readonly number[]): EncodedRegion[] {
  const regions: EncodedRegion[] = [];
  scratchUsed = 0;
  for (const [start, end] of base64Values(buf, runStarts)) {
    if (regions.length >= MAX_REGIONS) break;
    const decoded = decodeBase64Text(buf.subarray(start, end));
    if (decoded) regions.push({ start, end, encoding: 'base64', decoded });
  }
  // Markers are found with indexOf (native, a memchr) rather than a regex: escapes are everywhere in
  // code, and each regex match costs a call and a result object.
  grow(buf, 0x25 /* % */, (at) => HEX_BYTES[buf[at + 1] as number] === 1 && HEX_BYTES[buf[at + 2] as number] === 1, isUrlByte, 'percent', decodePercent, regions);
  grow(buf, 0x5c /* \ */, (at) => isEscapeAt(buf, at), undefined, 'escape', decodeEscapesToScratch, regions);
  return regions;
}

/**
 * The spans of the values that look like base64, padding included: from the runs noted by the keyword
 * pass when given, otherwise by a pass of BASE64_RUN.
 */
export function* base64Values(buf: Buffer, runStarts?: readonly number[]): Generator<[number, number]> {
  if (runStarts) {
    for (const start of runStarts) {
      const end = base64ValueEnd(buf, start);
      if (end >= 0) yield [start, end];
    }
    return;
  }
  BASE64_RUN.lastIndex = 0;
  for (let m = BASE64_RUN.exec(buf); m; m = BASE64_RUN.exec(buf)) {
    const span = m.indices?.[0];
    if (!span) return;
    // Drop the delimiters on either side.
    const start = span[0] + 1;
    let end = span[1];
    while (end > start && BASE64_BYTES[buf[end - 1] as number] !== 1) end--;
    // The closing delimiter may open the next value: match on from it.
    BASE64_RUN.lastIndex = end;
    if (end - start >= BASE64_MIN_CHARS) yield [start, end];
  }
}

/**
 * Where the base64 value that starts at `start` (the first byte of a run of at least
 * BASE64_MIN_CHARS base64 bytes) ends, padding included; -1 when BASE64_RUN would not take it. The
 * same conditions, checked on one run: a delimiter before it and after its padding (at most two `=`),
 * and a digit, `+` or `/` among its first 41 bytes, or padding.
 */
function base64ValueEnd(buf: Buffer, start: number): number {
  if (start === 0 || OPENING_BYTES[buf[start - 1] as number] !== 1) return -1;
  let end = start;
  let early = false;
  for (; end < buf.length && BASE64_RUN_BYTES[buf[end] as number] === -1; end++) {
    if (!early && end - start <= 40 && LETTER_BYTES[buf[end] as number] !== 1) early = true;
  }
  let padded = end;
  while (padded < buf.length && padded - end < 3 && buf[padded] === 0x3d /* = */) padded++;
  if (padded - end > 2) return -1;
  if (padded < buf.length && CLOSING_BYTES[buf[padded] as number] !== 1) return -1;
  return early || padded > end ? padded : -1;
}

function isEscapeAt(buf: Buffer, at: number): boolean {
  const next = buf[at + 1] as number;
  if (ESCAPED_BYTES[next] !== 1) return false;
  if (next === 0x75 /* u */) {
    for (let i = 2; i <= 5; i++) if (HEX_BYTES[buf[at + i] as number] !== 1) return false;
    return true;
  }
  if (next === 0x78 /* x */) return HEX_BYTES[buf[at + 2] as number] === 1 && HEX_BYTES[buf[at + 3] as number] === 1;
  return true;
}

/** Each marker grows into the run of bytes around it that `inRun` accepts; each run is decoded once. */
function grow(
  buf: Buffer,
  markerByte: number,
  isMarker: (at: number) => boolean,
  /** Which bytes the run around a marker may hold; undefined: the marker's line. */
  inRun: ((byte: number) => boolean) | undefined,
  encoding: EncodedRegion['encoding'],
  decode: (raw: Buffer) => Buffer | undefined,
  into: EncodedRegion[],
): void {
  for (let at = buf.indexOf(markerByte); at >= 0 && into.length < MAX_REGIONS; at = buf.indexOf(markerByte, at + 1)) {
    if (!isMarker(at)) continue;
    let start: number;
    let end: number;
    if (inRun === undefined) {
      // The line around the marker, found natively (lines in minified code are long).
      start = Math.max(buf.lastIndexOf(10, at) + 1, at - MAX_GROW);
      const nl = buf.indexOf(10, at);
      end = Math.min(nl < 0 ? buf.length : nl, at + MAX_GROW);
    } else {
      start = at;
      while (start > 0 && at - start < MAX_GROW && inRun(buf[start - 1] as number)) start--;
      end = at;
      while (end < buf.length && end - at < MAX_GROW && inRun(buf[end] as number)) end++;
    }
    const decoded = decode(buf.subarray(start, end));
    if (decoded && decoded.length > 0) into.push({ start, end, encoding, decoded });
    // Markers inside this run were decoded with it.
    at = Math.max(at, end - 1);
  }
}

const URL_BYTES = byteTable(new Uint8Array(256), `${LETTERS}0123456789._~:/?#@!$&'()*+,;=%[]-`);

/** Bytes that may appear in a URL or a percent-encoded value. */
function isUrlByte(b: number): boolean {
  return URL_BYTES[b] === 1;
}

/** Base64 (standard or URL-safe) that decodes to text. Binary payloads (images, fonts) are left alone. */
export function decodeBase64Text(raw: Buffer): Buffer | undefined {
  const text = raw.toString('latin1');
  const body = text.replace(/=+$/, '');
  // Real base64 of text has both cases; identifiers like thisIsAVeryLongVariableName rarely decode to text.
  if (body.length % 4 === 1 || !/[a-z]/.test(body) || !/[A-Z0-9]/.test(body)) return undefined;
  const decoded = Buffer.from(body.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return isMostlyText(decoded) ? decoded : undefined;
}

/** Text: at least 8 bytes, nearly all printable ASCII or whitespace, or valid multi-byte UTF-8. */
function isMostlyText(bytes: Buffer): boolean {
  if (bytes.length < 8) return false;
  let bad = 0;
  for (const b of bytes) {
    if ((b >= 0x20 && b < 0x7f) || b === 9 || b === 10 || b === 13) continue;
    if (b >= 0x80) continue; // checked below as UTF-8
    bad++;
  }
  if (bad > bytes.length / 50) return false;
  const asText = bytes.toString('utf8');
  return !asText.includes('\uFFFD');
}

export function decodePercent(raw: Buffer): Buffer | undefined {
  const text = raw.toString('latin1');
  const out: number[] = [];
  let changed = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x25 && i + 2 < text.length + 0 && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      out.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
      changed = true;
    } else {
      out.push(c);
    }
  }
  return changed ? Buffer.from(out) : undefined;
}

/**
 * Where escaped lines are decoded to: thousands of lines of up to 4 KB in a corpus of code, each a
 * fresh buffer (and its page faults) otherwise. The regions' `decoded` views into it hold until the
 * next findEncodedRegions call (the matcher joins them into one buffer before that).
 */
let scratch = Buffer.allocUnsafe(256 << 10);
let scratchUsed = 0;

function decodeEscapesToScratch(raw: Buffer): Buffer | undefined {
  if (scratchUsed + raw.length > scratch.length) {
    // Full: a new one (the views into the old one stay valid).
    scratch = Buffer.allocUnsafe(Math.max(scratch.length, raw.length));
    scratchUsed = 0;
  }
  const decoded = decodeEscapes(raw, scratch.subarray(scratchUsed));
  if (decoded) scratchUsed += decoded.length;
  return decoded;
}

/** What a one-letter escape stands for (\" \' \/ \\ \b \f \n \r \t), by the letter's byte; -1 for others. */
const SIMPLE_ESCAPES = new Int16Array(256).fill(-1);
for (const [letter, value] of Object.entries({ '"': 0x22, "'": 0x27, '/': 0x2f, '\\': 0x5c, b: 0x08, f: 0x0c, n: 0x0a, r: 0x0d, t: 0x09 })) {
  SIMPLE_ESCAPES[letter.charCodeAt(0)] = value;
}

/**
 * Undoes JSON / JavaScript / C string escapes (\uXXXX with surrogate pairs, \xXX, and the one-letter
 * ones) on one line, byte by byte: the text between escapes is copied as it is. Other backslashes
 * stay. Undefined when there was nothing to undo. The output, never longer than the input, is
 * written at the start of `into` when given (and as long as the input).
 */
export function decodeEscapes(raw: Buffer, into?: Buffer): Buffer | undefined {
  let at = raw.indexOf(0x5c);
  if (at < 0) return undefined;
  const out = into && into.length >= raw.length ? into : Buffer.allocUnsafe(raw.length);
  let o = 0;
  let from = 0;
  let changed = false;
  for (; at >= 0; at = raw.indexOf(0x5c, from)) {
    const letter = raw[at + 1] as number;
    let code = -1;
    let length = 2;
    if (letter === 0x75 /* u */) {
      code = hexAt(raw, at + 2, 4);
      length = 6;
      // A high surrogate followed by an escaped low one: one character.
      if (code >= 0xd800 && code <= 0xdbff && raw[at + 6] === 0x5c && raw[at + 7] === 0x75) {
        const low = hexAt(raw, at + 8, 4);
        if (low >= 0xdc00 && low <= 0xdfff) {
          code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
          length = 12;
        }
      }
    } else if (letter === 0x78 /* x */) {
      code = hexAt(raw, at + 2, 2);
      length = 4;
    } else if (at + 1 < raw.length) {
      code = SIMPLE_ESCAPES[letter] as number;
    }
    if (code < 0) {
      // Not an escape: the backslash stays.
      raw.copy(out, o, from, at + 1);
      o += at + 1 - from;
      from = at + 1;
      continue;
    }
    raw.copy(out, o, from, at);
    o += at - from;
    // A lone surrogate is not a character: U+FFFD, as a UTF-8 encoder writes it.
    o += writeUtf8(out, o, code >= 0xd800 && code <= 0xdfff ? 0xfffd : code);
    from = at + length;
    changed = true;
  }
  if (!changed) return undefined;
  raw.copy(out, o, from);
  o += raw.length - from;
  return out.subarray(0, o);
}

/** The value of `digits` hex digits at `at`, or -1. */
function hexAt(buf: Buffer, at: number, digits: number): number {
  if (at + digits > buf.length) return -1;
  let value = 0;
  for (let i = at; i < at + digits; i++) {
    const b = buf[i] as number;
    const digit = b >= 0x30 && b <= 0x39 ? b - 0x30 : b >= 0x61 && b <= 0x66 ? b - 0x57 : b >= 0x41 && b <= 0x46 ? b - 0x37 : -1;
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

/** Writes a code point as UTF-8 at `at`; returns the bytes written. */
function writeUtf8(buf: Buffer, at: number, code: number): number {
  if (code < 0x80) {
    buf[at] = code;
    return 1;
  }
  if (code < 0x800) {
    buf[at] = 0xc0 | (code >> 6);
    buf[at + 1] = 0x80 | (code & 0x3f);
    return 2;
  }
  if (code < 0x10000) {
    buf[at] = 0xe0 | (code >> 12);
    buf[at + 1] = 0x80 | ((code >> 6) & 0x3f);
    buf[at + 2] = 0x80 | (code & 0x3f);
    return 3;
  }
  buf[at] = 0xf0 | (code >> 18);
  buf[at + 1] = 0x80 | ((code >> 12) & 0x3f);
  buf[at + 2] = 0x80 | ((code >> 6) & 0x3f);
  buf[at + 3] = 0x80 | (code & 0x3f);
  return 4;
}
