import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { githubToken, runCli, tempDir } from '../helpers.js';
import { FixtureRepo } from './git-fixture.js';

interface GitFinding {
  file: string;
  line: number;
  column: number;
  secret: string;
  ruleId: string;
  origin: { kind: string; commit: string; author: string; email: string; date: string; removedIn?: string; path: string };
}

async function history(args: string[]): Promise<{ code: number; findings: GitFinding[]; summary: Record<string, unknown>; stderr: string }> {
  const r = await runCli(['scan', '--history', '--format', 'json', '--show-secrets', ...args]);
  if (r.code === 2) throw new Error(r.stderr);
  const report = JSON.parse(r.stdout) as { findings: GitFinding[]; summary: Record<string, unknown> };
  return { code: r.code, findings: report.findings, summary: report.summary, stderr: r.stderr };
}

describe('keysweep scan --history', () => {
  it('reports a secret added then removed at the commit that introduced it, and where it was removed', async () => {
    const repo = new FixtureRepo();
    const token = githubToken();
    repo.commit('first', { 'app.txt': 'a=1\n' });
    const added = repo.commit('add key', { 'app.txt': `a=1\ntoken=${token}\n` });
    repo.commit('unrelated', { 'other.txt': 'x\n' });
    const removed = repo.commit('remove key', { 'app.txt': 'a=1\n' });
    const { code, findings, summary } = await history([repo.dir]);
    expect(code).toBe(1);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      file: 'app.txt',
      line: 2,
      column: 7,
      secret: token,
      origin: { kind: 'git', commit: added, author: 'Dev One', email: 'dev@acme.io', date: '2024-01-01T00:00:02+00:00', removedIn: removed },
    });
    expect(summary.commitsScanned).toBe(4);
  });

  it('finds a secret that only exists on a side branch, and --branch narrows the walk', async () => {
    const repo = new FixtureRepo();
    const token = githubToken();
    repo.commit('base', { 'a.txt': 'a\n' });
    repo.git('checkout', '-q', '-b', 'side');
    const side = repo.commit('side work', { 'lib/conf.yml': `x: 1\ny: 2\nkey: ${token}\n` });
    repo.git('checkout', '-q', 'main');
    repo.commit('main work', { 'b.txt': 'b\n' });
    const all = await history([repo.dir]);
    expect(all.findings.map((f) => [f.file, f.line, f.origin.commit])).toEqual([['lib/conf.yml', 3, side]]);
    expect(all.findings[0]?.origin.removedIn).toBeUndefined();
    const mainOnly = await history([repo.dir, '--branch', 'main']);
    expect(mainOnly.findings).toEqual([]);
  });

  it('follows a rename without reporting the secret twice, and scans each blob once', async () => {
    const repo = new FixtureRepo();
    const token = githubToken();
    const added = repo.commit('add', { 'old/name.env': `K=${token}\n` });
    repo.git('mv', 'old/name.env', 'new-name.env');
    repo.commit('rename');
    repo.commit('revert content elsewhere', { 'copy.env': `K=${token}\n` });
    const { findings, summary } = await history([repo.dir]);
    expect(findings.map((f) => [f.file, f.origin.commit, f.origin.removedIn])).toEqual([
      ['copy.env', findings.find((f) => f.file === 'copy.env')?.origin.commit, undefined],
      ['old/name.env', added, undefined],
    ]);
    // Three commits, but the blob with the secret is read once; copy.env is the same blob.
    expect(summary.filesScanned).toBe(1);
  });

  it('attributes a secret introduced while resolving a merge to the merge commit', async () => {
    const repo = new FixtureRepo();
    const token = githubToken();
    repo.commit('base', { 'conf.txt': 'a\n' });
    repo.git('checkout', '-q', '-b', 'feature');
    repo.commit('feature', { 'conf.txt': 'feature\n' });
    repo.git('checkout', '-q', 'main');
    repo.commit('main', { 'conf.txt': 'main\n' });
    try {
      repo.git('merge', '-q', 'feature');
    } catch {
      // conflict, resolved with a new line holding the secret
    }
    repo.write({ 'conf.txt': `main\nfeature\ntoken: ${token}\n` });
    repo.git('add', 'conf.txt');
    repo.git('commit', '-q', '--no-edit');
    const merge = repo.git('rev-parse', 'HEAD');
    const { findings } = await history([repo.dir]);
    expect(findings.map((f) => [f.file, f.line, f.origin.commit])).toEqual([['conf.txt', 3, merge]]);
  });

  it('scans the first commit, a bare repository and an empty repository', async () => {
    const repo = new FixtureRepo();
    const token = githubToken();
    const first = repo.commit('only', { 'k.env': `GH=${token}\n` });
    expect((await history([repo.dir])).findings[0]?.origin.commit).toBe(first);

    const bare = tempDir();
    execFileSync('git', ['clone', '-q', '--bare', repo.dir, bare]);
    const fromBare = await history([bare]);
    expect(fromBare.findings.map((f) => f.origin.commit)).toEqual([first]);

    const empty = new FixtureRepo();
    const r = await history([empty.dir]);
    expect(r.code).toBe(0);
    expect(r.findings).toEqual([]);
  });

  it('says that a shallow clone is truncated and scans what is there', async () => {
    const repo = new FixtureRepo();
    const old = githubToken();
    const recent = githubToken();
    repo.commit('c1', { 'a.env': `OLD=${old}\n` });
    repo.commit('c2', { 'b.txt': 'x\n' });
    const c3 = repo.commit('c3', { 'c.env': `NEW=${recent}\n` });
    const shallow = tempDir();
    execFileSync('git', ['clone', '-q', '--depth', '1', `file://${repo.dir}`, shallow]);
    const { findings, stderr } = await history([shallow]);
    expect(stderr).toMatch(/shallow clone: history is truncated/);
    // The boundary commit carries the whole tree: both files are in it.
    expect(findings.map((f) => [f.file, f.origin.commit])).toEqual([
      ['a.env', c3],
      ['c.env', c3],
    ]);
  });

  it('honours --since-commit and --max-commits', async () => {
    const repo = new FixtureRepo();
    const [t1, t2] = [githubToken(), githubToken()];
    const c1 = repo.commit('c1', { 'a.env': `A=${t1}\n` });
    const c2 = repo.commit('c2', { 'b.env': `B=${t2}\n` });
    expect((await history([repo.dir, '--since-commit', c1])).findings.map((f) => f.origin.commit)).toEqual([c2]);
    expect((await history([repo.dir, '--max-commits', '1'])).findings.map((f) => f.origin.commit)).toEqual([c2]);
  });

  it('skips binary blobs, submodules and excluded paths', async () => {
    const repo = new FixtureRepo();
    const token = githubToken();
    repo.commit('c1', {
      'img.bin': Buffer.concat([Buffer.from([0, 1, 2, 0]), Buffer.from(`GH=${token}`)]),
      'node_modules/pkg/index.js': `const t = "${token}";\n`,
      'src/ok.txt': 'fine\n',
    });
    const sub = new FixtureRepo();
    sub.commit('sub', { 'x.txt': 'x\n' });
    repo.git('-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', sub.dir, 'vendor/sub');
    repo.commit('add submodule');
    const { findings, summary } = await history([repo.dir]);
    expect(findings).toEqual([]);
    expect((summary.skipped as Record<string, number>).binary).toBe(1);
  });

  it('warns about a corrupt object and goes on', async () => {
    const repo = new FixtureRepo();
    const token = githubToken();
    repo.commit('c1', { 'a.txt': 'will be lost\n' });
    const blob = repo.git('rev-parse', 'HEAD:a.txt');
    const c2 = repo.commit('c2', { 'b.env': `GH=${token}\n` });
    rmSync(join(repo.dir, '.git', 'objects', blob.slice(0, 2), blob.slice(2)));
    const { findings, stderr } = await history([repo.dir]);
    expect(stderr).toMatch(new RegExp(`a\\.txt: blob ${blob} is missing`));
    expect(findings.map((f) => f.origin.commit)).toEqual([c2]);
  });

  it('handles non-UTF-8 file names', async () => {
    const repo = new FixtureRepo();
    const token = githubToken();
    repo.commit('c1', { 'caf\u00e9 \u65e5\u672c.env': `GH=${token}\n` });
    const { findings } = await history([repo.dir]);
    expect(findings[0]?.file).toBe('caf\u00e9 \u65e5\u672c.env');
  });

  it('is an error to point --history at something that is not a repository', async () => {
    const r = await runCli(['scan', '--history', tempDir()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a git repository/);
  });

  it('--repo mirrors a repository and scans its history, never printing a token', async () => {
    const repo = new FixtureRepo();
    const token = githubToken();
    const c1 = repo.commit('c1', { 'k.env': `GH=${token}\n` });
    const r = await runCli(['scan', '--repo', `file://${repo.dir}`, '--format', 'json']);
    const report = JSON.parse(r.stdout) as { findings: GitFinding[] };
    expect(report.findings.map((f) => f.origin.commit)).toEqual([c1]);
    process.env.KEYSWEEP_GIT_TOKEN = 'tok-should-never-appear-123';
    try {
      const bad = await runCli(['scan', '--repo', 'https://user:pw@127.0.0.1:9/none.git']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).not.toContain('tok-should-never-appear-123');
      expect(bad.stderr).not.toContain('user:pw');
    } finally {
      delete process.env.KEYSWEEP_GIT_TOKEN;
    }
  });
});

describe('history matching threads', () => {
  it('finds the same findings, commits and removals when blobs are matched in threads', async () => {
    const { Matcher } = await import('../../src/detect/match.js');
    const { loadRuleSet } = await import('../../src/detect/rule-set.js');
    const { BlobPool } = await import('../../src/git/blob-pool.js');
    const { ScanCollector } = await import('../../src/scan/index.js');
    const { scanHistory } = await import('../../src/sources/git-history.js');
    const repo = new FixtureRepo();
    for (let i = 0; i < 12; i++) {
      repo.commit(`c${i}`, { [`f${i % 4}.env`]: `X=${i}\nGH=${githubToken()}\n`, 'readme.txt': `version ${i}\n` });
    }
    const rules = loadRuleSet({ enable: ['github'] });
    const run = async (threads: boolean) => {
      const collector = new ScanCollector(rules, { inline: true, fingerprints: new Set(), secretHashes: new Set(), pathGlobs: [], baseline: new Set(), allowRegexes: [], stopwords: [] });
      await scanHistory(
        new Matcher(rules),
        {
          repo: repo.dir,
          excludes: [],
          maxFileSize: 0,
          stream: {},
          poolAfterBytes: 0,
          makePool: threads ? () => new BlobPool(2, { rules: rules.map((r) => r.toSpec()), options: {} }) : undefined,
        },
        collector,
      );
      return collector.finish().findings.map((f) => [f.origin.path, f.line, f.secretHash, f.origin.kind === 'git' ? [f.origin.commit, f.origin.removedIn] : []]);
    };
    const inline = await run(false);
    expect(inline).toHaveLength(12);
    expect(await run(true)).toEqual(inline);
  });
});
