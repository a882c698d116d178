import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRuleSet } from '../../src/detect/rule-set.js';
import { scanPaths, type ScanOptions } from '../../src/scan/index.js';
import { WorkerPool } from '../../src/scan/pool.js';
import { NO_SUPPRESSIONS } from '../../src/commands/verify.js';
import { githubToken, tempDir } from '../helpers.js';

describe('helper threads joining a scan', () => {
  it('by default, join once the work left is worth it, and find what one thread finds', async () => {
    const dir = tempDir();
    const filler = 'const value = compute(input, options);\n'.repeat(500);
    for (let i = 0; i < 400; i++) {
      mkdirSync(join(dir, `d${i % 5}`), { recursive: true });
      writeFileSync(join(dir, `d${i % 5}`, `f${i}.txt`), i % 10 === 0 ? `${filler}GH=${githubToken()}\n` : `${filler}nothing ${i}\n`);
    }
    const rules = loadRuleSet();
    const base: ScanOptions = { paths: [dir], rules, excludes: [], maxFileSize: 0, threads: 1, showSecrets: false, suppressions: NO_SUPPRESSIONS };
    const one = await scanPaths(base);
    expect(one.findings).toHaveLength(40);

    // A helper made ready first, so that it could join before this short scan is over.
    const readyHelper = async () => {
      const pool = new WorkerPool(1);
      pool.start({ rules: rules.map((r) => r.toSpec()), options: {} }, () => undefined, () => undefined);
      while (!pool.hasRoom()) await new Promise((resolve) => setTimeout(resolve, 10));
      return pool;
    };

    // Joining at once (as on a long scan): the helper takes batches, and nothing is lost or doubled.
    const eager = await readyHelper();
    const joined = await scanPaths({ ...base, threads: 2, helpers: eager, helperTiming: { afterMs: 0, payoffMs: 0 } });
    expect(eager.batchesOffered).toBeGreaterThan(0);
    expect(joined.findings).toEqual(one.findings);
    expect(joined.summary.filesScanned).toBe(400);

    // A scan shorter than the payoff: the helper is never used.
    const idle = await readyHelper();
    const alone = await scanPaths({ ...base, threads: 2, helpers: idle, helperTiming: { afterMs: 0, payoffMs: 60_000 } });
    expect(idle.batchesOffered).toBe(0);
    expect(alone.findings).toEqual(one.findings);
  }, 60_000);
});
