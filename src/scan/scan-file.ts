import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { Matcher } from '../detect/match.js';
import type { StreamOptions } from '../detect/stream.js';
import { describeError } from '../util/errors.js';
import { UnitScanner, type UnitResult } from './scan-bytes.js';

export interface FileScanOptions extends StreamOptions {
  /** Files larger than this many bytes are skipped; 0 means no limit. */
  maxFileSize?: number;
  /** Bytes read per system call. */
  readBytes?: number;
}

const DEFAULT_READ_BYTES = 1 << 20;

/**
 * One buffer per thread for the first block of each file. Most files are one block, matched and done
 * with before the next is read (nothing keeps a reference: matches are copied out as strings, and a
 * window carried over is copied), so reusing it spares an allocation per file and the garbage
 * collections that thousands of them cause.
 */
let scratch: Buffer | undefined;
function firstBlock(bytes: number): Buffer {
  if (bytes > DEFAULT_READ_BYTES) return Buffer.allocUnsafe(bytes);
  scratch ??= Buffer.allocUnsafe(DEFAULT_READ_BYTES);
  return bytes === scratch.length ? scratch : scratch.subarray(0, bytes);
}

/**
 * Scans one file in bounded memory: it is read in blocks and streamed through the matcher, so a file
 * of any size costs one window of memory. Synchronous on purpose: it runs inside worker threads (or
 * inline for tiny scans), where blocking reads are the fastest way to turn bytes into matches.
 * Never throws for a bad file: problems come back as `skipped` or `warning`, with what was found so far.
 */
export function scanFile(matcher: Matcher, path: string, options: FileScanOptions = {}): UnitResult {
  const steps = scanFileSteps(matcher, path, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

function tooLarge(size: number, limit: number): UnitResult {
  return { hits: [], bytes: 0, skipped: { reason: 'tooLarge', message: `${size} bytes > --max-file-size ${limit}` } };
}

/**
 * The same scan, one block per step: the main thread, which also feeds the matching threads, scans a
 * large file in steps and answers the threads between them, so none waits behind a 10 MB file.
 */
export function* scanFileSteps(matcher: Matcher, path: string, options: FileScanOptions = {}): Generator<void, UnitResult> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    return { hits: [], bytes: 0, skipped: { reason: 'unreadable', message: describeError(err) } };
  }
  const unit = new UnitScanner(matcher, options);
  try {
    const readBytes = options.readBytes ?? DEFAULT_READ_BYTES;
    // Most files fit in the first block: a short read says the file ended, and it is scanned without
    // a stat (a system call, and a Stats object with four Dates). The walk has already said it is a
    // regular file. Only a file that fills the block is stat-ed, for its size.
    let size: number;
    {
      const block = firstBlock(readBytes);
      let got: number;
      try {
        got = readSync(fd, block, 0, block.length, null);
      } catch (err) {
        return { hits: [], bytes: 0, warning: `read failed after 0 bytes: ${describeError(err)}` };
      }
      if (got < block.length) {
        if (options.maxFileSize && got > options.maxFileSize) return tooLarge(got, options.maxFileSize);
        if (got > 0 && !unit.push(block.subarray(0, got))) return { hits: [], bytes: 0, skipped: { reason: 'binary' } };
        return { hits: unit.end(), bytes: unit.bytes };
      }
      const stat = fstatSync(fd);
      if (!stat.isFile()) return { hits: [], bytes: 0, skipped: { reason: 'not-a-file' } };
      size = stat.size;
      if (options.maxFileSize && size > options.maxFileSize) return tooLarge(size, options.maxFileSize);
      if (!unit.push(block)) return { hits: [], bytes: 0, skipped: { reason: 'binary' } };
      yield;
    }
    // One byte more than the file holds: a short read then says the file ended, without another read
    // (a system call per file) to find out.
    const blockBytes = Math.max(4096, Math.min(readBytes, size + 1));
    for (;;) {
      let got: number | undefined;
      let asked = blockBytes;
      try {
        // After the first block (which tells text from binary), the rest of a large UTF-8 file is read
        // straight into the window.
        got = unit.readInto((buf, offset, length) => readSync(fd, buf, offset, (asked = Math.min(length, blockBytes)), null));
        if (got === undefined) {
          const block = Buffer.allocUnsafe(blockBytes);
          got = readSync(fd, block, 0, blockBytes, null);
          if (got > 0) unit.push(got === blockBytes ? block : block.subarray(0, got));
        }
      } catch (err) {
        // Keep what the part already read produced; say that the rest was not read.
        const hits = unit.end();
        return { hits, bytes: unit.bytes, warning: `read failed after ${unit.bytes} bytes: ${describeError(err)}` };
      }
      if (got < asked) break;
      yield;
    }
    return { hits: unit.end(), bytes: unit.bytes };
  } catch (err) {
    return { hits: unit.hits, bytes: unit.bytes, warning: `scan failed: ${describeError(err)}` };
  } finally {
    closeSync(fd);
  }
}
