import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { parseDuration, VerifyCache } from '../../src/verify/cache.js';
import { Endpoints } from '../../src/verify/endpoints.js';
import { HttpClient, parseRetryAfter } from '../../src/verify/http.js';
import { VerifyEngine } from '../../src/verify/index.js';
import { endpointProblems, loadVerifiers } from '../../src/verify/loader.js';
import { scrub } from '../../src/verify/scrub.js';
import { MissingValueError, render, renderForDisplay, templateProblems, UnsafeValueError } from '../../src/verify/template.js';
import type { HttpRequest, HttpResponse } from '../../src/verify/types.js';
import { json, replay, startServer } from './helpers.js';

const vars = { secret: 'tok/en:1 2', parts: { id: 'AKIA1', account: 'acme' }, identity: { token_id: '42' } };

describe('template', () => {
  it('fills {{secret}}, {{parts.x}}, {{identity.x}}, encoded for where they go', () => {
    expect(render('/bot{{secret}}/getMe', vars, 'path')).toBe('/bottok%2Fen:1%202/getMe');
    expect(render('token {{ secret }}', vars, 'header')).toBe('token tok/en:1 2');
    expect(render('{{parts.account}}', vars, 'host')).toBe('acme');
    expect(render('/t/{{identity.token_id}}', vars, 'path')).toBe('/t/42');
  });

  it('accepts no expressions and no unknown names', () => {
    expect(templateProblems('{{secret | base64}}', { identity: false })).toHaveLength(1);
    expect(templateProblems('{{ env.HOME }}', { identity: false })[0]).toContain('is not a placeholder');
    expect(templateProblems('{{identity.id}}', { identity: false })[0]).toContain('only available to revocation');
    expect(templateProblems('{{secret}', { identity: false })).toEqual(['unbalanced "{{" or "}}"']);
    expect(templateProblems('Bearer {{secret}}', { identity: false })).toEqual([]);
  });

  it('refuses values that would change the shape of a request', () => {
    expect(() => render('{{secret}}', { secret: 'a\r\nX-Evil: 1', parts: {} }, 'header')).toThrow(UnsafeValueError);
    expect(() => render('{{parts.account}}', { secret: 's', parts: { account: 'evil.com/x' } }, 'host')).toThrow(UnsafeValueError);
    expect(() => render('{{parts.id}}', { secret: 's', parts: {} }, 'path')).toThrow(MissingValueError);
    try {
      render('{{secret}}', { secret: 'a\nb-secret-value', parts: {} }, 'header');
    } catch (err) {
      expect(String(err)).not.toContain('secret-value');
    }
  });

  it('shows secrets as placeholders and identity fields as values in dry runs', () => {
    expect(renderForDisplay('/-/npm/v1/tokens/token/{{secret}}', vars)).toBe('/-/npm/v1/tokens/token/{{secret}}');
    expect(renderForDisplay('/v1/api_tokens/{{identity.token_id}}', vars)).toBe('/v1/api_tokens/42');
  });
});

describe('scrub', () => {
  it('removes the secret, its encodings and Basic pairs', () => {
    const c = { secret: 'sekret-value', parts: { id: 'AKIAXYZ' } };
    const basic = Buffer.from('AKIAXYZ:sekret-value').toString('base64');
    const out = scrub(`a sekret-value b ${encodeURIComponent('sekret-value')} c ${basic} d ${Buffer.from('sekret-value').toString('base64')}`, c);
    expect(out).not.toContain('sekret-value');
    expect(out).not.toContain(basic.replace(/=+$/, ''));
    expect(out).toContain('[REDACTED]');
  });
});

describe('endpoint URLs', () => {
  it('allow host placeholders only as (part of) one label under a fixed domain', () => {
    expect(endpointProblems('https://api.github.com')).toEqual([]);
    expect(endpointProblems('https://{{parts.account}}.blob.core.windows.net')).toEqual([]);
    expect(endpointProblems('https://{{parts.app_id}}-dsn.algolia.net')).toEqual([]);
    expect(endpointProblems('https://{{parts.host}}')).not.toEqual([]);
    expect(endpointProblems('https://{{parts.sub}}.com')).not.toEqual([]);
    expect(endpointProblems('https://api.example.com/{{secret}}')).toContain('placeholders may only stand in the host');
    expect(endpointProblems('ftp://x.example.com')).toContain('must be an http(s) URL');
    expect(endpointProblems('https://x.example.com/?a=1')).toContain('no query, fragment or credentials in a base URL');
  });
});

describe('Endpoints', () => {
  it('reads flags and KEYSWEEP_ENDPOINT_* variables; a flag wins; the specific key wins', () => {
    const e = new Endpoints(['github=http://127.0.0.1:1/api/v3/'], { KEYSWEEP_ENDPOINT_GITHUB: 'http://127.0.0.1:2', KEYSWEEP_ENDPOINT_AWS_IAM: 'http://127.0.0.1:3' });
    expect(e.resolve('github', 'api', 'https://api.github.com')).toEqual({ url: 'http://127.0.0.1:1/api/v3', overridden: true });
    expect(e.resolve('aws', 'iam', 'https://iam.amazonaws.com')).toEqual({ url: 'http://127.0.0.1:3', overridden: true });
    expect(e.resolve('aws', 'sts', 'https://sts.amazonaws.com')).toEqual({ url: 'https://sts.amazonaws.com', overridden: false });
  });

  it('rejects bad URLs and unknown providers on the command line; warns about stray variables', () => {
    expect(() => new Endpoints(['github'], {})).toThrow(/expected PROVIDER=URL/);
    expect(() => new Endpoints(['github=ftp://x'], {})).toThrow(/only http and https/);
    expect(() => new Endpoints(['github=https://u:p@x.example.com'], {})).toThrow(/no credentials/);
    expect(() => new Endpoints(['gthub=http://x.example.com'], {}).unknown(new Set(['github']))).toThrow(/--endpoint gthub/);
    expect(new Endpoints([], { KEYSWEEP_ENDPOINT_NOPE: 'http://x.example.com' }).unknown(new Set(['github']))).toEqual([
      'environment KEYSWEEP_ENDPOINT_NOPE: no verifier has that provider or endpoint; ignored',
    ]);
  });
});

describe('HttpClient', () => {
  const ok: HttpResponse = { status: 200, headers: {}, body: '{}' };
  const req: HttpRequest = { method: 'GET', url: 'https://api.example.com/x', headers: { Authorization: 'x' } };

  it('retries transient failures only, and state-changing requests only after a 429', async () => {
    const flaky = replay([{ status: 503, headers: {}, body: '' }, ok]);
    const http = new HttpClient({ transport: flaky.transport, backoffMs: 1 });
    expect(await http.send(req)).toEqual({ ok: true, response: ok });
    expect(flaky.sent).toHaveLength(2);
    expect(flaky.sent[0]?.headers).toMatchObject({ authorization: 'x', accept: 'application/json' });

    const notFound = replay([{ status: 404, headers: {}, body: '' }, ok]);
    await new HttpClient({ transport: notFound.transport, backoffMs: 1 }).send(req);
    expect(notFound.sent).toHaveLength(1);

    const post = replay([{ status: 503, headers: {}, body: '' }, ok]);
    const r = await new HttpClient({ transport: post.transport, backoffMs: 1 }).send({ ...req, method: 'DELETE' }, { idempotent: false });
    expect(r).toMatchObject({ ok: true, response: { status: 503 } });
    expect(post.sent).toHaveLength(1);

    const limited = replay([{ status: 429, headers: { 'retry-after': '0' }, body: '' }, ok]);
    await new HttpClient({ transport: limited.transport, backoffMs: 1 }).send({ ...req, method: 'DELETE' }, { idempotent: false });
    expect(limited.sent).toHaveLength(2);
  });

  it('returns network failures as reasons with a code, never a message', async () => {
    const http = new HttpClient({
      transport: async () => {
        throw Object.assign(new Error('connect ECONNREFUSED https://api.example.com/x?key=SECRET'), { code: 'ECONNREFUSED' });
      },
    });
    expect(await http.send(req)).toEqual({ ok: false, reason: 'network error (ECONNREFUSED)' });
  });

  it('spaces requests to one host by the rate limit, and lets Retry-After hold the host', async () => {
    const times: number[] = [];
    const http = new HttpClient({
      perHostRate: 10,
      transport: async () => {
        times.push(Date.now());
        return ok;
      },
    });
    await Promise.all([http.send(req), http.send(req), http.send(req)]);
    expect(times[2]! - times[0]!).toBeGreaterThanOrEqual(180);
  });

  it('parses Retry-After seconds and dates', () => {
    expect(parseRetryAfter('5')).toBe(5000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(10_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });

  it('stops a hanging server at the timeout, over a real socket', async () => {
    const server = await startServer(() => {
      // no answer
    });
    const http = new HttpClient({ timeoutMs: 200 });
    const started = Date.now();
    expect(await http.send({ ...req, url: `${server.url}/x` })).toEqual({ ok: false, reason: 'timeout after 200 ms' });
    expect(Date.now() - started).toBeLessThan(2000);
    await http.close();
  });
});

describe('VerifyCache', () => {
  it('keeps live and dead verdicts for the TTL, keyed by hash', () => {
    const file = join(tempDir(), 'c', 'cache.json');
    let now = 1_000;
    const cache = new VerifyCache(file, 60_000, () => now);
    const key = VerifyCache.key('github.user', { secret: 'ghp_secretvalue', parts: {} });
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    cache.set(key, { status: 'live', verifier: 'github.user', identity: { login: 'octo' } });
    cache.set(VerifyCache.key('x', { secret: 'y', parts: {} }), { status: 'unknown', verifier: 'x', reason: 'timeout' });
    cache.save();
    expect(readFileSync(file, 'utf8')).not.toContain('ghp_secretvalue');
    const again = new VerifyCache(file, 60_000, () => now);
    expect(again.get(key)).toEqual({ status: 'live', verifier: 'github.user', identity: { login: 'octo' } });
    expect(again.get(VerifyCache.key('x', { secret: 'y', parts: {} }))).toBeUndefined();
    now += 61_000;
    expect(again.get(key)).toBeUndefined();
  });

  it('ignores a broken cache file', () => {
    const file = join(tempDir(), 'cache.json');
    writeFileSync(file, '{not json');
    expect(new VerifyCache(file, 1000).get('0'.repeat(64))).toBeUndefined();
  });

  it('parses durations', () => {
    expect(parseDuration('24h')).toBe(86_400_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('10')).toBe(10_000);
    expect(parseDuration('soon')).toBeUndefined();
  });
});

describe('loader', () => {
  function dir(files: Record<string, string>): string {
    const d = tempDir();
    mkdirSync(d, { recursive: true });
    for (const [name, text] of Object.entries(files)) writeFileSync(join(d, name), text);
    return d;
  }
  const valid = (rule: string, extra = '') => `provider: acme
verifiers:
  - id: acme.me
    rules: [${rule}]
    endpoint: https://api.acme.example
    verify:
      request: {method: GET, path: /me, headers: {Authorization: 'Bearer {{secret}}'}}
      live: {status: [200]}
      dead: {status: [401]}
${extra}    cases:
      - {response: {status: 200}, expect: live}
      - {response: {status: 401}, expect: dead}
      - {response: {status: 500}, expect: unknown}
`;

  it('fails when a verifier names a rule that does not exist, with file, line and field', async () => {
    const d = dir({ 'acme.yml': valid('acme.nope') });
    await expect(loadVerifiers({ ruleIds: new Set(['acme.key']), yamlDir: d, codeDir: null })).rejects.toThrow(
      /acme\.yml:4: verifiers\[0\] \(acme\.me\): rules\[0\]: no rule "acme\.nope" exists/,
    );
  });

  it('reports schema problems with line and field', async () => {
    const d = dir({ 'acme.yml': valid('acme.key').replace('method: GET', 'method: DELETE') });
    await expect(loadVerifiers({ ruleIds: new Set(['acme.key']), yamlDir: d, codeDir: null })).rejects.toThrow(/acme\.yml:7: verifiers\[0\]\.verify\.request\.method/);
  });

  it('refuses expressions, identity fields in verification, and requests without the secret', async () => {
    const bad = valid('acme.key').replace("'Bearer {{secret}}'", "'Bearer {{secret | upper}}'");
    await expect(loadVerifiers({ ruleIds: new Set(['acme.key']), yamlDir: dir({ 'acme.yml': bad }), codeDir: null })).rejects.toThrow(/verify\.request\.headers\.Authorization: "\{\{secret \| upper\}\}" is not a placeholder/);
    const id = valid('acme.key').replace("'Bearer {{secret}}'", "'Bearer {{identity.x}}'");
    await expect(loadVerifiers({ ruleIds: new Set(['acme.key']), yamlDir: dir({ 'acme.yml': id }), codeDir: null })).rejects.toThrow(/only available to revocation requests/);
    const none = valid('acme.key').replace("headers: {Authorization: 'Bearer {{secret}}'}", 'headers: {}');
    await expect(loadVerifiers({ ruleIds: new Set(['acme.key']), yamlDir: dir({ 'acme.yml': none }), codeDir: null })).rejects.toThrow(/never uses \{\{secret\}\}/);
  });

  it('requires the provider to match the file name and revokers to cite documentation', async () => {
    await expect(loadVerifiers({ ruleIds: new Set(['acme.key']), yamlDir: dir({ 'other.yml': valid('acme.key') }), codeDir: null })).rejects.toThrow(/other\.yml:1: provider: must equal the file name "other"/);
    const revoke = `    revoke:
      request: {method: DELETE, path: /me, headers: {Authorization: 'Bearer {{secret}}'}}
      ok: {status: [204]}
      cases: [{response: {status: 204}, expect: ok}, {response: {status: 401}, expect: failed}]
`;
    await expect(loadVerifiers({ ruleIds: new Set(['acme.key']), yamlDir: dir({ 'acme.yml': valid('acme.key', revoke) }), codeDir: null })).rejects.toThrow(/verifiers\[0\]\.revoke\.docs/);
  });

  it('loads a valid file and verifies through the engine', async () => {
    const registry = await loadVerifiers({ ruleIds: new Set(['acme.key']), yamlDir: dir({ 'acme.yml': valid('acme.key') }), codeDir: null });
    const server = await startServer((r, res) => json(res, r.headers.authorization === 'Bearer good' ? 200 : 401, {}));
    const engine = new VerifyEngine({ registry, endpoints: new Endpoints([`acme=${server.url}`], {}) });
    expect(await engine.verify({ ruleId: 'acme.key', provider: 'acme', secret: 'good', parts: {} })).toEqual({ status: 'live', verifier: 'acme.me' });
    expect(await engine.verify({ ruleId: 'acme.key', provider: 'acme', secret: 'bad', parts: {} })).toEqual({ status: 'dead', verifier: 'acme.me' });
    expect(await engine.verify({ ruleId: 'acme.other', provider: 'acme', secret: 'x', parts: {} })).toEqual({ status: 'unverified', reason: 'no verifier for acme.other' });
    await engine.close();
  });

  it('turns a throwing verifier into unknown, with the secret scrubbed', async () => {
    const registry = await loadVerifiers({ ruleIds: new Set(['acme.key']), yamlDir: dir({ 'acme.yml': valid('acme.key') }), codeDir: null });
    const v = registry.get('acme.me')!;
    v.verify = async (c) => {
      throw new Error(`cannot parse ${c.secret}`);
    };
    const engine = new VerifyEngine({ registry, http: replay([]).transport as never });
    const verdict = await engine.verify({ ruleId: 'acme.key', provider: 'acme', secret: 'super-secret-1', parts: {} });
    expect(verdict).toEqual({ status: 'unknown', verifier: 'acme.me', reason: 'verifier error: Error: cannot parse [REDACTED]' });
  });
});
