import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { githubToken, runCli, tempDir } from '../helpers.js';
import { loadVerifiers } from '../../src/verify/loader.js';
import { builtinRules, credentialOf, json, startServer, type Received } from './helpers.js';

/** A server that behaves like api.github.com for /user and /credentials/revoke. */
async function fakeGitHub(options: { live?: Set<string>; revokeStatus?: number } = {}) {
  const live = options.live ?? new Set<string>();
  const server = await startServer((req, res) => {
    if (req.method === 'GET' && req.path === '/user') {
      const token = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
      if (live.has(token)) json(res, 200, { login: 'octocat', id: 1, name: 'The Octocat' }, { 'x-oauth-scopes': 'repo, gist' });
      else json(res, 401, { message: 'Bad credentials' });
      return;
    }
    if (req.method === 'POST' && req.path === '/credentials/revoke') {
      const status = options.revokeStatus ?? 202;
      if (status === 202) for (const t of (JSON.parse(req.body) as { credentials: string[] }).credentials) live.delete(t);
      json(res, status, status === 202 ? {} : { message: 'Validation Failed' });
      return;
    }
    json(res, 404, { message: 'Not Found' });
  });
  return { ...server, live };
}

const saved = { ...process.env };
// No test may reach the internet: every provider points at a closed local port unless a test says otherwise.
const registry = await loadVerifiers({ ruleIds: new Set(builtinRules().map((r) => r.id)) });
beforeEach(() => {
  for (const k of Object.keys(process.env)) if (k.startsWith('KEYSWEEP_ENDPOINT_')) delete process.env[k];
  for (const key of registry.endpointKeys()) process.env[`KEYSWEEP_ENDPOINT_${key.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`] = 'http://127.0.0.1:9';
});
afterEach(() => {
  process.env = { ...saved };
});

function noSecret(text: string, secret: string): void {
  expect(text).not.toContain(secret);
}

describe('keysweep verify', () => {
  it('verifies a pasted token: live, identity, the revoke command, and the exact request', async () => {
    const token = githubToken();
    const gh = await fakeGitHub({ live: new Set([token]) });
    const r = await runCli(['verify', '--endpoint', `github=${gh.url}`], `Hey, is this still valid?\n  ${token}\nthanks\n`);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('[github.pat-classic]');
    expect(r.stdout).toMatch(/secret {5}ghp_\w{4}…#[0-9a-f]{8}/);
    expect(r.stdout).toContain('LIVE  (verified by github.user)');
    expect(r.stdout).toContain('login      octocat');
    expect(r.stdout).toContain('scopes     repo, gist');
    expect(r.stdout).toMatch(new RegExp(`revoke {5}keysweep revoke --hash [0-9a-f]{16} --endpoint github=${gh.url.replace(/[.]/g, '\\.')} --yes -`));
    noSecret(r.stdout + r.stderr, token);
    expect(gh.received).toHaveLength(1);
    const req = gh.received[0] as Received;
    expect(req.method).toBe('GET');
    expect(req.path).toBe('/user');
    expect(req.headers.authorization).toBe(`Bearer ${token}`);
    expect(req.headers['x-github-api-version']).toBe('2022-11-28');
    expect(req.headers['user-agent']).toMatch(/^keysweep\//);
    expect(req.body).toBe('');
  });

  it('reports dead, unknown and unverified apart, as JSON', async () => {
    const dead = githubToken();
    const gh = await fakeGitHub();
    const stripe = await startServer((_req, res) => json(res, 500, { error: { type: 'api_error' } }));
    const stripeKey = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc';
    const twilio = 'TWILIO_AUTH_TOKEN=8e0d2a3b7c1f4e5d9a6b0c2d4e6f8a1b';
    const r = await runCli(['verify', '--format', 'json', '--endpoint', `github=${gh.url}`, '--endpoint', `stripe=${stripe.url}`], `${dead}\nSTRIPE=${stripeKey}\n${twilio}\n`);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { credentials: Array<{ ruleId: string; verdict: { status: string; reason?: string; verifier?: string }; revoke?: unknown }>; summary: Record<string, number> };
    const byRule = new Map(out.credentials.map((c) => [c.ruleId, c]));
    expect(byRule.get('github.pat-classic')?.verdict).toEqual({ status: 'dead', verifier: 'github.user' });
    expect(byRule.get('github.pat-classic')?.revoke).toBeUndefined();
    expect(byRule.get('stripe.secret-key')?.verdict).toEqual({ status: 'unknown', verifier: 'stripe.account', reason: 'server error (HTTP 500)' });
    expect(byRule.get('twilio.auth-token')?.verdict).toEqual({ status: 'unverified', reason: 'missing part account_sid' });
    expect(out.summary).toEqual({ credentials: 3, live: 0, dead: 1, unknown: 1, unverified: 0 + 1 });
    expect(stripe.received[0]?.headers.authorization).toBe(`Basic ${Buffer.from(`${stripeKey}:`).toString('base64')}`);
    noSecret(r.stdout, dead);
    noSecret(r.stdout, stripeKey);
  });

  it('reads files, and a token seen twice is verified once', async () => {
    const token = githubToken();
    const gh = await fakeGitHub({ live: new Set([token]) });
    const dir = tempDir();
    writeFileSync(join(dir, 'a.txt'), `one ${token}\n`);
    writeFileSync(join(dir, 'b.txt'), `two ${token}\nagain ${token}\n`);
    const r = await runCli(['verify', join(dir, 'a.txt'), join(dir, 'b.txt'), '--endpoint', `github=${gh.url}`]);
    expect(r.code).toBe(1);
    expect(gh.received).toHaveLength(1);
    expect(r.stdout.match(/found at/g)).toHaveLength(3);
    expect(r.stdout).toContain(`--yes ${join(dir, 'a.txt')} ${join(dir, 'b.txt')}`);
  });

  it('takes endpoint overrides from the environment, and rejects an unknown --endpoint', async () => {
    const token = githubToken();
    const gh = await fakeGitHub({ live: new Set([token]) });
    delete process.env.KEYSWEEP_ENDPOINT_GITHUB_API; // (the test guard's more specific key)
    process.env.KEYSWEEP_ENDPOINT_GITHUB = gh.url;
    const r = await runCli(['verify'], token);
    expect(r.stdout).toContain('LIVE');
    expect(gh.received).toHaveLength(1);
    const bad = await runCli(['verify', '--endpoint', 'githbu=http://127.0.0.1:1'], token);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--endpoint githbu: no verifier has that provider');
  });
});

describe('provider behaviour', () => {
  it('honours 429 Retry-After, then verifies', async () => {
    const token = githubToken();
    let calls = 0;
    const server = await startServer((_req, res) => {
      calls++;
      if (calls === 1) json(res, 429, { message: 'slow down' }, { 'retry-after': '1' });
      else json(res, 200, { login: 'octocat' });
    });
    const started = Date.now();
    const r = await runCli(['verify', '--endpoint', `github=${server.url}`], token);
    expect(r.stdout).toContain('LIVE');
    expect(server.received).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('gives up on a Retry-After longer than a minute: unknown (rate limited), never dead', async () => {
    const token = githubToken();
    const server = await startServer((_req, res) => json(res, 429, { message: 'later' }, { 'retry-after': '3600' }));
    const r = await runCli(['verify', '--format', 'json', '--endpoint', `github=${server.url}`], token);
    const v = (JSON.parse(r.stdout) as { credentials: Array<{ verdict: unknown }> }).credentials[0]?.verdict;
    expect(v).toEqual({ status: 'unknown', verifier: 'github.user', reason: 'rate limited (HTTP 429): later' });
    expect(server.received).toHaveLength(1);
  });

  it('retries a 5xx, and reports unknown when it persists', async () => {
    const token = githubToken();
    const server = await startServer((_req, res) => json(res, 503, { message: 'unavailable' }));
    const r = await runCli(['verify', '--format', 'json', '--endpoint', `github=${server.url}`], token);
    const v = (JSON.parse(r.stdout) as { credentials: Array<{ verdict: { status: string; reason: string } }> }).credentials[0]?.verdict;
    expect(v?.status).toBe('unknown');
    expect(v?.reason).toContain('server error (HTTP 503)');
    expect(server.received).toHaveLength(3);
  });

  it('a hang past the timeout is unknown (timeout), sent once', async () => {
    const token = githubToken();
    const server = await startServer(() => {
      // never answers
    });
    const r = await runCli(['verify', '--format', 'json', '--verify-timeout', '300ms', '--endpoint', `github=${server.url}`], token);
    const v = (JSON.parse(r.stdout) as { credentials: Array<{ verdict: unknown }> }).credentials[0]?.verdict;
    expect(v).toEqual({ status: 'unknown', verifier: 'github.user', reason: 'timeout after 300 ms' });
    expect(server.received).toHaveLength(1);
  });

  it('malformed JSON on 200 is unknown, not live', async () => {
    const token = githubToken();
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"login": "octo"');
    });
    const r = await runCli(['verify', '--format', 'json', '--endpoint', `github=${server.url}`], token);
    const v = (JSON.parse(r.stdout) as { credentials: Array<{ verdict: unknown }> }).credentials[0]?.verdict;
    expect(v).toEqual({ status: 'unknown', verifier: 'github.user', reason: 'unexpected body: not JSON (HTTP 200)' });
  });

  it('a refused connection is unknown (network error), and the reason never holds the URL', async () => {
    const token = githubToken();
    const server = await startServer((_req, res) => json(res, 200, {}));
    const url = server.url;
    // A port nothing listens on.
    const r = await runCli(['verify', '--format', 'json', '--endpoint', `github=http://127.0.0.1:1`], token);
    const v = (JSON.parse(r.stdout) as { credentials: Array<{ verdict: { status: string; reason: string } }> }).credentials[0]?.verdict;
    expect(v?.status).toBe('unknown');
    expect(v?.reason).toBe('network error (ECONNREFUSED)');
    expect(url).toBeTruthy();
  });
});

interface Report {
  findings: Array<{ ruleId: string; file: string; secret: string; redacted: boolean; verdict: { status: string; verifier?: string; identity?: Record<string, string> } }>;
  summary: { findings: number; verification?: Record<string, number> };
}

describe('keysweep scan --verify', () => {
  it('puts verdict, verifier and identity in JSON, SARIF and text; verifies each distinct secret once', async () => {
    const live = githubToken();
    const dead = githubToken();
    const gh = await fakeGitHub({ live: new Set([live]) });
    const dir = tempDir();
    writeFileSync(join(dir, 'a.env'), `GH=${live}\nOLD=${dead}\n`);
    writeFileSync(join(dir, 'b.env'), `GH=${live}\n`);
    const r = await runCli(['scan', dir, '--verify', '--format', 'json', '--endpoint', `github=${gh.url}`]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.findings).toHaveLength(3);
    expect(gh.received).toHaveLength(2);
    const liveFinding = report.findings.find((f) => f.verdict.status === 'live');
    expect(liveFinding?.verdict).toEqual({ status: 'live', verifier: 'github.user', identity: { login: 'octocat', name: 'The Octocat', user_id: '1', scopes: 'repo, gist' } });
    expect(report.findings.filter((f) => f.verdict.status === 'dead')).toHaveLength(1);
    expect(report.summary.verification).toEqual({ live: 2, dead: 1, unknown: 0, unverified: 0 });
    noSecret(r.stdout, live);

    const sarif = await runCli(['scan', dir, '--verify', '--format', 'sarif', '--endpoint', `github=${gh.url}`]);
    const results = (JSON.parse(sarif.stdout) as { runs: Array<{ results: Array<{ level: string; message: { text: string }; properties: { verdict: { status: string } } }> }> }).runs[0]?.results ?? [];
    expect(results.filter((x) => x.properties.verdict.status === 'live').every((x) => x.level === 'error')).toBe(true);
    expect(results.find((x) => x.properties.verdict.status === 'dead')?.level).toBe('note');
    expect(results.find((x) => x.properties.verdict.status === 'live')?.message.text).toContain('Verification: live (github.user: login=octocat');

    const text = await runCli(['scan', dir, '--verify', '--endpoint', `github=${gh.url}`]);
    expect(text.stdout).toContain('verdict      LIVE (login=octocat name=The Octocat user_id=1 scopes=repo, gist)  [github.user]');
    expect(text.stdout).toContain('verdict      dead  [github.user]');
    expect(text.stdout).toContain('Verified: 2 live, 1 dead, 0 unknown, 0 unverified.');
  });

  it('--only-verified reports live findings only; --fail-on live exits 1 only for live ones', async () => {
    const live = githubToken();
    const dead = githubToken();
    const gh = await fakeGitHub({ live: new Set([live]) });
    const dir = tempDir();
    writeFileSync(join(dir, 'a.env'), `OLD=${dead}\n`);
    const onlyDead = await runCli(['scan', dir, '--fail-on', 'live', '--format', 'json', '--endpoint', `github=${gh.url}`]);
    expect(onlyDead.code).toBe(0);
    expect((JSON.parse(onlyDead.stdout) as Report).findings).toHaveLength(1);
    expect((await runCli(['scan', dir, '--verify', '--endpoint', `github=${gh.url}`])).code).toBe(1);
    writeFileSync(join(dir, 'b.env'), `GH=${live}\n`);
    expect((await runCli(['scan', dir, '--fail-on', 'live', '--endpoint', `github=${gh.url}`])).code).toBe(1);
    const only = await runCli(['scan', dir, '--only-verified', '--format', 'json', '--endpoint', `github=${gh.url}`]);
    const report = JSON.parse(only.stdout) as Report;
    expect(report.findings.map((f) => f.verdict.status)).toEqual(['live']);
    expect(report.summary.findings).toBe(1);
    expect(report.summary.verification).toEqual({ live: 1, dead: 1, unknown: 0, unverified: 0 });
  });

  it('is off by default, and --no-verify contradicts --verify', async () => {
    const token = githubToken();
    const gh = await fakeGitHub({ live: new Set([token]) });
    const dir = tempDir();
    writeFileSync(join(dir, 'a.env'), `GH=${token}\n`);
    const r = await runCli(['scan', dir, '--format', 'json', '--endpoint', `github=${gh.url}`]);
    expect((JSON.parse(r.stdout) as Report).findings[0]?.verdict).toEqual({ status: 'unverified', reason: 'verification off' });
    expect(gh.received).toHaveLength(0);
    const both = await runCli(['scan', dir, '--verify', '--no-verify']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--no-verify contradicts --verify');
  });

  it('caches verdicts on disk by hash, never the secret', async () => {
    const token = githubToken();
    const gh = await fakeGitHub({ live: new Set([token]) });
    const dir = tempDir();
    writeFileSync(join(dir, 'a.env'), `GH=${token}\n`);
    const cache = join(tempDir(), 'cache', 'verify.json');
    await runCli(['scan', dir, '--verify', '--verify-cache', cache, '--endpoint', `github=${gh.url}`]);
    await runCli(['scan', dir, '--verify', '--verify-cache', cache, '--endpoint', `github=${gh.url}`]);
    expect(gh.received).toHaveLength(1);
    const text = readFileSync(cache, 'utf8');
    expect(text).toContain('"status":"live"');
    noSecret(text, token);
    expect(text).not.toContain(token.slice(4, 20));
  });
});

describe('keysweep revoke', () => {
  it('dry run: prints the request it would send, sends none, and audits the dry run', async () => {
    const token = githubToken();
    const gh = await fakeGitHub({ live: new Set([token]) });
    const audit = join(tempDir(), 'audit.jsonl');
    process.env.GITHUB_ACTOR = 'sec-oncall';
    const r = await runCli(['revoke', '--endpoint', `github=${gh.url}`, '--audit-log', audit], `leaked: ${token}\n`);
    expect(r.code).toBe(0);
    const host = new URL(gh.url).host;
    expect(r.stdout).toContain(`would send POST ${host} /credentials/revoke`);
    expect(r.stdout).toContain('Dry run: 1 credential(s) would be revoked');
    expect(gh.received.map((q) => `${q.method} ${q.path}`)).toEqual(['GET /user']);
    noSecret(r.stdout + r.stderr, token);
    const records = readFileSync(audit, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ operator: 'sec-oncall', action: 'dry-run', rule: 'github.pat-classic', provider: 'github', host, result: 'would-revoke' });
    expect(records[0]?.secretHash).toMatch(/^[0-9a-f]{16}$/);
    noSecret(readFileSync(audit, 'utf8'), token);
  });

  it('--yes revokes, re-verifies, reports "revoked (confirmed dead)", and appends the audit record', async () => {
    const token = githubToken();
    const gh = await fakeGitHub({ live: new Set([token]) });
    const audit = join(tempDir(), 'audit.jsonl');
    delete process.env.GITHUB_ACTOR;
    process.env.USER = 'alice';
    const r = await runCli(['revoke', '--yes', '--endpoint', `github=${gh.url}`, '--audit-log', audit], token);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('result     revoked (confirmed dead)');
    expect(gh.received.map((q) => `${q.method} ${q.path}`)).toEqual(['GET /user', 'POST /credentials/revoke', 'GET /user']);
    const revoke = gh.received[1] as Received;
    // GitHub refuses authenticated revocation requests: the token travels only in the body.
    expect(revoke.headers.authorization).toBeUndefined();
    expect(revoke.headers['content-type']).toBe('application/json');
    expect(JSON.parse(revoke.body)).toEqual({ credentials: [token] });
    const record = JSON.parse(readFileSync(audit, 'utf8').trim()) as Record<string, unknown>;
    expect(record).toMatchObject({ operator: 'alice', action: 'revoke', rule: 'github.pat-classic', result: 'revoked', requests: [{ method: 'POST', host: new URL(gh.url).host, path: '/credentials/revoke' }] });
    expect(typeof record.time).toBe('string');
    noSecret(readFileSync(audit, 'utf8') + r.stdout, token);
  });

  it('reports a failed revocation and exits 1', async () => {
    const token = githubToken();
    const gh = await fakeGitHub({ live: new Set([token]), revokeStatus: 422 });
    const r = await runCli(['revoke', '--yes', '--endpoint', `github=${gh.url}`], token);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('revocation failed: the provider answered HTTP 422');
    expect(gh.received.filter((q) => q.path === '/credentials/revoke')).toHaveLength(1);
  });

  it('leaves dead credentials alone', async () => {
    const token = githubToken();
    const gh = await fakeGitHub();
    const r = await runCli(['revoke', '--yes', '--endpoint', `github=${gh.url}`], token);
    expect(r.stdout).toContain('already dead: nothing to revoke');
    expect(gh.received.map((q) => q.path)).toEqual(['/user']);
  });

  it('--from a report: live findings only (unless --all); redacted secrets are read again from the file', async () => {
    const live = githubToken();
    const dead = githubToken();
    const gh = await fakeGitHub({ live: new Set([live]) });
    const dir = tempDir();
    writeFileSync(join(dir, 'a.env'), `GH=${live}\nOLD=${dead}\n`);
    const report = join(tempDir(), 'report.json');
    await runCli(['scan', dir, '--verify', '-o', report, '--endpoint', `github=${gh.url}`]);
    noSecret(readFileSync(report, 'utf8'), live);
    gh.received.length = 0;
    const r = await runCli(['revoke', '--from', report, '--endpoint', `github=${gh.url}`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Dry run: 1 credential(s) would be revoked');
    const all = await runCli(['revoke', '--from', report, '--all', '--endpoint', `github=${gh.url}`]);
    expect(all.stdout).toContain('already dead: nothing to revoke');

    // The file no longer holds the secret: say so, plainly.
    writeFileSync(join(dir, 'a.env'), 'GH=moved-to-vault\n');
    const gone = await runCli(['revoke', '--from', report, '--endpoint', `github=${gh.url}`]);
    expect(gone.code).toBe(1);
    expect(gone.stdout).toContain('secret not available');
    expect(gone.stdout).toContain('written without --show-secrets');

    // A report written with --show-secrets carries the secret itself.
    const full = join(tempDir(), 'full.json');
    writeFileSync(join(dir, 'a.env'), `GH=${live}\n`);
    await runCli(['scan', dir, '--verify', '--show-secrets', '-o', full, '--endpoint', `github=${gh.url}`]);
    writeFileSync(join(dir, 'a.env'), 'GH=moved-to-vault\n');
    const yes = await runCli(['revoke', '--from', full, '--yes', '--endpoint', `github=${gh.url}`]);
    expect(yes.stdout).toContain('revoked (confirmed dead)');
    noSecret(yes.stdout, live);
  });

  it('--hash picks one credential; an unwritable audit log stops before anything is sent', async () => {
    const a = githubToken();
    const b = githubToken();
    const gh = await fakeGitHub({ live: new Set([a, b]) });
    const first = JSON.parse((await runCli(['verify', '--format', 'json', '--endpoint', `github=${gh.url}`], `${a}\n${b}\n`)).stdout) as { credentials: Array<{ secretHash: string }> };
    const hash = first.credentials[0]?.secretHash as string;
    gh.received.length = 0;
    const r = await runCli(['revoke', '--hash', hash, '--yes', '--endpoint', `github=${gh.url}`], `${a}\n${b}\n`);
    expect(r.stdout.match(/result +revoked \(confirmed dead\)/g)).toHaveLength(1);
    expect(gh.live.size).toBe(1);
    const blocked = await runCli(['revoke', '--yes', '--audit-log', join(tempDir(), 'missing', 'dir', 'audit.jsonl'), '--endpoint', `github=${gh.url}`], b);
    expect(blocked.code).toBe(2);
    expect(blocked.stderr).toContain('cannot write the audit log');
    expect(gh.live.size).toBe(1);
  });
});

describe('keysweep verifiers list', () => {
  it('lists every endpoint, with overrides applied', async () => {
    for (const k of Object.keys(process.env)) if (k.startsWith('KEYSWEEP_ENDPOINT_')) delete process.env[k];
    const r = await runCli(['verifiers', 'list', '--format', 'json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<{ verifier: string; kind: string; method: string; host: string; path: string }>;
    expect(rows).toContainEqual(expect.objectContaining({ verifier: 'github.user', kind: 'verify', method: 'GET', host: 'api.github.com', path: '/user' }));
    expect(rows).toContainEqual(expect.objectContaining({ verifier: 'github.user', kind: 'revoke', method: 'POST', host: 'api.github.com', path: '/credentials/revoke' }));
    expect(rows).toContainEqual(expect.objectContaining({ verifier: 'gitlab.token-self', kind: 'revoke', method: 'DELETE', host: 'gitlab.com', path: '/api/v4/personal_access_tokens/self' }));
    expect(rows.find((x) => x.verifier === 'algolia.key')?.host).toBe('*-dsn.algolia.net');
    const text = await runCli(['verifiers', 'list', '--endpoint', 'github=http://127.0.0.1:9']);
    expect(text.stdout).toMatch(/github\.user\s+verify\s+GET\s+127\.0\.0\.1:9\s+\/user\s+\(overridden\)/);
    expect(text.stdout).toMatch(/\d+ verifiers \(\d+ providers, \d+ with revocation\), \d+ hosts/);
  });
});

describe('no secret leaves through errors', () => {
  it('keeps the secret out of output when everything fails', async () => {
    const token = githubToken();
    const r = await runCli(['revoke', '--yes', '--verify-timeout', '200ms', '--endpoint', 'github=http://127.0.0.1:1'], token);
    noSecret(r.stdout + r.stderr, token);
    expect(existsSync('audit.jsonl')).toBe(false);
  });
});

describe('revocation requests of other providers', () => {
  it('GitLab: DELETE /personal_access_tokens/self with the token in PRIVATE-TOKEN', async () => {
    const cred = credentialOf('gitlab.pat');
    const token = cred?.secret as string;
    let active = true;
    const server = await startServer((req, res) => {
      expect(req.headers['private-token']).toBe(token);
      if (req.method === 'DELETE') {
        active = false;
        res.writeHead(204);
        res.end();
      } else if (active) json(res, 200, { id: 7, name: 'ci', active: true, user_id: 3, scopes: ['api'] });
      else json(res, 401, { message: '401 Unauthorized' });
    });
    const r = await runCli(['revoke', '--yes', '--endpoint', `gitlab=${server.url}/api/v4`], `${token}\n`);
    expect(r.stdout).toContain('result     revoked (confirmed dead)');
    expect(server.received.map((q) => `${q.method} ${q.path}`)).toEqual(['GET /api/v4/personal_access_tokens/self', 'DELETE /api/v4/personal_access_tokens/self', 'GET /api/v4/personal_access_tokens/self']);
    expect(server.received[1]?.body).toBe('');
  });

  it('Slack: POST auth.revoke with the token as bearer', async () => {
    const token = credentialOf('slack.bot-token')?.secret as string;
    let revoked = false;
    const server = await startServer((req, res) => {
      expect(req.headers.authorization).toBe(`Bearer ${token}`);
      if (req.path === '/auth.revoke') {
        revoked = true;
        json(res, 200, { ok: true, revoked: true });
      } else json(res, 200, revoked ? { ok: false, error: 'token_revoked' } : { ok: true, team: 'Acme', user: 'bot', team_id: 'T1', user_id: 'U1' });
    });
    const r = await runCli(['revoke', '--yes', '--endpoint', `slack=${server.url}`], `SLACK_BOT_TOKEN=${token}\n`);
    expect(r.stdout).toContain('result     revoked (confirmed dead)');
    expect(server.received.map((q) => `${q.method} ${q.path}`)).toEqual(['POST /auth.test', 'POST /auth.revoke', 'POST /auth.test']);
  });

  it('GitGuardian: revokes by the token id the verification returned; the dry run shows it', async () => {
    const token = credentialOf('gitguardian.api-key')?.secret as string;
    let alive = true;
    const server = await startServer((req, res) => {
      if (req.method === 'DELETE') {
        alive = false;
        res.writeHead(204);
        res.end();
      } else if (alive) json(res, 200, { id: '5ddaad0c-5a0c-4674-beb5-1cd198d13360', name: 'ci', scopes: ['scan'] });
      else json(res, 401, { detail: 'Invalid API key.' });
    });
    const dry = await runCli(['revoke', '--endpoint', `gitguardian=${server.url}`], `GITGUARDIAN_API_KEY=${token}\n`);
    expect(dry.stdout).toContain(`would send DELETE ${new URL(server.url).host} /v1/api_tokens/5ddaad0c-5a0c-4674-beb5-1cd198d13360`);
    const r = await runCli(['revoke', '--yes', '--endpoint', `gitguardian=${server.url}`], `GITGUARDIAN_API_KEY=${token}\n`);
    expect(r.stdout).toContain('revoked (confirmed dead)');
    expect(server.received.filter((q) => q.method === 'DELETE').map((q) => [q.path, q.headers.authorization])).toEqual([['/v1/api_tokens/5ddaad0c-5a0c-4674-beb5-1cd198d13360', `Token ${token}`]]);
  });
});

describe('AWS through the CLI', () => {
  it('verifies a pasted key pair and deactivates it with --yes', async () => {
    const text = '[default]\naws_access_key_id = AKIAH33W5AEVPQ7FRPWQ\naws_secret_access_key = 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\n';
    let active = true;
    const server = await startServer((req, res) => {
      res.writeHead(req.body.includes('UpdateAccessKey') || active ? 200 : 403, { 'content-type': 'text/xml' });
      if (req.body.includes('UpdateAccessKey')) {
        active = false;
        res.end('<UpdateAccessKeyResponse/>');
      } else if (active) res.end('<GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/ci</Arn><Account>123456789012</Account><UserId>AIDAX</UserId></GetCallerIdentityResult>');
      else res.end('<ErrorResponse><Error><Code>InvalidClientTokenId</Code></Error></ErrorResponse>');
    });
    const v = await runCli(['verify', '--endpoint', `aws=${server.url}`], text);
    expect(v.stdout).toContain('[aws.secret-access-key]');
    expect(v.stdout).toContain('LIVE  (verified by aws.sts)');
    expect(v.stdout).toContain('arn        arn:aws:iam::123456789012:user/ci');
    expect(v.stdout).toContain('keysweep revoke --hash');
    const r = await runCli(['revoke', '--yes', '--endpoint', `aws=${server.url}`], text);
    expect(r.stdout).toContain(`sent       POST ${new URL(server.url).host} / (Action=UpdateAccessKey, AccessKeyId={{parts.id}}, Status=Inactive)`);
    expect(r.stdout).toContain('result     revoked (confirmed dead)');
    expect(server.received.map((q) => new URLSearchParams(q.body).get('Action'))).toEqual(['GetCallerIdentity', 'GetCallerIdentity', 'UpdateAccessKey', 'GetCallerIdentity']);
    expect(r.stdout + v.stdout).not.toContain('2pqbhVhLYOc513wULw+nZ7UlgLvxzh66dJRrRYUZ');
  });
});
