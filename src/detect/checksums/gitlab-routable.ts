import { crc32 } from './crc32.js';
import type { Checksum } from './types.js';

/**
 * GitLab routable tokens (GitLab 17.x+): `<prefix><base64url payload>.<version, 2 base36>.<payload length, 2
 * base36><CRC32 in base36, 7 chars>`. The CRC covers everything before it (prefix included); the length field
 * is the length of the base64url payload. Source: Authn::TokenField::Generator::RoutableToken in
 * gitlab-org/gitlab (lib/authn/token_field/generator/routable_token.rb).
 */
export const gitlabRoutable: Checksum = {
  name: 'gitlab-routable',
  description: 'prefix + base64url payload + .vv. + 2-char base36 payload length + 7-char base36 CRC32 of the rest',
  validate(secret) {
    const m = /^([a-z]{2,8}-)([A-Za-z0-9_-]+)\.([0-9a-z]{2})\.([0-9a-z]{2})([0-9a-z]{7})$/.exec(secret);
    if (!m) return false;
    const [, , payload, , length, crc] = m as unknown as [string, string, string, string, string, string];
    if (parseInt(length, 36) !== payload.length) return false;
    return crc32(secret.slice(0, -7)).toString(36).padStart(7, '0') === crc;
  },
};
