import type { Checksum } from './types.js';

/**
 * Legacy Grafana API keys (and Grafana Cloud API keys of the same era): base64 of a JSON object
 * `{"k":"<random key>","n":"<key name>","id":<org id>}`, which is why they start with `eyJrIjoi`.
 * A candidate is kept only if it decodes to such an object.
 * https://grafana.com/docs/grafana/latest/administration/api-keys/
 */
export const grafanaApiKey: Checksum = {
  name: 'grafana-api-key',
  description: 'base64 JSON object with string fields k (key) and n (name) and a numeric id',
  validate(secret) {
    let value: unknown;
    try {
      value = JSON.parse(Buffer.from(secret, 'base64').toString('utf8'));
    } catch {
      return false;
    }
    if (typeof value !== 'object' || value === null) return false;
    const v = value as Record<string, unknown>;
    return typeof v.k === 'string' && /^[A-Za-z0-9]{16,}$/.test(v.k) && typeof v.n === 'string' && typeof v.id === 'number';
  },
};
