import type { Checksum } from './types.js';

/**
 * Sentry organization auth tokens: `sntrys_` + base64 of a JSON object
 * `{"iat":<unix time>,"url":"<sentry url>","region_url":"<region url>","org":"<org slug>"}` + `_` +
 * the random secret. A candidate is kept only if the middle part decodes to such an object.
 * https://docs.sentry.io/account/auth-tokens/#organization-tokens
 * https://github.com/getsentry/sentry/blob/master/src/sentry/utils/security/orgauthtoken_token.py
 */
export const sentryOrgToken: Checksum = {
  name: 'sentry-org-token',
  description: 'sntrys_ + base64 JSON {iat, url, org, …} + _ + secret',
  validate(secret) {
    const m = /^sntrys_([A-Za-z0-9+/]+={0,2})_/.exec(secret);
    if (!m) return false;
    let value: unknown;
    try {
      value = JSON.parse(Buffer.from(m[1] as string, 'base64').toString('utf8'));
    } catch {
      return false;
    }
    if (typeof value !== 'object' || value === null) return false;
    const v = value as Record<string, unknown>;
    return typeof v.iat === 'number' && typeof v.url === 'string' && typeof v.org === 'string';
  },
};
