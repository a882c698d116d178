import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { githubToken, runCli } from '../helpers.js';
import { FixtureRepo } from './git-fixture.js';

interface DiffFinding {
  file: string;
  line: number;
  column: number;
  secret: string;
  origin: { kind: string; range: string; path: string };
}

async function scan(args: string[], stdin?: string): Promise<{ code: number; findings: DiffFinding[]; stderr: string }> {
  const r = await runCli(['scan', '--format', 'json', '--show-secrets', ...args], stdin);
  if (r.code === 2) throw new Error(r.stderr);
  return { code: r.code, findings: (JSON.parse(r.stdout) as { findings: DiffFinding[] }).findings, stderr: r.stderr };
}

describe('keysweep scan --diff', () => {
  it('reports only secrets on added lines, with line numbers in the new file', async () => {
    const repo = new FixtureRepo();
    const [old, kept, added] = [githubToken(), githubToken(), githubToken()];
    repo.commit('base', { 'conf.env': `A=${old}\nB=${kept}\nC=3\n`, 'gone.env': `X=${githubToken()}\n` });
    const base = repo.git('rev-parse', 'HEAD');
    repo.git('rm', '-q', 'gone.env');
    repo.commit('change', { 'conf.env': `# header\nB=${kept}\nC=3\nD=${added}\n` });
    const { code, findings } = await scan([repo.dir, '--diff', `${base}..HEAD`]);
    expect(code).toBe(1);
    expect(findings.map((f) => [f.file, f.line, f.column, f.secret, f.origin.range])).toEqual([['conf.env', 4, 3, added, `${base}..HEAD`]]);
  });

  it('supports BASE...HEAD (from the merge base) for pull requests', async () => {
    const repo = new FixtureRepo();
    repo.commit('base', { 'a.txt': 'a\n' });
    repo.git('checkout', '-q', '-b', 'feature');
    const secret = githubToken();
    repo.commit('feature', { 'f.env': `K=${secret}\n` });
    repo.git('checkout', '-q', 'main');
    repo.commit('main moves on', { 'm.env': `M=${githubToken()}\n` });
    const { findings } = await scan([repo.dir, '--diff', 'main...feature']);
    expect(findings.map((f) => [f.file, f.secret])).toEqual([['f.env', secret]]);
  });

  it('scans a unified diff on stdin', async () => {
    const repo = new FixtureRepo();
    const secret = githubToken();
    repo.commit('base', { 'a.py': 'x = 1\ny = 2\nz = 3\n' });
    repo.write({ 'a.py': `x = 1\ny = 2\ntoken = "${secret}"\nz = 3\n`, 'new file.txt': `first\nGH=${secret}\n` });
    repo.git('add', '-A');
    const patch = execFileSync('git', ['diff', '--cached'], { cwd: repo.dir, encoding: 'utf8' });
    const { findings } = await scan(['--diff', '-'], patch);
    expect(findings.map((f) => [f.file, f.line, f.column])).toEqual([
      ['a.py', 3, 10],
      ['new file.txt', 2, 4],
    ]);
  });

  it('rejects a range that does not resolve', async () => {
    const repo = new FixtureRepo();
    repo.commit('base', { 'a.txt': 'a\n' });
    const r = await runCli(['scan', repo.dir, '--diff', 'nope..HEAD']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/"nope" is not a commit/);
  });
});

describe('keysweep scan --staged', () => {
  it('checks what the index is about to commit, not the working tree', async () => {
    const repo = new FixtureRepo();
    repo.commit('base', { 'a.txt': 'a\n' });
    const staged = githubToken();
    repo.write({ 'stage.env': `S=${staged}\n` });
    repo.git('add', 'stage.env');
    repo.write({ 'unstaged.env': `U=${githubToken()}\n` });
    const { code, findings } = await scan([repo.dir, '--staged']);
    expect(code).toBe(1);
    expect(findings.map((f) => [f.file, f.line, f.secret, f.origin.kind])).toEqual([['stage.env', 1, staged, 'diff']]);
  });

  it('reads the index version of a file edited after `git add`, whichever way the edit went', async () => {
    const repo = new FixtureRepo();
    repo.commit('base', { 'a.txt': 'a\n', 'b.txt': 'b\n' });
    const staged = githubToken();
    // Staged with a secret, then the secret removed from the working tree only: still committed.
    repo.write({ 'a.txt': `a\nS=${staged}\n` });
    repo.git('add', 'a.txt');
    repo.write({ 'a.txt': 'a\nS=removed\n' });
    // Staged clean, then a secret added to the working tree only: not committed.
    repo.write({ 'b.txt': 'b\nclean\n' });
    repo.git('add', 'b.txt');
    repo.write({ 'b.txt': `b\nS=${githubToken()}\n` });
    const { findings } = await scan([repo.dir, '--staged']);
    expect(findings.map((f) => [f.file, f.line, f.secret])).toEqual([['a.txt', 2, staged]]);
    // And the same, unchanged files read from the working tree (the fast path).
    repo.write({ 'a.txt': `a\nS=${staged}\n`, 'b.txt': 'b\nclean\n' });
    expect((await scan([repo.dir, '--staged'])).findings.map((f) => [f.file, f.line, f.secret])).toEqual([['a.txt', 2, staged]]);
  });

  it('passes when nothing staged holds a secret', async () => {
    const repo = new FixtureRepo();
    repo.commit('base', { 'a.txt': 'a\n' });
    repo.write({ 'b.txt': 'clean\n' });
    repo.git('add', 'b.txt');
    expect((await scan([repo.dir, '--staged'])).code).toBe(0);
  });
});
