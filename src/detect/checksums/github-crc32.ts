import { base62, crc32 } from './crc32.js';
import type { Checksum } from './types.js';

/**
 * GitHub's token formats end in six base62 characters: the CRC32 of the 30 random characters that
 * follow the `gh?_` prefix. npm's `npm_` tokens use the same layout.
 * https://github.blog/2021-04-05-behind-githubs-new-authentication-token-formats/
 * https://github.blog/2021-09-23-announcing-npms-new-access-token-format/
 */
export const githubCrc32: Checksum = {
  name: 'github-crc32',
  description: 'prefix_ + 30 base62 characters + base62(CRC32 of those 30), 6 characters',
  validate(secret) {
    const underscore = secret.indexOf('_');
    const body = secret.slice(underscore + 1);
    if (underscore < 0 || body.length !== 36) return false;
    return base62(crc32(body.slice(0, 30)), 6) === body.slice(30);
  },
};
