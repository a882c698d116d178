import type { Checksum } from './types.js';

/**
 * Elasticsearch API keys in their `encoded` form: base64 of `<id>:<api_key>` (the id is 20 URL-safe
 * characters, the key at least 22). A candidate is kept only if it decodes to that shape.
 * https://www.elastic.co/guide/en/elasticsearch/reference/current/security-api-create-api-key.html
 */
export const elasticsearchApiKey: Checksum = {
  name: 'elasticsearch-api-key',
  description: 'base64 of "<id>:<api_key>", both URL-safe base64 strings of 20+ characters',
  validate(secret) {
    const decoded = Buffer.from(secret, 'base64').toString('utf8');
    return /^[A-Za-z0-9_-]{20,64}:[A-Za-z0-9_-]{20,128}$/.test(decoded);
  },
};
