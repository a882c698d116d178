import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixtureRepo } from '../git/git-fixture.js';
import { githubToken } from '../helpers.js';
import { checkout, FakeGitHub, mergeRef, runAction, type ActionRun } from './harness.js';

/** A pull_request event payload as GitHub sends it (the fields the action reads, and a few more). */
function prPayload(o: { number: number; base: string; head: string; commits: number; action?: string; headRepo?: string | null; before?: string }) {
  const repo = { full_name: 'acme/app', name: 'app', owner: { login: 'acme' }, default_branch: 'main' };
  return {
    action: o.action ?? 'opened',
    number: o.number,
    ...(o.before ? { before: o.before, after: o.head } : {}),
    pull_request: {
      number: o.number,
      state: 'open',
      commits: o.commits,
      base: { ref: 'main', sha: o.base, repo },
      head: { ref: 'feature', sha: o.head, repo: o.headRepo === null ? null : { ...repo, full_name: o.headRepo ?? 'acme/app' } },
    },
    repository: repo,
    sender: { login: 'dev' },
  };
}

/** Where a secret may appear in the output: nowhere but the runner's mask commands. */
function expectNeverPrinted(run: ActionRun, secret: string): void {
  const lines = `${run.stdout}\n${run.stderr}`.split('\n').filter((l) => l.includes(secret));
  expect(lines.every((l) => l === `::add-mask::${secret}`)).toBe(true);
  expect(run.summary).not.toContain(secret);
  expect(JSON.stringify(run.outputs)).not.toContain(secret);
  expect(JSON.stringify(run.sarif)).not.toContain(secret);
  // Masked before the first line that says anything about the findings.
  const mask = run.stdout.indexOf(`::add-mask::${secret}`);
  const firstReport = run.stdout.search(/^::(error|warning|notice) /m);
  expect(mask).toBeGreaterThanOrEqual(0);
  if (firstReport >= 0) expect(mask).toBeLessThan(firstReport);
}

describe('keysweep action: pull_request', () => {
  let api: FakeGitHub;
  let apiUrl: string;
  beforeEach(async () => {
    api = new FakeGitHub();
    apiUrl = await api.start();
  });
  afterEach(() => api.stop());

  /**
   * main: c0 (an old secret) — fork point — m1 (a secret on main after the branch left)
   * feature: f1 adds KEEP and GONE, f2 removes GONE, f3 touches a harmless file
   */
  function scenario() {
    const origin = new FixtureRepo();
    const old = githubToken();
    origin.commit('base', { 'README.md': 'hello\n', 'old.env': `OLD=${old}\n` });
    for (let i = 0; i < 5; i++) origin.commit(`main ${i}`, { 'log.txt': `${i}\n` });
    const fork = origin.git('rev-parse', 'HEAD');
    origin.git('checkout', '-q', '-b', 'feature');
    const [keep, gone] = [githubToken(), githubToken()];
    const f1 = origin.commit('add config', { 'config/app.env': `# app\nTOKEN=${keep}\n`, 'tmp.env': `X=${gone}\n` });
    origin.git('rm', '-q', 'tmp.env');
    const f2 = origin.commit('oops, remove tmp');
    const f3 = origin.commit('docs', { 'docs.md': 'docs\n' });
    origin.git('checkout', '-q', 'main');
    const onMain = githubToken();
    origin.commit('main moves on', { 'main.env': `M=${onMain}\n` });
    const base = origin.git('rev-parse', 'HEAD');
    const merge = mergeRef(origin, 7, base, f3);
    return { origin, fork, base, head: f3, merge, commits: [f1, f2, f3], keep, gone, old, onMain };
  }

  it('scans exactly the pull request commits from a depth-1 checkout of the merge ref, and comments once', async () => {
    const s = scenario();
    const ws = checkout(s.origin, s.merge, { ref: 'refs/pull/7/merge' });
    expect(ws.git('rev-parse', '--is-shallow-repository')).toBe('true');
    const payload = prPayload({ number: 7, base: s.base, head: s.head, commits: 3 });
    const inputs = { comment: 'on', 'github-token': 'ghs_test-token' };
    const run = await runAction({ event: 'pull_request', payload, workspace: ws.dir, inputs, env: { GITHUB_API_URL: apiUrl } });

    expect(run.code, run.stdout + run.stderr).toBe(1);
    // The checkout was deepened to the merge base, not unshallowed.
    expect(run.stdout).toMatch(/git fetch --deepen=\d+ origin /);
    expect(run.stdout).not.toContain('--unshallow');

    // Exactly the PR's commits, oldest first.
    expect(run.outputs.commits).toBe(s.commits.join(' '));
    expect(run.outputs['commit-count']).toBe('3');
    expect(run.outputs.scanned).toContain(`merge base ${s.fork.slice(0, 7)}`);
    // What the PR leaves in the code, and what it committed and took out again; nothing from main.
    expect(run.outputs.findings).toBe('2');
    expect(run.outputs.live).toBe('0');
    const errors = run.annotations.filter((a) => a.props.file);
    expect(errors.map((a) => [a.level, a.props.file, a.props.line, a.props.col])).toEqual([
      ['error', 'config/app.env', '2', '7'],
      ['error', 'tmp.env', '1', '3'],
    ]);
    expect(errors[1]?.message).toContain(`added in commit ${s.commits[0]?.slice(0, 7)} and removed in ${s.commits[1]?.slice(0, 7)}`);
    expect(run.annotations.some((a) => a.level === 'error' && !a.props.file && a.message.includes('2 secret finding(s)'))).toBe(true);
    for (const secret of [s.keep, s.gone]) expectNeverPrinted(run, secret);
    for (const secret of [s.old, s.onMain]) expect(run.stdout).not.toContain(secret);

    // Job summary: what was scanned, the commits, a table of redacted findings.
    expect(run.summary).toContain('🚨 keysweep: 2 secret finding(s)');
    for (const c of s.commits) expect(run.summary).toContain(`<code>${c}</code>`);
    expect(run.summary).toMatch(/<code>config\/app\.env:2<\/code>\]\(https:\/\/github\.example\/acme\/app\/blob\/[0-9a-f]{40}\/config\/app\.env#L2\)/);
    expect(run.summary).toContain(`<code>${s.keep.slice(0, 8)}…#`);

    // SARIF for upload-sarif.
    const results = run.sarif?.runs[0]?.results ?? [];
    expect(results.map((r) => [r.ruleId, r.locations[0]?.physicalLocation.artifactLocation.uri, r.locations[0]?.physicalLocation.region.startLine])).toEqual([
      ['github.pat-classic', 'config/app.env', 2],
      ['github.pat-classic', 'tmp.env', 1],
    ]);

    // One comment, created through GITHUB_API_URL with the token.
    expect(api.calls.map((c) => `${c.method} ${c.path.replace(/\?.*/, '')}`)).toEqual(['GET /repos/acme/app/issues/7/comments', 'POST /repos/acme/app/issues/7/comments']);
    expect(api.calls[1]?.authorization).toBe('token ghs_test-token');
    expect(api.comments).toHaveLength(1);
    expect(api.comments[0]?.body).toContain('<!-- keysweep:pr-comment -->');
    expect(api.comments[0]?.body).toContain('config/app.env:2');
    expect(api.comments[0]?.body).not.toContain(s.keep);

    // A re-run updates that comment in place instead of adding another.
    const again = await runAction({ event: 'pull_request', payload, workspace: ws.dir, inputs, env: { GITHUB_API_URL: apiUrl } });
    expect(again.code).toBe(1);
    expect(again.outputs.commits).toBe(s.commits.join(' '));
    expect(api.calls.slice(2).map((c) => c.method)).toEqual(['GET']);
    expect(api.comments).toHaveLength(1);
  });

  it('updates its comment to all clear once the secrets are gone (comment: on-failure)', async () => {
    const origin = new FixtureRepo();
    origin.commit('base', { 'a.txt': 'a\n' });
    const base = origin.git('rev-parse', 'HEAD');
    origin.git('checkout', '-q', '-b', 'feature');
    const head1 = origin.commit('leak', { 'k.env': `K=${githubToken()}\n` });
    const inputs = { comment: 'on-failure', 'github-token': 't' };
    const ws1 = checkout(origin, mergeRef(origin, 3, base, head1), { ref: 'refs/pull/3/merge' });
    const first = await runAction({ event: 'pull_request', payload: prPayload({ number: 3, base, head: head1, commits: 1 }), workspace: ws1.dir, inputs, env: { GITHUB_API_URL: apiUrl } });
    expect(first.code).toBe(1);
    expect(api.comments).toHaveLength(1);

    // Force-pushed without the secret: the comment says so, in place.
    origin.git('reset', '-q', '--hard', base);
    const head2 = origin.commit('no leak', { 'k.env': 'K=from-the-vault\n' });
    const ws2 = checkout(origin, mergeRef(origin, 3, base, head2), { ref: 'refs/pull/3/merge' });
    const second = await runAction({ event: 'pull_request', payload: prPayload({ number: 3, base, head: head2, commits: 1, action: 'synchronize', before: head1 }), workspace: ws2.dir, inputs, env: { GITHUB_API_URL: apiUrl } });
    expect(second.code).toBe(0);
    expect(second.outputs.findings).toBe('0');
    expect(api.comments).toHaveLength(1);
    expect(api.comments[0]?.body).toContain('no secrets found');
    expect(api.calls.filter((c) => c.method === 'POST')).toHaveLength(1);
    expect(api.calls.filter((c) => c.method === 'PATCH')).toHaveLength(1);
  });

  it('after a force push (synchronize), scans the new commits only', async () => {
    const origin = new FixtureRepo();
    origin.commit('base', { 'a.txt': 'a\n' });
    origin.git('checkout', '-q', '-b', 'feature');
    const discarded = githubToken();
    const old1 = origin.commit('first try', { 'try.env': `T=${discarded}\n` });
    origin.git('checkout', '-q', 'main');
    const mainSecret = githubToken();
    origin.commit('main: more', { 'main.env': `M=${mainSecret}\n` });
    const base = origin.git('rev-parse', 'HEAD');
    // The branch is rebuilt on the new main and force-pushed.
    origin.git('checkout', '-q', '-B', 'feature', base);
    const kept = githubToken();
    const n1 = origin.commit('second try', { 'try.env': `T=${kept}\n` });
    const n2 = origin.commit('tidy', { 'b.txt': 'b\n' });
    const ws = checkout(origin, mergeRef(origin, 9, base, n2), { ref: 'refs/pull/9/merge' });

    const run = await runAction({ event: 'pull_request', payload: prPayload({ number: 9, base, head: n2, commits: 2, action: 'synchronize', before: old1 }), workspace: ws.dir });
    expect(run.code, run.stdout).toBe(1);
    expect(run.outputs.commits).toBe(`${n1} ${n2}`);
    expect(run.outputs.findings).toBe('1');
    expect(run.annotations.filter((a) => a.props.file).map((a) => [a.props.file, a.props.line])).toEqual([['try.env', '1']]);
    expect(run.stdout).toContain(`::add-mask::${kept}`);
    expect(run.stdout).not.toContain(discarded);
    expect(run.stdout).not.toContain(mainSecret);
  });

  it('ignores what merging the base branch into the pull request brings along', async () => {
    const origin = new FixtureRepo();
    origin.commit('base', { 'a.txt': 'a\n' });
    const fork = origin.git('rev-parse', 'HEAD');
    origin.git('checkout', '-q', '-b', 'feature');
    const own = githubToken();
    origin.commit('feature work', { 'f.env': `F=${own}\n` });
    origin.git('checkout', '-q', 'main');
    const fromMain = githubToken();
    origin.commit('main leak', { 'm.env': `M=${fromMain}\n` });
    const base = origin.git('rev-parse', 'HEAD');
    origin.git('checkout', '-q', 'feature');
    origin.git('merge', '-q', '--no-edit', 'main');
    const head = origin.git('rev-parse', 'HEAD');
    const ws = checkout(origin, mergeRef(origin, 5, base, head), { ref: 'refs/pull/5/merge' });

    const run = await runAction({ event: 'pull_request', payload: prPayload({ number: 5, base, head, commits: 2 }), workspace: ws.dir });
    expect(run.outputs.findings, run.stdout).toBe('1');
    expect(run.stdout).toContain(`::add-mask::${own}`);
    expect(run.stdout).not.toContain(fromMain);
    expect(run.outputs.scanned).toContain(`merge base ${base.slice(0, 7)}`);
    expect(run.outputs.commits?.split(' ')).not.toContain(fork);
  });

  it('from a fork: scans and reports, skips verification and the comment with a notice', async () => {
    const origin = new FixtureRepo();
    origin.commit('base', { 'a.txt': 'a\n' });
    const base = origin.git('rev-parse', 'HEAD');
    origin.git('checkout', '-q', '-b', 'feature');
    const secret = githubToken();
    const head = origin.commit('contribution', { 'c.env': `C=${secret}\n` });
    const ws = checkout(origin, mergeRef(origin, 11, base, head), { ref: 'refs/pull/11/merge' });
    const verifier = 'http://127.0.0.1:9'; // would fail loudly if it were called

    const run = await runAction({
      event: 'pull_request',
      payload: prPayload({ number: 11, base, head, commits: 1, headRepo: 'stranger/app' }),
      workspace: ws.dir,
      inputs: { comment: 'on', verify: 'true', 'fail-on': 'live', 'github-token': 'read-only' },
      env: { GITHUB_API_URL: apiUrl, KEYSWEEP_ENDPOINT_GITHUB: verifier },
    });
    expect(run.outputs.findings).toBe('1');
    expect(run.annotations.filter((a) => a.props.file).map((a) => a.props.file)).toEqual(['c.env']);
    expect(run.annotations.filter((a) => a.level === 'notice').map((a) => a.message)).toEqual([
      'keysweep: pull request from a fork: verification and comments are skipped (findings are still reported)',
      'keysweep: pull request from a fork: no comment (its token is read-only); see the job summary',
    ]);
    expect(run.summary).toContain('comes from a fork');
    // fail-on: live cannot be decided without verification: any finding fails.
    expect(run.summary).toContain('failing on any finding instead');
    expect(run.code).toBe(1);
    expect(api.calls).toEqual([]);
    expect(run.outputs.live).toBe('0');
  });
});

describe('keysweep action: pull_request_target', () => {
  it('fetches the head commits of a fork by sha into a checkout of the base branch, and reads them only', async () => {
    const origin = new FixtureRepo();
    origin.commit('base', { 'a.txt': 'a\n' });
    const base = origin.git('rev-parse', 'HEAD');
    origin.git('checkout', '-q', '-b', 'contrib');
    const secret = githubToken();
    const head = origin.commit('contribution', { 'c.env': `C=${secret}\n` });
    origin.git('checkout', '-q', 'main');
    origin.git('update-ref', 'refs/pull/12/head', head);
    origin.git('branch', '-q', '-D', 'contrib');
    // pull_request_target checks out the base branch, not the pull request.
    const ws = checkout(origin, base, { ref: 'refs/heads/main' });
    expect(ws.git('cat-file', '-t', base)).toBe('commit');

    const run = await runAction({ event: 'pull_request_target', payload: prPayload({ number: 12, base, head, commits: 1, headRepo: 'stranger/app' }), workspace: ws.dir, inputs: { comment: 'on' } });
    expect(run.code, run.stdout).toBe(1);
    expect(run.outputs.commits).toBe(head);
    expect(run.annotations.filter((a) => a.props.file).map((a) => a.props.file)).toEqual(['c.env']);
    expect(run.stdout).toContain('pull request from a fork: no comment');
    // The working tree is still the base branch's.
    expect(ws.git('rev-parse', 'HEAD')).toBe(base);
  });
});
