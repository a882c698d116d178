import type { Checksum } from './types.js';

/**
 * Grafana Cloud access policy tokens: `glc_` + base64 of a JSON object
 * `{"o":"<org id>","n":"<token name>","k":"<random key>","m":{"r":"<region>"}}`.
 * A candidate is kept only if it decodes to such an object.
 * https://grafana.com/docs/grafana-cloud/security-and-account-management/authentication-and-permissions/access-policies/
 */
export const grafanaCloudToken: Checksum = {
  name: 'grafana-cloud-token',
  description: 'glc_ + base64 JSON object with string fields o (org id), n (name) and k (key)',
  validate(secret) {
    const body = secret.replace(/^glc_/, '');
    let value: unknown;
    try {
      value = JSON.parse(Buffer.from(body, 'base64').toString('utf8'));
    } catch {
      return false;
    }
    if (typeof value !== 'object' || value === null) return false;
    const v = value as Record<string, unknown>;
    return typeof v.o === 'string' && /^\d+$/.test(v.o) && typeof v.n === 'string' && typeof v.k === 'string' && /^[A-Za-z0-9]{16,}$/.test(v.k);
  },
};
