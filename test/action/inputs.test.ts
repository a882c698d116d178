import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { parseExtraArgs, splitShellWords } from '../../action/inputs.js';
import { FixtureRepo } from '../git/git-fixture.js';
import { githubToken } from '../helpers.js';
import { checkout, CLI, runAction } from './harness.js';

/** GitHub's GET /user and POST /credentials/revoke, for the tokens in `live`. */
async function fakeGitHubApi(live: Set<string>) {
  const calls: string[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d.toString('utf8')));
    req.on('end', () => {
      calls.push(`${req.method} ${req.url}`);
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.method === 'GET' && req.url === '/user') {
        const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
        return live.has(token) ? json(200, { login: 'octocat', id: 1 }) : json(401, { message: 'Bad credentials' });
      }
      if (req.method === 'POST' && req.url === '/credentials/revoke') {
        for (const c of (JSON.parse(text) as { credentials: string[] }).credentials) live.delete(c);
        return json(202, {});
      }
      json(404, { message: 'Not Found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls, stop: () => new Promise<void>((r) => server.close(() => r())) };
}

/** A repository whose working tree holds one secret per token, in `keys/N.env`. */
function treeWith(tokens: string[]): FixtureRepo {
  const origin = new FixtureRepo();
  const files = Object.fromEntries(tokens.map((t, i) => [`keys/${i}.env`, `TOKEN=${t}\n`]));
  const head = origin.commit('keys', { ...files, 'src/app.js': 'console.log(1)\n' });
  return checkout(origin, head, { ref: 'refs/heads/main' });
}

const dispatch = { inputs: {}, ref: 'refs/heads/main', repository: { full_name: 'acme/app', default_branch: 'main' } };

describe('keysweep action: inputs', () => {
  it('fail-on: live verifies, and fails only for a live credential', async () => {
    const [live, dead] = [githubToken(), githubToken()];
    const api = await fakeGitHubApi(new Set([live]));
    try {
      const both = treeWith([live, dead]);
      const run = await runAction({ event: 'workflow_dispatch', payload: dispatch, workspace: both.dir, inputs: { 'fail-on': 'live' }, env: { KEYSWEEP_ENDPOINT_GITHUB: api.url } });
      expect(run.code, run.stdout).toBe(1);
      expect(run.outputs.findings).toBe('2');
      expect(run.outputs.live).toBe('1');
      expect(run.annotations.filter((a) => a.props.file).map((a) => [a.props.file, a.level, /Verification: (\w+)/.exec(a.message)?.[1]])).toEqual([
        ['keys/0.env', 'error', 'live'],
        ['keys/1.env', 'notice', 'dead'],
      ]);
      expect(run.summary).toContain('live (login=octocat');
      expect(api.calls.filter((c) => c === 'GET /user')).toHaveLength(2);

      const deadOnly = treeWith([dead]);
      const pass = await runAction({ event: 'workflow_dispatch', payload: dispatch, workspace: deadOnly.dir, inputs: { 'fail-on': 'live' }, env: { KEYSWEEP_ENDPOINT_GITHUB: api.url } });
      expect(pass.code, pass.stdout).toBe(0);
      expect(pass.outputs.findings).toBe('1');
      expect(pass.outputs.live).toBe('0');
      expect(pass.summary).toContain('not failing: fail-on live');
    } finally {
      await api.stop();
    }
  });

  it('revoke: true revokes what verified live, and says so', async () => {
    const token = githubToken();
    const api = await fakeGitHubApi(new Set([token]));
    try {
      const ws = treeWith([token]);
      const run = await runAction({ event: 'workflow_dispatch', payload: dispatch, workspace: ws.dir, inputs: { verify: 'true', revoke: 'true' }, env: { KEYSWEEP_ENDPOINT_GITHUB: api.url } });
      expect(run.code, run.stdout).toBe(1);
      expect(api.calls).toContain('POST /credentials/revoke');
      expect(run.outputs.revoked).toBe('1');
      expect(run.summary).toContain('### Revocations');
      expect(run.summary).toContain('revoked');
      expect(run.stdout).not.toMatch(new RegExp(`^(?!::add-mask::).*${token}`, 'm'));
    } finally {
      await api.stop();
    }
  });

  it('fail-on: none reports without failing; paths narrows the scan', async () => {
    const ws = treeWith([githubToken()]);
    const none = await runAction({ event: 'workflow_dispatch', payload: dispatch, workspace: ws.dir, inputs: { 'fail-on': 'none' } });
    expect(none.code, none.stdout).toBe(0);
    expect(none.outputs.findings).toBe('1');
    expect(none.summary).toContain('not failing: fail-on none');

    const narrowed = await runAction({ event: 'workflow_dispatch', payload: dispatch, workspace: ws.dir, inputs: { paths: 'src' } });
    expect(narrowed.code, narrowed.stdout).toBe(0);
    expect(narrowed.outputs.findings).toBe('0');
  });

  it('passes extra-args to the scan and refuses flags that belong to the action', async () => {
    const ws = treeWith([githubToken()]);
    const disabled = await runAction({ event: 'workflow_dispatch', payload: dispatch, workspace: ws.dir, inputs: { 'extra-args': "--disable 'github.*' --disable generic --exclude vendor/**" } });
    expect(disabled.code, disabled.stdout).toBe(0);
    expect(disabled.outputs.findings).toBe('0');

    const refused = await runAction({ event: 'workflow_dispatch', payload: dispatch, workspace: ws.dir, inputs: { 'extra-args': '--show-secrets' } });
    expect(refused.code).toBe(2);
    expect(refused.stdout).toMatch(/::error::keysweep: input extra-args: Unknown option '--show-secrets'/);

    const badInput = await runAction({ event: 'workflow_dispatch', payload: dispatch, workspace: ws.dir, inputs: { 'fail-on': 'sometimes' } });
    expect(badInput.code).toBe(2);
    expect(badInput.stdout).toContain('input fail-on: "sometimes" is not one of any, live, none');

  });

  it('honours sarif-file and baseline', async () => {
    const ws = treeWith([githubToken()]);
    const sarif = await runAction({ event: 'workflow_dispatch', payload: dispatch, workspace: ws.dir, inputs: { 'sarif-file': 'out/keysweep.sarif', 'fail-on': 'none' } });
    expect(sarif.outputs['sarif-file']).toBe(`${ws.dir}/out/keysweep.sarif`);
    expect(sarif.sarif?.runs[0]?.results).toHaveLength(1);

    // A baseline written by `keysweep scan --write-baseline` silences what it records.
    spawnSync(process.execPath, [CLI, 'scan', '.', '--format', 'json', '--write-baseline', '.baseline.json', '-q'], { cwd: ws.dir });
    const baselined = await runAction({ event: 'workflow_dispatch', payload: dispatch, workspace: ws.dir, inputs: { baseline: '.baseline.json' } });
    expect(baselined.code, baselined.stdout).toBe(0);
    expect(baselined.outputs.findings).toBe('0');
  });

  it('the built action entry (action.yml main) runs the same way', async () => {
    const ws = treeWith([githubToken()]);
    const run = await runAction({ event: 'workflow_dispatch', payload: dispatch, workspace: ws.dir, main: true });
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.outputs.findings).toBe('1');
    expect(run.summary).toContain('🚨 keysweep');
  });
});

describe('extra-args parsing', () => {
  it('splits like a shell', () => {
    expect(splitShellWords(`--exclude 'a b/**' --disable "x\\"y" c\\ d`)).toEqual(['--exclude', 'a b/**', '--disable', 'x"y', 'c d']);
    expect(parseExtraArgs('--enable aws.* --enable github --max-file-size 1MB')).toEqual({ enable: ['aws.*', 'github'], 'max-file-size': '1MB' });
    expect(() => parseExtraArgs('--diff a..b')).toThrow(/Unknown option '--diff'/);
    expect(() => parseExtraArgs("--exclude 'open")).toThrow(/unterminated/);
  });
});
