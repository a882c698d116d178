import { writeFileSync } from 'node:fs';
import { KeysweepError } from '../util/errors.js';

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_ERROR = 2;

/** Where a command reads and writes; tests pass their own. */
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdin: AsyncIterable<Buffer | string>;
}

// A reader that stops early (`keysweep rules list | head`) closes the pipe: that ends the output, it
// is not an error worth a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(process.exitCode ?? 0);
});

export const processIo: Io = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  stdin: process.stdin,
};

/** Writes a report to FILE, or to standard output when no file (or "-") is given. */
export function writeOutput(text: string, file: string | undefined, io: Io): void {
  if (!file || file === '-') {
    io.stdout(text);
    return;
  }
  try {
    writeFileSync(file, text);
  } catch (err) {
    throw new KeysweepError('IO', `${file}: cannot write output: ${err instanceof Error ? err.message : String(err)}`);
  }
}
