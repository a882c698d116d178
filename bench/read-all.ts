import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// The I/O floor: read every file below a folder once, as a scanner must, and do nothing with it.
let bytes = 0;
const walk = (dir: string) => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) walk(p);
    else if (entry.isFile()) bytes += readFileSync(p).length;
  }
};
walk(process.argv[2] ?? '.');
console.log(bytes);
