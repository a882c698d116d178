import { describe, expect, it } from 'vitest';
import { Endpoints } from '../../src/verify/endpoints.js';
import { HttpClient } from '../../src/verify/http.js';
import { VerifyEngine } from '../../src/verify/index.js';
import { loadVerifiers, readSpecFiles } from '../../src/verify/loader.js';
import { BUILTIN_VERIFIERS_DIR } from '../../src/util/paths.js';
import type { ResponseSpec } from '../../src/verify/spec-schema.js';
import type { Credential, HttpResponse } from '../../src/verify/types.js';
import { builtinRules, credentialOf, replay } from './helpers.js';

const errors: string[] = [];
const { files } = readSpecFiles(BUILTIN_VERIFIERS_DIR, errors);
const registry = await loadVerifiers({ ruleIds: new Set(builtinRules().map((r) => r.id)), codeDir: null });

function toResponse(r: ResponseSpec): HttpResponse {
  const headers = Object.fromEntries(Object.entries(r.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  return { status: r.status, headers, body: r.json !== undefined ? JSON.stringify(r.json) : (r.body ?? '') };
}

function engineWith(responses: HttpResponse[]) {
  const { transport, sent } = replay(responses);
  const http = new HttpClient({ transport, retries: 0, perHostRate: 1e6 });
  return { engine: new VerifyEngine({ registry, endpoints: new Endpoints([], {}), http }), sent };
}

/** Every form in which a request can carry the secret. */
function carries(req: { url: string; headers: Record<string, string>; body?: string }, secret: string): boolean {
  const text = `${decodeURIComponent(req.url)}\n${Object.values(req.headers).join('\n')}\n${req.body ?? ''}\n${decodeURIComponent((req.body ?? '').replace(/\+/g, ' '))}`;
  const basic = Object.values(req.headers)
    .filter((h) => h.startsWith('Basic '))
    .map((h) => Buffer.from(h.slice(6), 'base64').toString('utf8'));
  return text.includes(secret) || basic.some((b) => b.includes(secret));
}

describe('verifier files', () => {
  it('load without errors', () => {
    expect(errors).toEqual([]);
    expect(files.length).toBeGreaterThan(0);
  });
});

for (const file of files) {
  describe(file.file, () => {
    for (const spec of file.spec.verifiers) {
      const verifier = registry.get(spec.id);
      it(`${spec.id}: has live, dead and unknown cases`, () => {
        const kinds = new Set(spec.cases.map((c) => c.expect));
        expect([...kinds].sort()).toEqual(['dead', 'live', 'unknown']);
      });
      for (const [i, c] of spec.cases.entries()) {
        it(`${spec.id}: case ${i} (${c.name ?? c.expect})`, async () => {
          expect(verifier).toBeDefined();
          const ruleId = c.rule ?? spec.rules[0] ?? '';
          const example = credentialOf(ruleId, verifier?.requiredParts ?? []);
          const secret = c.secret ?? example?.secret;
          expect(secret, `no credential for ${ruleId}: give the case a secret`).toBeTruthy();
          const cred: Credential = { ruleId, provider: file.spec.provider, secret: secret as string, parts: { ...(example?.parts ?? {}), ...(c.parts ?? {}) } };
          const { engine, sent } = engineWith([toResponse(c.response)]);
          const verdict = await engine.verify(cred);
          expect(verdict.status, JSON.stringify(verdict)).toBe(c.expect);
          expect(sent).toHaveLength(1);
          const req = sent[0]!;
          expect(req.method).toBe(spec.verify.request.method);
          expect(carries(req, cred.secret), 'the request must carry the secret').toBe(true);
          const host = new URL(req.url).host;
          const expectedHost = new URL(spec.endpoint.replace(/\{\{\s*parts\.(\w+)\s*\}\}/g, (_, p: string) => cred.parts[p] ?? 'x')).host;
          expect(host).toBe(expectedHost.toLowerCase());
          expect(JSON.stringify(verdict)).not.toContain(cred.secret);
          if (c.identity) expect(verdict.status === 'live' ? verdict.identity : undefined).toMatchObject(c.identity);
          if (c.reason) expect(verdict.status === 'unknown' ? verdict.reason : '').toContain(c.reason);
        });
      }
      for (const [i, c] of (spec.revoke?.cases ?? []).entries()) {
        it(`${spec.id}: revoke case ${i} (${c.name ?? c.expect})`, async () => {
          const revoker = verifier?.revoker;
          expect(revoker).toBeDefined();
          const ruleId = spec.rules[0] ?? '';
          const example = credentialOf(ruleId, verifier?.requiredParts ?? []);
          const cred: Credential = { ruleId, provider: file.spec.provider, secret: example?.secret ?? '', parts: example?.parts ?? {} };
          const { engine, sent } = engineWith([toResponse(c.response)]);
          const identity = c.identity ?? {};
          const result = await revoker!.revoke(cred, engine.context(verifier!), identity);
          expect(result.ok, JSON.stringify(result)).toBe(c.expect === 'ok');
          expect(sent).toHaveLength(1);
          expect(sent[0]!.method).toBe(spec.revoke!.request.method);
          expect(carries(sent[0]!, cred.secret) || revoker!.needsIdentity.length > 0).toBe(true);
          const plan = revoker!.plan(cred, engine.context(verifier!), identity);
          expect(JSON.stringify(plan)).not.toContain(cred.secret);
          expect(JSON.stringify(result)).not.toContain(cred.secret);
        });
      }
    }
  });
}
