import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_BIN, PACKAGE_ROOT } from '../src/util/paths.js';
import { ensureCorpus } from './corpus.js';

/**
 * Whole-process runs on the same corpus, side by side: a plain read of every file (the I/O floor),
 * keysweep (all cores and one thread), and secretlint with its recommended preset. Reports the median
 * wall time of a few runs (taking turns), MB/s and peak RSS (GNU time).
 */
const corpus = ensureCorpus();
const runs = Number(process.env.BENCH_RUNS ?? 3);
const cli = CLI_BIN;
const readAll = join(PACKAGE_ROOT, 'dist', 'bench', 'read-all.js');
const secretlintBin = join(PACKAGE_ROOT, 'node_modules', '.bin', 'secretlint');
const work = mkdtempSync(join(tmpdir(), 'keysweep-bench-'));
const secretlintrc = join(work, '.secretlintrc.json');
writeFileSync(secretlintrc, JSON.stringify({ rules: [{ id: '@secretlint/secretlint-rule-preset-recommend' }] }));

const bytes = Number(spawnSync('du', ['-sb', corpus], { encoding: 'utf8' }).stdout.split('\t')[0]);

interface Measure {
  name: string;
  seconds: number;
  rssMb: number;
}

interface Run {
  name: string;
  cmd: string[];
  cwd: string;
}

/** One timed run: wall seconds and peak RSS (GNU time). */
function timeOnce(run: Run): { seconds: number; rssMb: number } {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', ...run.cmd], { cwd: run.cwd, encoding: 'utf8', maxBuffer: 1 << 30 });
  const last = r.stderr.trim().split('\n').pop() ?? '';
  const [secs, kb] = last.split(' ').map(Number);
  if (secs === undefined || kb === undefined || Number.isNaN(secs)) throw new Error(`${run.name}: cannot read timing from: ${r.stderr.slice(-500)}`);
  return { seconds: secs, rssMb: kb / 1024 };
}

/**
 * The runs take turns (one of each, then again), so that a slow spell of the machine (this one varies
 * by 10–20 % over minutes) falls on all of them alike rather than on whichever ran then.
 */
function measureAll(list: readonly Run[]): Measure[] {
  const times = list.map(() => [] as number[]);
  const rss = list.map(() => 0);
  for (let i = 0; i < runs; i++) {
    list.forEach((run, k) => {
      const { seconds, rssMb } = timeOnce(run);
      (times[k] as number[]).push(seconds);
      rss[k] = Math.max(rss[k] as number, rssMb);
    });
  }
  return list.map((run, k) => {
    const sorted = (times[k] as number[]).sort((a, b) => a - b);
    return { name: run.name, seconds: sorted[Math.floor(sorted.length / 2)] as number, rssMb: rss[k] as number };
  });
}

const list: Run[] = [
  { name: 'plain read of every file (I/O floor)', cmd: ['node', readAll, corpus], cwd: PACKAGE_ROOT },
  { name: 'keysweep scan (all cores)', cmd: ['node', cli, 'scan', corpus, '--no-default-excludes', '-q', '--format', 'json', '-o', '/dev/null'], cwd: PACKAGE_ROOT },
  { name: 'keysweep scan --threads 1', cmd: ['node', cli, 'scan', corpus, '--no-default-excludes', '-q', '--threads', '1', '--format', 'json', '-o', '/dev/null'], cwd: PACKAGE_ROOT },
];
if (process.env.BENCH_SKIP_SECRETLINT !== '1') {
  // secretlint only accepts files below its working folder, and skips dot-folders: run it from inside.
  list.push({ name: 'secretlint (preset-recommend)', cmd: [secretlintBin, '--secretlintrc', secretlintrc, '--format', 'json', '--no-maskSecrets', '**/*'], cwd: corpus });
}
const results = measureAll(list);

console.log(`whole process: ${(bytes / 1e6).toFixed(1)} MB corpus (${corpus}), median of ${runs} runs`);
console.log('| run | seconds | MB/s | peak RSS (MB) |');
console.log('| --- | ---: | ---: | ---: |');
for (const r of results) {
  console.log(`| ${r.name} | ${r.seconds.toFixed(2)} | ${(bytes / 1e6 / r.seconds).toFixed(1)} | ${r.rssMb.toFixed(0)} |`);
}
const ks = results.find((r) => r.name.startsWith('keysweep scan (all'));
const sl = results.find((r) => r.name.startsWith('secretlint'));
if (ks && sl) console.log(`keysweep is ${(sl.seconds / ks.seconds).toFixed(1)}× secretlint's throughput`);
