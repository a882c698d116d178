import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_BIN, PACKAGE_ROOT } from '../src/util/paths.js';
import { ensureCorpus } from './corpus.js';

/**
 * Whole-process runs on the same corpus, side by side: a plain read of every file (the I/O floor),
 * keysweep (all cores and one thread), and secretlint with its recommended preset. Reports the median
 * wall time of a few runs, MB/s and peak RSS (GNU time).
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

function measure(name: string, cmd: string[], cwd = PACKAGE_ROOT): Measure {
  const times: number[] = [];
  let rss = 0;
  for (let i = 0; i < runs; i++) {
    const r = spawnSync('/usr/bin/time', ['-f', '%e %M', ...cmd], { cwd, encoding: 'utf8', maxBuffer: 1 << 30 });
    const last = r.stderr.trim().split('\n').pop() ?? '';
    const [secs, kb] = last.split(' ').map(Number);
    if (secs === undefined || kb === undefined || Number.isNaN(secs)) throw new Error(`${name}: cannot read timing from: ${r.stderr.slice(-500)}`);
    times.push(secs);
    rss = Math.max(rss, kb / 1024);
  }
  times.sort((a, b) => a - b);
  return { name, seconds: times[Math.floor(times.length / 2)] as number, rssMb: rss };
}

const results: Measure[] = [
  measure('plain read of every file (I/O floor)', ['node', readAll, corpus]),
  measure('keysweep scan (all cores)', ['node', cli, 'scan', corpus, '--no-default-excludes', '-q', '--format', 'json', '-o', '/dev/null']),
  measure('keysweep scan --threads 1', ['node', cli, 'scan', corpus, '--no-default-excludes', '-q', '--threads', '1', '--format', 'json', '-o', '/dev/null']),
];
if (process.env.BENCH_SKIP_SECRETLINT !== '1') {
  // secretlint only accepts files below its working folder, and skips dot-folders: run it from inside.
  results.push(measure('secretlint (preset-recommend)', [secretlintBin, '--secretlintrc', secretlintrc, '--format', 'json', '--no-maskSecrets', '**/*'], corpus));
}

console.log(`whole process: ${(bytes / 1e6).toFixed(1)} MB corpus (${corpus}), median of ${runs} runs`);
console.log('| run | seconds | MB/s | peak RSS (MB) |');
console.log('| --- | ---: | ---: | ---: |');
for (const r of results) {
  console.log(`| ${r.name} | ${r.seconds.toFixed(2)} | ${(bytes / 1e6 / r.seconds).toFixed(1)} | ${r.rssMb.toFixed(0)} |`);
}
const ks = results.find((r) => r.name.startsWith('keysweep scan (all'));
const sl = results.find((r) => r.name.startsWith('secretlint'));
if (ks && sl) console.log(`keysweep is ${(sl.seconds / ks.seconds).toFixed(1)}× secretlint's throughput`);
