import { describe, expect, it } from 'vitest';
import { FixtureRepo } from '../git/git-fixture.js';
import { githubToken } from '../helpers.js';
import { checkout, runAction, ZEROS } from './harness.js';

/** A push event payload as GitHub sends it. */
function pushPayload(o: { ref: string; before: string; after: string; commits: string[]; created?: boolean; forced?: boolean; deleted?: boolean }) {
  return {
    ref: o.ref,
    before: o.before,
    after: o.after,
    created: o.created ?? false,
    deleted: o.deleted ?? false,
    forced: o.forced ?? false,
    base_ref: null,
    commits: o.commits.map((id) => ({ id, distinct: true, message: 'm', author: { name: 'Dev One', email: 'dev@acme.io' } })),
    head_commit: o.commits.length ? { id: o.commits[o.commits.length - 1] } : null,
    repository: { full_name: 'acme/app', name: 'app', default_branch: 'main', owner: { login: 'acme' } },
    pusher: { name: 'dev' },
  };
}

function secretFiles(run: { annotations: Array<{ props: Record<string, string> }> }): string[] {
  return run.annotations.filter((a) => a.props.file).map((a) => a.props.file as string);
}

describe('keysweep action: push', () => {
  it('a push that moves a branch forward: the pushed commits, from a depth-1 checkout', async () => {
    const origin = new FixtureRepo();
    const old = githubToken();
    origin.commit('old', { 'old.env': `O=${old}\n` });
    for (let i = 0; i < 3; i++) origin.commit(`work ${i}`, { 'w.txt': `${i}\n` });
    const before = origin.git('rev-parse', 'HEAD');
    const fresh = githubToken();
    const c1 = origin.commit('leak', { 'new.env': `N=${fresh}\n` });
    const c2 = origin.commit('more', { 'w.txt': 'more\n' });
    const ws = checkout(origin, c2, { ref: 'refs/heads/main' });

    const run = await runAction({ event: 'push', payload: pushPayload({ ref: 'refs/heads/main', before, after: c2, commits: [c1, c2] }), workspace: ws.dir });
    expect(run.code, run.stdout).toBe(1);
    expect(run.outputs.commits).toBe(`${c1} ${c2}`);
    expect(run.outputs.scanned).toContain(`${before.slice(0, 7)}..${c2.slice(0, 7)}`);
    expect(secretFiles(run)).toEqual(['new.env']);
    expect(run.annotations.find((a) => a.props.file)?.message).toContain(`added in commit ${c1.slice(0, 7)}`);
    expect(run.stdout).not.toContain(old);
    expect(run.summary).toContain(`<code>${c1}</code>`);
  });

  it('a new branch: the commits on no other branch, after fetching the default branch', async () => {
    const origin = new FixtureRepo();
    const onMain = githubToken();
    origin.commit('main', { 'm.env': `M=${onMain}\n` });
    for (let i = 0; i < 3; i++) origin.commit(`main ${i}`, { 'w.txt': `${i}\n` });
    origin.git('checkout', '-q', '-b', 'feature');
    const secret = githubToken();
    const f1 = origin.commit('feature 1', { 'f.env': `F=${secret}\n` });
    const f2 = origin.commit('feature 2', { 'g.txt': 'g\n' });
    origin.git('checkout', '-q', 'main');
    origin.commit('main later', { 'x.txt': 'x\n' });
    const ws = checkout(origin, f2, { ref: 'refs/heads/feature' });

    const run = await runAction({ event: 'push', payload: pushPayload({ ref: 'refs/heads/feature', before: ZEROS, after: f2, created: true, commits: [f1, f2] }), workspace: ws.dir });
    expect(run.code, run.stdout).toBe(1);
    expect(run.stdout).toContain('+refs/heads/main:refs/remotes/origin/main');
    expect(run.outputs.commits).toBe(`${f1} ${f2}`);
    expect(run.outputs.scanned).toContain('a new branch');
    expect(run.outputs.scanned).toContain('not on main');
    expect(secretFiles(run)).toEqual(['f.env']);
    expect(run.stdout).not.toContain(onMain);
  });

  it('a new branch with no new commits scans nothing', async () => {
    const origin = new FixtureRepo();
    origin.commit('main', { 'm.env': `M=${githubToken()}\n` });
    const head = origin.git('rev-parse', 'HEAD');
    origin.git('branch', 'copy');
    const ws = checkout(origin, head, { ref: 'refs/heads/copy' });
    const run = await runAction({ event: 'push', payload: pushPayload({ ref: 'refs/heads/copy', before: ZEROS, after: head, created: true, commits: [] }), workspace: ws.dir });
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs.findings).toBe('0');
    expect(run.outputs.commits).toBe('');
    expect(run.outputs.scanned).toContain('no new commits');
  });

  it('the first commit of a repository', async () => {
    const origin = new FixtureRepo();
    const secret = githubToken();
    const first = origin.commit('initial commit', { 'README.md': '# app\n', '.env': `GITHUB_TOKEN=${secret}\n` });
    const ws = checkout(origin, first, { ref: 'refs/heads/main' });

    const run = await runAction({ event: 'push', payload: pushPayload({ ref: 'refs/heads/main', before: ZEROS, after: first, created: true, commits: [first] }), workspace: ws.dir });
    expect(run.code, run.stdout).toBe(1);
    expect(run.outputs.commits).toBe(first);
    expect(run.outputs.scanned).toContain('all of its history');
    expect(secretFiles(run)).toEqual(['.env']);
    expect(run.stdout).toContain(`::add-mask::${secret}`);
  });

  it('the first push of a repository with several commits scans them all', async () => {
    const origin = new FixtureRepo();
    const commits = [origin.commit('one', { 'a.txt': 'a\n' }), origin.commit('two', { 'k.env': `K=${githubToken()}\n` }), origin.commit('three', { 'b.txt': 'b\n' })];
    const ws = checkout(origin, commits[2] as string, { ref: 'refs/heads/main' });
    const run = await runAction({ event: 'push', payload: pushPayload({ ref: 'refs/heads/main', before: ZEROS, after: commits[2] as string, created: true, commits }), workspace: ws.dir });
    expect(run.outputs.commits).toBe(commits.join(' '));
    expect(secretFiles(run)).toEqual(['k.env']);
    expect(run.annotations.find((a) => a.props.file)?.message).toContain(`added in commit ${commits[1]?.slice(0, 7)}`);
  });

  it('a force push: the new commits, not those already on main nor those it replaced', async () => {
    const origin = new FixtureRepo();
    origin.commit('main', { 'a.txt': 'a\n' });
    origin.git('checkout', '-q', '-b', 'feature');
    const replaced = githubToken();
    const before = origin.commit('first try', { 't.env': `T=${replaced}\n` });
    origin.git('checkout', '-q', 'main');
    const onMain = githubToken();
    origin.commit('main moves', { 'm.env': `M=${onMain}\n` });
    // Rebased onto the new main and pushed with --force.
    origin.git('checkout', '-q', '-B', 'feature', 'main');
    const secret = githubToken();
    const n1 = origin.commit('second try', { 't.env': `T=${secret}\n` });
    const ws = checkout(origin, n1, { ref: 'refs/heads/feature' });

    const run = await runAction({ event: 'push', payload: pushPayload({ ref: 'refs/heads/feature', before, after: n1, forced: true, commits: [n1] }), workspace: ws.dir });
    expect(run.code, run.stdout).toBe(1);
    expect(run.outputs.commits).toBe(n1);
    expect(run.outputs.scanned).toContain('a force push');
    expect(secretFiles(run)).toEqual(['t.env']);
    expect(run.stdout).toContain(`::add-mask::${secret}`);
    expect(run.stdout).not.toContain(onMain);
    expect(run.stdout).not.toContain(replaced);
  });

  it('a deleted branch: nothing to scan', async () => {
    const origin = new FixtureRepo();
    const head = origin.commit('main', { 'a.txt': 'a\n' });
    const ws = checkout(origin, head, { ref: 'refs/heads/main' });
    const run = await runAction({ event: 'push', payload: pushPayload({ ref: 'refs/heads/gone', before: head, after: ZEROS, deleted: true, commits: [] }), workspace: ws.dir });
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs.scanned).toContain('deleted');
  });

  it('says which fetch-depth to use when origin cannot provide the history', async () => {
    const origin = new FixtureRepo();
    origin.commit('one', { 'a.txt': 'a\n' });
    const before = origin.commit('two', { 'a.txt': 'b\n' });
    const after = origin.commit('three', { 'a.txt': 'c\n' });
    const ws = checkout(origin, after, { ref: 'refs/heads/main' });
    ws.git('remote', 'set-url', 'origin', `file://${origin.dir}-gone`);
    const run = await runAction({ event: 'push', payload: pushPayload({ ref: 'refs/heads/main', before, after, commits: [after] }), workspace: ws.dir });
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/::error::keysweep: the push to main: .* fetching from origin failed .*fetch-depth: 0/);
  });
});

describe('keysweep action: other events', () => {
  it('merge_group: the commits of the queue', async () => {
    const origin = new FixtureRepo();
    origin.commit('main', { 'a.txt': 'a\n' });
    const base = origin.git('rev-parse', 'HEAD');
    origin.git('checkout', '-q', '-b', 'gh-readonly-queue/main/pr-1');
    const c1 = origin.commit('queued', { 'q.env': `Q=${githubToken()}\n` });
    const ws = checkout(origin, c1, { ref: 'refs/heads/gh-readonly-queue/main/pr-1' });
    const payload = { action: 'checks_requested', merge_group: { head_sha: c1, head_ref: 'refs/heads/gh-readonly-queue/main/pr-1', base_sha: base, base_ref: 'refs/heads/main' }, repository: { full_name: 'acme/app', default_branch: 'main' } };
    const run = await runAction({ event: 'merge_group', payload, workspace: ws.dir });
    expect(run.code, run.stdout).toBe(1);
    expect(run.outputs.commits).toBe(c1);
    expect(secretFiles(run)).toEqual(['q.env']);
  });

  it('workflow_dispatch: the working tree by default, the whole history with scope: history', async () => {
    const origin = new FixtureRepo();
    const c1 = origin.commit('leak', { 'k.env': `K=${githubToken()}\n`, 'src/app.js': 'ok\n' });
    origin.git('rm', '-q', 'k.env');
    const c2 = origin.commit('remove');
    const ws = checkout(origin, c2, { ref: 'refs/heads/main' });
    const payload = { inputs: {}, ref: 'refs/heads/main', repository: { full_name: 'acme/app', default_branch: 'main' } };

    const tree = await runAction({ event: 'workflow_dispatch', payload, workspace: ws.dir });
    expect(tree.code, tree.stdout).toBe(0);
    expect(tree.outputs.scanned).toContain('the working tree');
    expect(tree.outputs.commits).toBe('');

    const history = await runAction({ event: 'schedule', payload: { schedule: '0 0 * * *' }, workspace: ws.dir, inputs: { scope: 'history' } });
    expect(history.code, history.stdout).toBe(1);
    expect(history.stdout).toContain('--unshallow');
    expect(history.outputs.commits).toBe(`${c1} ${c2}`);
    expect(secretFiles(history)).toEqual(['k.env']);
    expect(history.annotations.find((a) => a.props.file)?.message).toContain(`removed in ${c2.slice(0, 7)}`);
  });
});
