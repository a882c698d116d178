import { createHash } from 'node:crypto';

/** A short, stable, non-reversible id for a secret value: how the same secret is grouped across places. */
export function secretHash(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex').slice(0, 16);
}

/**
 * The form in which a secret appears in output unless the user asks for `--show-secrets`: a few leading
 * characters (enough to recognise the kind of key, never enough to use it) and a short hash.
 */
export function redactSecret(secret: string): string {
  const chars = [...secret];
  const visible = Math.min(8, Math.floor(chars.length / 5));
  return `${chars.slice(0, visible).join('')}…#${secretHash(secret).slice(0, 8)}`;
}
