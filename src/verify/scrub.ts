import type { Credential } from './types.js';

/**
 * Removes every form of a credential's secret from a text that is about to leave the verification
 * engine (an error message, a reason, an identity value): the raw value, its URL and base64 encodings,
 * and the base64 of the `a:b` pairs used by Basic authentication. With `parts: true` (error messages)
 * the other parts go too; identities keep them, since a host, user or account id is what they report.
 */
export function scrub(text: string, c: Pick<Credential, 'secret' | 'parts'>, options: { parts?: boolean } = { parts: true }): string {
  const values = [c.secret, ...Object.values(c.parts)].filter((v) => v.length >= 4);
  const forms = new Set<string>();
  for (const v of options.parts ? values : [c.secret]) {
    forms.add(v);
    forms.add(encodeURIComponent(v));
    forms.add(Buffer.from(v).toString('base64').replace(/=+$/, ''));
  }
  for (const a of values) {
    for (const b of values) {
      if (a !== b) forms.add(Buffer.from(`${a}:${b}`).toString('base64').replace(/=+$/, ''));
    }
    forms.add(Buffer.from(`${a}:`).toString('base64').replace(/=+$/, ''));
    forms.add(Buffer.from(`:${a}`).toString('base64').replace(/=+$/, ''));
  }
  let out = text;
  // Longest first, so that a value inside a longer one is not half-replaced.
  for (const form of [...forms].filter((f) => f.length >= 4).sort((x, y) => y.length - x.length)) {
    out = out.split(form).join('[REDACTED]');
  }
  return out;
}
