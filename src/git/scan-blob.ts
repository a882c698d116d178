import type { Matcher } from '../detect/match.js';
import type { StreamOptions } from '../detect/stream.js';
import { UnitScanner } from '../scan/scan-bytes.js';
import type { BlobReader } from './blob-reader.js';

export type BlobScan =
  | { status: 'scanned'; unit: UnitScanner }
  | { status: 'missing' }
  | { status: 'skipped'; reason: 'tooLarge' | 'binary' };

/** Streams one blob from `git cat-file --batch` through the matcher; big and binary blobs are skipped. */
export async function scanBlob(reader: BlobReader, sha: string, matcher: Matcher, options: { stream: StreamOptions; maxFileSize: number }): Promise<BlobScan> {
  const unit = new UnitScanner(matcher, options.stream);
  let skip: 'tooLarge' | 'binary' | undefined;
  const status = await reader.read(sha, {
    start: (size) => {
      if (options.maxFileSize && size > options.maxFileSize) skip = 'tooLarge';
      return !skip;
    },
    data: (piece) => {
      if (!unit.push(piece)) skip = 'binary';
      return !skip;
    },
    end: () => undefined,
  });
  if (status === 'missing') return { status: 'missing' };
  if (skip) return { status: 'skipped', reason: skip };
  return { status: 'scanned', unit };
}
