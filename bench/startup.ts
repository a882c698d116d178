import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_BIN, PACKAGE_ROOT } from '../src/util/paths.js';

/**
 * Start-up and small-scan latency, whole process: what a pre-commit hook feels. Median of 15 runs of
 * `keysweep scan` on a 4 KB file, next to `node -e 0`.
 */
const dir = mkdtempSync(join(tmpdir(), 'keysweep-startup-'));
const file = join(dir, 'change.ts');
writeFileSync(file, 'export const config = { retries: 3, endpoint: "https://api.internal" };\n'.repeat(60));
const cli = CLI_BIN;

function median(cmd: string[]): number {
  const times: number[] = [];
  for (let i = 0; i < 15; i++) {
    const t = performance.now();
    spawnSync(cmd[0] as string, cmd.slice(1), { stdio: 'ignore' });
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[7] as number;
}

console.log(`node -e 0:                       ${median(['node', '-e', '0']).toFixed(0)} ms`);
console.log(`keysweep scan <4 KB file>:       ${median(['node', cli, 'scan', file, '-q']).toFixed(0)} ms`);
console.log(`keysweep rules list:             ${median(['node', cli, 'rules', 'list']).toFixed(0)} ms`);
