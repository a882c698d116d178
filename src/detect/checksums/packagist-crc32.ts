import { crc32 } from './crc32.js';
import type { Checksum } from './types.js';

/**
 * Private Packagist authentication tokens: a prefix (`packagist_ort_`, `packagist_out_`, `packagist_uut_`…),
 * 60 random hex characters, then 8 hex characters: the CRC32 of prefix + random part, zero-padded.
 * https://packagist.com/docs/composer-authentication#token-format
 */
export const packagistCrc32: Checksum = {
  name: 'packagist-crc32',
  description: 'packagist_xxx_ + 60 hex + 8-hex CRC32 of (prefix + 60 hex)',
  validate(secret) {
    const m = /^(packagist_[a-z]{3}_)([0-9a-f]{60})([0-9a-f]{8})$/.exec(secret);
    if (!m) return false;
    const [, prefix, random, check] = m as unknown as [string, string, string, string];
    return crc32(prefix + random).toString(16).padStart(8, '0') === check;
  },
};
