import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { base62, crc32 } from '../src/detect/checksums/crc32.js';
import { CLI_BIN, PACKAGE_ROOT } from '../src/util/paths.js';

/**
 * Flat memory, whole process: one 2 GB file (log-like lines, a few secrets, one minified multi-MB line)
 * and a folder of 100,000 small files. Prints wall time, peak RSS (GNU time) and the findings count,
 * which must equal the number of secrets planted.
 *
 *   BENCH_BIG_MB (default 2048), BENCH_SMALL_FILES (default 100000)
 */
const dir = join(PACKAGE_ROOT, 'bench', '.corpus-memory');
const bigMb = Number(process.env.BENCH_BIG_MB ?? 2048);
const smallFiles = Number(process.env.BENCH_SMALL_FILES ?? 100_000);
const cli = CLI_BIN;

function token(i: number): string {
  const body = `${String(i).padStart(6, '0')}Qy2Jo6s2PAU5sKSKkIBBUaWx`;
  return `ghp_${body}${base62(crc32(body), 6)}`;
}

function buildBig(file: string): number {
  const expected = Array.from({ length: bigMb }, (_, mb) => mb % 256 === 100).filter(Boolean).length + (bigMb > 512 ? 1 : 0);
  if (existsSync(file)) return expected;
  const fd = openSync(file, 'w');
  const line = '2026-11-01T10:00:00Z INFO request served path=/api/v1/items status=200 duration_ms=12 user=anonymous\n';
  const block = line.repeat(Math.floor((1 << 20) / line.length));
  let planted = 0;
  for (let mb = 0; mb < bigMb; mb++) {
    writeSync(fd, block);
    if (mb % 256 === 100) writeSync(fd, `2026-11-01T10:00:01Z DEBUG config token=${token(planted++)}\n`);
    if (mb === 512) writeSync(fd, `${'x=1;'.repeat(1 << 20)}var t="${token(planted++)}";\n`);
  }
  closeSync(fd);
  return planted;
}

function buildSmall(folder: string): number {
  if (existsSync(join(folder, 'done'))) return Array.from({ length: smallFiles }, (_, i) => i % 1000 === 7).filter(Boolean).length;
  let planted = 0;
  for (let i = 0; i < smallFiles; i++) {
    const sub = join(folder, String(Math.floor(i / 1000)));
    if (i % 1000 === 0) mkdirSync(sub, { recursive: true });
    const fd = openSync(join(sub, `f${i}.ts`), 'w');
    writeSync(fd, `export const value${i} = ${i};\n${i % 1000 === 7 ? `const t = "${token(planted++)}";\n` : ''}`);
    closeSync(fd);
  }
  closeSync(openSync(join(folder, 'done'), 'w'));
  return planted;
}

function run(label: string, target: string, planted: number): void {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', 'node', cli, 'scan', target, '-q', '--format', 'json'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const [secs, kb] = (r.stderr.trim().split('\n').pop() ?? '').split(' ').map(Number);
  const findings = (JSON.parse(r.stdout) as { findings: unknown[] }).findings.length;
  console.log(`| ${label} | ${secs?.toFixed(1)} | ${((kb ?? 0) / 1024).toFixed(0)} | ${findings} of ${planted} |`);
}

mkdirSync(dir, { recursive: true });
const big = join(dir, 'big.log');
const plantedBig = buildBig(big);
const small = join(dir, 'small');
const plantedSmall = buildSmall(small);
console.log('| input | seconds | peak RSS (MB) | findings |');
console.log('| --- | ---: | ---: | ---: |');
run(`one ${bigMb} MB file`, big, plantedBig);
run(`${smallFiles} small files`, small, plantedSmall);
