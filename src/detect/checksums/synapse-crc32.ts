import { base62, crc32 } from './crc32.js';
import type { Checksum } from './types.js';

/**
 * Synapse (the Matrix homeserver) access and refresh tokens are
 * `syt_<unpadded base64 of the localpart>_<20 random letters>_<crc>` (`syr_` for refresh tokens), where
 * `<crc>` is base62 (0-9A-Za-z) of the CRC32 of everything before the last underscore, padded to 6.
 * https://github.com/element-hq/synapse/blob/develop/synapse/handlers/auth.py (generate_access_token)
 */
export const synapseCrc32: Checksum = {
  name: 'synapse-crc32',
  description: 'sy?_<b64 localpart>_<random>_ + base62(CRC32 of the part before the last underscore), 6 characters',
  validate(secret) {
    const cut = secret.lastIndexOf('_');
    if (cut < 0 || secret.length - cut - 1 !== 6) return false;
    return base62(crc32(secret.slice(0, cut)), 6) === secret.slice(cut + 1);
  },
};
