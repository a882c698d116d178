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

// Base64 runs long enough to hold a credential. Bounded so that one region is never huge.
const BASE64_RUN = compileRegex('[A-Za-z0-9+/_-]{20,}={0,2}', 'g');
const PERCENT_RUN = compileRegex("[A-Za-z0-9._~:/?#@!$&'()*+,;=%\\[\\]-]{0,1000}%[0-9A-Fa-f]{2}[A-Za-z0-9._~:/?#@!$&'()*+,;=%\\[\\]-]{0,1000}", 'g');
// A line (bounded) that contains a JSON/C-style escape.
const ESCAPED_LINE = compileRegex('[^\\n]{0,1000}\\\\(?:u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|["\'/\\\\bfnrt])[^\\n]{0,1000}', 'g');

const MAX_REGIONS = 10_000;

export function findEncodedRegions(buf: Buffer): EncodedRegion[] {
  const regions: EncodedRegion[] = [];
  collect(buf, BASE64_RUN, regions, 'base64', decodeBase64Text);
  if (buf.includes(0x25 /* % */)) collect(buf, PERCENT_RUN, regions, 'percent', decodePercent);
  if (buf.includes(0x5c /* \ */)) collect(buf, ESCAPED_LINE, regions, 'escape', decodeEscapes);
  return regions;
}

function collect(
  buf: Buffer,
  re: ReturnType<typeof compileRegex>,
  into: EncodedRegion[],
  encoding: EncodedRegion['encoding'],
  decode: (raw: Buffer) => Buffer | undefined,
): void {
  re.lastIndex = 0;
  for (let m = re.exec(buf); m && into.length < MAX_REGIONS; m = re.exec(buf)) {
    const span = m.indices?.[0];
    if (!span) break;
    const decoded = decode(buf.subarray(span[0], span[1]));
    if (decoded && decoded.length > 0) into.push({ start: span[0], end: span[1], encoding, decoded });
  }
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

/** Undoes JSON / JavaScript / C string escapes on one line. */
export function decodeEscapes(raw: Buffer): Buffer | undefined {
  const text = raw.toString('utf8');
  let changed = false;
  const out = text.replace(/\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|["'/\\bfnrt])/g, (_, esc: string) => {
    changed = true;
    if (esc[0] === 'u' || esc[0] === 'x') return String.fromCharCode(parseInt(esc.slice(1), 16));
    return ({ b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' } as Record<string, string>)[esc] ?? esc;
  });
  return changed ? Buffer.from(out, 'utf8') : undefined;
}
