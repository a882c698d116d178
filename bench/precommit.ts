import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_BIN, PACKAGE_ROOT } from '../src/util/paths.js';

/**
 * The pre-commit check, whole process: a repository with some history, a typical commit staged (five
 * files, ~300 changed lines), and `keysweep scan --staged` run 21 times; the median wall time is what
 * a developer waits for. `node -e 0` alongside, for the floor.
 */
const repo = mkdtempSync(join(tmpdir(), 'keysweep-precommit-'));
const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' });
git('init', '-q', '-b', 'main');
git('config', 'user.name', 'bench');
git('config', 'user.email', 'bench@keysweep.invalid');
const source = (n: number, lines: number) =>
  Array.from({ length: lines }, (_, i) => `export function handler${n}_${i}(req: Request): Response { return json({ ok: true, id: ${i} }); }`).join('\n');
for (let i = 0; i < 40; i++) writeFileSync(join(repo, `module${i}.ts`), `${source(i, 120)}\n`);
git('add', '-A');
git('commit', '-q', '-m', 'base');
for (let i = 0; i < 5; i++) writeFileSync(join(repo, `module${i}.ts`), `${source(i, 120)}\n${source(100 + i, 60)}\n`);
git('add', '-A');
const stat = git('diff', '--cached', '--shortstat').trim();

const cli = CLI_BIN;
function median(cmd: string[]): number {
  const times: number[] = [];
  for (let i = 0; i < 21; i++) {
    const t = performance.now();
    spawnSync(cmd[0] as string, cmd.slice(1), { cwd: repo, stdio: 'ignore' });
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[10] as number;
}
console.log(`pre-commit: staged ${stat}`);
console.log(`  node -e 0                      ${median(['node', '-e', '0']).toFixed(0)} ms (median of 21)`);
console.log(`  keysweep scan --staged         ${median(['node', cli, 'scan', '--staged', '-q']).toFixed(0)} ms (median of 21)`);
