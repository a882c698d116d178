import type { Checksum } from './types.js';

/**
 * A JSON Web Token in compact serialization (RFC 7519, RFC 7515): three base64url parts, the first a
 * JSON header naming a signing algorithm (`alg`, not `none`), the second a JSON object of claims, the
 * third a non-empty signature. Candidates whose parts do not decode that way are not JWTs.
 * https://datatracker.ietf.org/doc/html/rfc7519#section-3
 */
export const jwt: Checksum = {
  name: 'jwt',
  description: 'header.payload.signature, base64url; header JSON with alg other than none; payload a JSON object',
  validate(secret) {
    const parts = secret.split('.');
    if (parts.length !== 3 || !parts[2]) return false;
    const header = decodeJson(parts[0] as string);
    const payload = decodeJson(parts[1] as string);
    if (!header || !payload) return false;
    return typeof header.alg === 'string' && header.alg.toLowerCase() !== 'none';
  },
};

function decodeJson(part: string): Record<string, unknown> | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(part)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
