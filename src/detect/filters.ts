/**
 * Value filters: decide whether a candidate that a rule's regex matched can be a real secret.
 * They run on the candidate alone (not its surroundings), cheaply, for every match.
 */

/** Shannon entropy in bits per character. */
export function shannonEntropy(value: string): number {
  if (value.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  const n = [...value].length;
  for (const c of counts.values()) {
    const p = c / n;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/**
 * Fragments that mark a value as a placeholder, a documentation example or a template reference.
 * Matched case-insensitively against the candidate. Long enough that a random token of a few dozen
 * characters contains one only with negligible probability.
 */
const PLACEHOLDER_FRAGMENTS = [
  'example',
  'xxxxx',
  '*****',
  '.....',
  '…',
  '<your',
  'your_',
  'your-',
  'yourkey',
  'yourtoken',
  'yoursecret',
  'placeholder',
  'changeme',
  'change_me',
  'redacted',
  'dummy',
  'insert_',
  'insert-',
  'replace_',
  'replaceme',
  'replace-me',
  'notreal',
  'not_real',
  'fake_',
  'fake-',
  'fakekey',
  'faketoken',
  'sample_',
  'sample-',
  'secret_here',
  'token_here',
  'key_here',
  'goes_here',
  'goeshere',
  '000000000000',
] as const;

/**
 * Values published as examples in standards and provider documentation, copied into code and docs
 * everywhere. (Keys containing "EXAMPLE", like AWS's, are caught by the fragment list above.)
 */
const DOCUMENTED_EXAMPLES = new Set([
  '2YotnFZFEjr1zCsicMWpAA', // RFC 6749 access token
  'tGzv3JOkF0XG5Qx2TlKWIA', // RFC 6749 refresh token
  'SplxlOBeZQQYbYS6WxSbIA', // RFC 6749 authorization code
  'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c', // jwt.io example signature
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
  'sk_test_4eC39HqLyjWDarjtT1zdp7dc', // Stripe docs test key
  'pk_test_TYooMQauvdEDq54NiTphI7jx', // Stripe docs publishable key
  'xoxb-not-a-real-token-this-will-not-work',
]);

/** Template and variable references: `${X}`, `{{ x }}`, `$(cmd)`, `%(x)s`, `<token>`, `#{x}`. */
const TEMPLATE_MARKERS = ['${', '{{', '}}', '$(', '%(', '#{', '<%', '%>'] as const;

/** Why a candidate looks like a placeholder, or undefined if it does not. */
export function placeholderReason(value: string): string | undefined {
  if (DOCUMENTED_EXAMPLES.has(value)) return 'a value published as a documentation example';
  const lower = value.toLowerCase();
  for (const fragment of PLACEHOLDER_FRAGMENTS) {
    if (lower.includes(fragment)) return `contains "${fragment}"`;
  }
  for (const marker of TEMPLATE_MARKERS) {
    if (value.includes(marker)) return `template reference "${marker}"`;
  }
  if (/^<[^<>]+>$/.test(value)) return 'angle-bracket placeholder';
  if (value.length >= 8 && distinctChars(value) <= 3) return 'too few distinct characters';
  if (hasSequentialRun(value, 8)) return 'sequential characters';
  if (isShortPeriodRepeat(value)) return 'repeating pattern';
  return undefined;
}

function distinctChars(value: string): number {
  return new Set(value).size;
}

/** A run like `abcdefgh`, `12345678` or `87654321` of at least `min` characters. */
function hasSequentialRun(value: string, min: number): boolean {
  let up = 1;
  let down = 1;
  for (let i = 1; i < value.length; i++) {
    const d = value.charCodeAt(i) - value.charCodeAt(i - 1);
    up = d === 1 ? up + 1 : 1;
    down = d === -1 ? down + 1 : 1;
    if (up >= min || down >= min) return true;
  }
  return false;
}

/** `abcabcabcabc`: the whole value is a short unit repeated. */
function isShortPeriodRepeat(value: string): boolean {
  if (value.length < 12) return false;
  for (let period = 1; period <= 6; period++) {
    let repeats = true;
    for (let i = period; i < value.length; i++) {
      if (value[i] !== value[i - period]) {
        repeats = false;
        break;
      }
    }
    if (repeats) return true;
  }
  return false;
}
