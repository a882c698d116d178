import { crc32 } from './crc32.js';
import type { Checksum } from './types.js';

/**
 * Grafana service account tokens: `glsa_` + 32 alphanumerics + `_` + 8 hex characters, the CRC-32
 * (IEEE) of everything before the last underscore (`glsa_<secret>`), as 4 little-endian bytes in hex.
 * https://github.com/grafana/grafana/blob/main/pkg/components/satokengen/tokengen.go
 */
export const grafanaSaCrc32: Checksum = {
  name: 'grafana-sa-crc32',
  description: 'glsa_ + 32 alphanumerics + _ + hex(little-endian CRC32 of "glsa_<secret>")',
  validate(secret) {
    const cut = secret.lastIndexOf('_');
    if (cut < 0 || secret.length - cut - 1 !== 8) return false;
    const bytes = Buffer.alloc(4);
    bytes.writeUInt32LE(crc32(secret.slice(0, cut)));
    return bytes.toString('hex') === secret.slice(cut + 1).toLowerCase();
  },
};
