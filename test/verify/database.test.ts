import { describe, expect, it } from 'vitest';
import { isPrivateAddress } from '../../verifiers/database.js';
import { VerifyEngine } from '../../src/verify/index.js';
import { loadVerifiers } from '../../src/verify/loader.js';
import { builtinRules, json, startServer } from './helpers.js';

const registry = await loadVerifiers({ ruleIds: new Set(builtinRules().map((r) => r.id)) });

describe('database verifiers', () => {
  it('logs in to CouchDB over HTTP with GET /_session', async () => {
    const server = await startServer((req, res) => {
      const ok = req.headers.authorization === `Basic ${Buffer.from('admin:s3cr3t-Pass').toString('base64')}`;
      if (ok) json(res, 200, { ok: true, userCtx: { name: 'admin', roles: ['_admin'] } });
      else json(res, 401, { error: 'unauthorized' });
    });
    const port = new URL(server.url).port;
    const engine = new VerifyEngine({ registry, allowPrivateHosts: true });
    const parts = { host: '127.0.0.1', port, scheme: 'http', username: 'admin' };
    expect(await engine.verify({ ruleId: 'couchdb.connection-url', provider: 'couchdb', secret: 's3cr3t-Pass', parts })).toEqual({
      status: 'live',
      verifier: 'database.couchdb',
      identity: { server: '127.0.0.1', user: 'admin', roles: '_admin' },
    });
    expect(await engine.verify({ ruleId: 'couchdb.connection-url', provider: 'couchdb', secret: 'wrong-pass', parts })).toEqual({ status: 'dead', verifier: 'database.couchdb' });
    expect(server.received.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /_session', 'GET /_session']);
    await engine.close();
  });

  it('logs in to Elasticsearch with GET /_security/_authenticate', async () => {
    const server = await startServer((req, res) => {
      if (req.path === '/_security/_authenticate' && req.headers.authorization === `Basic ${Buffer.from('elastic:hv2Zw_o8QA6wEGnN').toString('base64')}`) json(res, 200, { username: 'elastic', roles: ['superuser'] });
      else json(res, 401, { error: { type: 'security_exception' } });
    });
    const engine = new VerifyEngine({ registry, allowPrivateHosts: true });
    const v = await engine.verify({ ruleId: 'elastic.connection-url', provider: 'elastic', secret: 'hv2Zw_o8QA6wEGnN', parts: { host: '127.0.0.1', port: new URL(server.url).port, scheme: 'http', username: 'elastic' } });
    expect(v).toEqual({ status: 'live', verifier: 'database.elasticsearch', identity: { server: '127.0.0.1', user: 'elastic', roles: 'superuser' } });
    await engine.close();
  });

  it('refuses private and loopback servers unless allowed, and says why it cannot check the others', async () => {
    const engine = new VerifyEngine({ registry });
    const parts = { host: '127.0.0.1', port: '5984', scheme: 'http', username: 'admin' };
    expect(await engine.verify({ ruleId: 'couchdb.connection-url', provider: 'couchdb', secret: 'pw-123456', parts })).toEqual({
      status: 'unverified',
      reason: 'the host is a private or loopback address (allow with --verify-private-hosts)',
    });
    expect(await engine.verify({ ruleId: 'couchdb.connection-url', provider: 'couchdb', secret: 'pw-123456', parts: {} })).toEqual({
      status: 'unverified',
      reason: 'the rule does not capture the server and user (parts host and username)',
    });
    expect(await engine.verify({ ruleId: 'postgres.connection-url', provider: 'postgres', secret: 'pw-123456', parts: {} })).toEqual({
      status: 'unverified',
      reason: "PostgreSQL logins need the database's own protocol; keysweep verifies only HTTP-reachable databases",
    });
    await engine.close();
  });

  it('classifies addresses', () => {
    for (const a of ['10.1.2.3', '127.0.0.1', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fd00::1', 'fe80::1', '::ffff:10.0.0.1']) expect(isPrivateAddress(a), a).toBe(true);
    for (const a of ['8.8.8.8', '172.32.0.1', '2606:4700::1111']) expect(isPrivateAddress(a), a).toBe(false);
  });
});
