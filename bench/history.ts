import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_BIN, PACKAGE_ROOT } from '../src/util/paths.js';

/**
 * History speed: a real code history built offline from successive published versions of a large npm
 * package (one commit per version, so blobs repeat and change the way real histories do). Compares
 * `keysweep scan --history` with `git log -p --all > /dev/null` on the same repository.
 *
 *   BENCH_HISTORY_PACKAGE (default typescript), BENCH_HISTORY_VERSIONS (default 24)
 */
const pkg = process.env.BENCH_HISTORY_PACKAGE ?? 'typescript';
const count = Number(process.env.BENCH_HISTORY_VERSIONS ?? 24);
const repo = join(PACKAGE_ROOT, 'bench', '.corpus-history', `${pkg}-${count}`);
const cli = CLI_BIN;

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: repo, encoding: 'utf8', maxBuffer: 1 << 28 }).trim();
}

function build(): void {
  if (existsSync(join(repo, '.git', 'keysweep-bench-complete'))) return;
  rmSync(repo, { recursive: true, force: true });
  mkdirSync(repo, { recursive: true });
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'bench');
  git('config', 'user.email', 'bench@keysweep.invalid');
  const all = JSON.parse(execFileSync('npm', ['view', pkg, 'versions', '--json'], { encoding: 'utf8' })) as string[];
  // Plain releases of the JavaScript-era compiler (4.x and 5.x): tens of MB of source per version.
  const pattern = new RegExp(process.env.BENCH_HISTORY_FILTER ?? '^[45]\\.\\d+\\.\\d+$');
  const stable = all.filter((v) => pattern.test(v));
  const versions = stable.slice(-count);
  const tarballs = join(repo, '..', `${pkg}-tarballs`);
  mkdirSync(tarballs, { recursive: true });
  for (const version of versions) {
    console.error(`bench/history: adding ${pkg}@${version}`);
    const tgz = execFileSync('npm', ['pack', `${pkg}@${version}`, '--silent', '--pack-destination', tarballs], { encoding: 'utf8' }).trim().split('\n').pop() as string;
    for (const entry of readdirSync(repo)) if (entry !== '.git') rmSync(join(repo, entry), { recursive: true, force: true });
    execFileSync('tar', ['-xzf', join(tarballs, tgz), '-C', repo, '--strip-components=1']);
    git('add', '-A');
    git('commit', '-q', '-m', `${pkg} ${version}`);
  }
  git('gc', '-q');
  execFileSync('touch', [join(repo, '.git', 'keysweep-bench-complete')]);
}

function time(cmd: string, args: string[]): { seconds: number; rssMb: number } {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', 'sh', '-c', `${[cmd, ...args].map((a) => `'${a}'`).join(' ')} > /dev/null`], { cwd: repo, encoding: 'utf8' });
  const [secs, kb] = (r.stderr.trim().split('\n').pop() ?? '').split(' ').map(Number);
  return { seconds: secs ?? NaN, rssMb: (kb ?? 0) / 1024 };
}

build();
const commits = git('rev-list', '--all', '--count');
const runs = Number(process.env.BENCH_RUNS ?? 3);
const median = (f: () => { seconds: number; rssMb: number }) => {
  const all = Array.from({ length: runs }, f).sort((a, b) => a.seconds - b.seconds);
  return all[Math.floor(all.length / 2)] as { seconds: number; rssMb: number };
};
const gitLog = median(() => time('git', ['log', '-p', '--all']));
const keysweep = median(() => time('node', [cli, 'scan', '--history', '.', '-q', '--format', 'json', '--no-default-excludes']));
console.log(`history: ${pkg}, ${commits} commits (${repo}), median of ${runs}`);
console.log('| run | seconds | peak RSS (MB) |');
console.log('| --- | ---: | ---: |');
console.log(`| git log -p --all > /dev/null | ${gitLog.seconds.toFixed(2)} | ${gitLog.rssMb.toFixed(0)} |`);
console.log(`| keysweep scan --history | ${keysweep.seconds.toFixed(2)} | ${keysweep.rssMb.toFixed(0)} |`);
console.log(`ratio keysweep / git log -p: ${(keysweep.seconds / gitLog.seconds).toFixed(2)}×`);
