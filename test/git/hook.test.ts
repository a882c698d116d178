import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { githubToken, runCli } from '../helpers.js';
import { FixtureRepo } from './git-fixture.js';

function commit(repo: FixtureRepo): { status: number; stderr: string; stdout: string } {
  const r = spawnSync('git', ['commit', '-q', '-m', 'try'], { cwd: repo.dir, encoding: 'utf8', env: { ...process.env, HOME: repo.dir } });
  return { status: r.status ?? -1, stderr: r.stderr, stdout: r.stdout };
}

describe('keysweep hook', () => {
  it('installs a pre-commit hook that blocks a staged secret and explains the ways out', async () => {
    const repo = new FixtureRepo();
    repo.commit('base', { 'a.txt': 'a\n' });
    expect((await runCli(['hook', 'install', repo.dir])).code).toBe(0);
    const token = githubToken();
    repo.write({ 'conf.env': `GH=${token}\n` });
    repo.git('add', 'conf.env');
    const blocked = commit(repo);
    expect(blocked.status).toBe(1);
    const out = blocked.stdout + blocked.stderr;
    expect(out).toContain('conf.env:1:4');
    expect(out).toContain('keysweep blocked this commit');
    expect(out).toContain('keysweep:allow');
    expect(out).toMatch(/echo 'conf\.env:github\.pat-classic:[0-9a-f]{16}' >> \.keysweepignore/);
    expect(out).not.toContain(token);

    repo.write({ 'conf.env': `GH=${token} # keysweep:allow\n` });
    repo.git('add', 'conf.env');
    expect(commit(repo).status).toBe(0);
  });

  it('chains to an existing hook instead of overwriting it, and uninstall restores it', async () => {
    const repo = new FixtureRepo();
    repo.commit('base', { 'a.txt': 'a\n' });
    const hook = join(repo.dir, '.git', 'hooks', 'pre-commit');
    writeFileSync(hook, '#!/bin/sh\necho previous-hook-ran >&2\n');
    chmodSync(hook, 0o755);
    await runCli(['hook', 'install', repo.dir]);
    expect(readFileSync(join(repo.dir, '.git', 'hooks', 'pre-commit.keysweep-chained'), 'utf8')).toContain('previous-hook-ran');
    repo.write({ 'b.txt': 'fine\n' });
    repo.git('add', 'b.txt');
    const ok = commit(repo);
    expect(ok.status).toBe(0);
    expect(ok.stderr).toContain('previous-hook-ran');
    await runCli(['hook', 'uninstall', repo.dir]);
    expect(readFileSync(hook, 'utf8')).toContain('previous-hook-ran');
    expect(existsSync(join(repo.dir, '.git', 'hooks', 'pre-commit.keysweep-chained'))).toBe(false);
  });

  it('respects core.hooksPath and replaces a foreign hook only with --force', async () => {
    const repo = new FixtureRepo();
    repo.commit('base', { 'a.txt': 'a\n' });
    mkdirSync(join(repo.dir, '.githooks'));
    repo.git('config', 'core.hooksPath', '.githooks');
    writeFileSync(join(repo.dir, '.githooks', 'pre-commit'), '#!/bin/sh\nexit 0\n');
    const r = await runCli(['hook', 'install', '--force', repo.dir]);
    expect(r.code).toBe(0);
    expect(readFileSync(join(repo.dir, '.githooks', 'pre-commit'), 'utf8')).toContain('keysweep-hook');
    expect(existsSync(join(repo.dir, '.githooks', 'pre-commit.keysweep-chained'))).toBe(false);
    const unrelated = await runCli(['hook', 'uninstall', repo.dir]);
    expect(unrelated.code).toBe(0);
    expect(existsSync(join(repo.dir, '.githooks', 'pre-commit'))).toBe(false);
  });
});
