import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI_BIN } from '../../src/util/paths.js';
import { githubToken, tempDir } from '../helpers.js';

/**
 * The bundled CLI that `npm ci` builds and the bin link, the pre-commit hook and CI run: the tests
 * above call the sources in-process, so this checks that the bundle itself works as shipped.
 */
function bin(args: string[], cwd?: string) {
  return spawnSync(process.execPath, [CLI_BIN, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
}

describe('the bundled bin (dist/bin/keysweep.cjs)', () => {
  it('prints its version and finds a secret, inline and with matching threads', () => {
    expect(bin(['version']).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    const dir = tempDir();
    const token = githubToken();
    writeFileSync(join(dir, 'a.env'), `GH=${token}\n`);
    // Enough (about 20 MB) that the scan goes to worker threads (dist/bin/worker.cjs), which start
    // before it ends.
    const filler = 'nothing to see here, move along\n'.repeat(1000);
    for (let i = 0; i < 600; i++) writeFileSync(join(dir, `f${i}.txt`), filler);
    for (const threads of ['1', '2']) {
      const r = bin(['scan', dir, '--format', 'json', '--threads', threads]);
      expect(r.status, r.stderr).toBe(1);
      const report = JSON.parse(r.stdout) as { findings: Array<{ ruleId: string; file: string }>; summary: { filesScanned: number } };
      expect(report.findings.map((f) => [f.ruleId, f.file])).toEqual([['github.pat-classic', join(dir, 'a.env')]]);
      expect(report.summary.filesScanned).toBe(601);
      expect(r.stdout + r.stderr).not.toContain(token);
    }
  });

  it('loads the commands kept out of the start-up path: rules, verifiers (with code verifiers), action', () => {
    expect(bin(['rules', 'list', '--format', 'json']).status).toBe(0);
    const verifiers = bin(['verifiers', 'list']);
    expect(verifiers.status, verifiers.stderr).toBe(0);
    expect(verifiers.stdout).toContain('aws.');
    const action = bin(['action'], tempDir());
    // Outside GitHub Actions it says what is missing, which means its module loaded.
    expect(action.stderr + action.stdout).toMatch(/GITHUB_|INPUT_|event/i);
  });
});
