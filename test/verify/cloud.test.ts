import { createHash, createHmac, createVerify, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import aws from '../../verifiers/aws.js';
import azure from '../../verifiers/azure.js';
import gcp from '../../verifiers/gcp.js';
import { Endpoints } from '../../src/verify/endpoints.js';
import { VerifyEngine } from '../../src/verify/index.js';
import { Registry } from '../../src/verify/loader.js';
import { revokeCredential } from '../../src/verify/revoke.js';
import type { Verifier } from '../../src/verify/types.js';
import { json, startServer, type Received } from './helpers.js';

const all = [aws, gcp, azure].flatMap((m) => (Array.isArray(m) ? m : [m])).map((v) => ({ ...v, file: 'test' }) as Verifier);
const registry = new Registry(all);
const NOW = new Date('2025-03-01T10:00:00Z');

function engine(overrides: string[]) {
  return new VerifyEngine({ registry, endpoints: new Endpoints(overrides, {}), now: () => NOW, http: { retries: 0, perHostRate: 1000 } });
}

const KEY_ID = 'AKIAIOSFODNN7REALKEY';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLE1';
const aws1 = { ruleId: 'aws.secret-access-key', provider: 'aws', secret: SECRET, parts: { id: KEY_ID } };

/** Recomputes the SigV4 signature the way AWS does, from what the server received. */
function checkSigV4(req: Received, host: string, service: string): void {
  const auth = String(req.headers.authorization);
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/us-east-1\/([a-z]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(auth);
  expect(m, auth).not.toBeNull();
  const [, keyId, day, svc, signedHeaders, signature] = m as unknown as string[];
  expect(keyId).toBe(KEY_ID);
  expect(svc).toBe(service);
  expect(day).toBe('20250301');
  expect(req.headers['x-amz-date']).toBe('20250301T100000Z');
  const names = (signedHeaders as string).split(';');
  expect(names).toEqual(['content-type', 'host', 'x-amz-date']);
  const canonicalHeaders = names.map((n) => `${n}:${n === 'host' ? host : String(req.headers[n])}\n`).join('');
  const sha = (s: string) => createHash('sha256').update(s).digest('hex');
  const canonical = ['POST', '/', '', canonicalHeaders, signedHeaders, sha(req.body)].join('\n');
  const sts = ['AWS4-HMAC-SHA256', '20250301T100000Z', `20250301/us-east-1/${service}/aws4_request`, sha(canonical)].join('\n');
  let k: Buffer = createHmac('sha256', `AWS4${SECRET}`).update('20250301').digest();
  for (const p of ['us-east-1', service, 'aws4_request']) k = createHmac('sha256', k).update(p).digest();
  expect(createHmac('sha256', k).update(sts).digest('hex')).toBe(signature);
}

const STS_OK = `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/deploy</Arn><UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`;
const stsError = (code: string) => `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>m</Message></Error></ErrorResponse>`;

describe('aws', () => {
  it('verifies with a SigV4-signed sts:GetCallerIdentity and names the principal', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(STS_OK);
    });
    const e = engine([`aws=${server.url}`]);
    expect(await e.verify(aws1)).toEqual({ status: 'live', verifier: 'aws.sts', identity: { arn: 'arn:aws:iam::123456789012:user/deploy', account: '123456789012', user_id: 'AIDAEXAMPLE' } });
    const req = server.received[0] as Received;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/');
    expect(req.body).toBe('Action=GetCallerIdentity&Version=2011-06-15');
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded; charset=utf-8');
    checkSigV4(req, new URL(server.url).host, 'sts');
    await e.close();
  });

  it('dead for an unknown key or a wrong secret; unknown for throttling and 5xx', async () => {
    const answers = [
      [403, stsError('InvalidClientTokenId')],
      [403, stsError('SignatureDoesNotMatch')],
      [400, stsError('Throttling')],
      [500, stsError('InternalFailure')],
    ] as const;
    let i = 0;
    const server = await startServer((_req, res) => {
      const [status, body] = answers[i++] ?? [500, ''];
      res.writeHead(status, { 'content-type': 'text/xml' });
      res.end(body);
    });
    const verdicts = [];
    for (let n = 0; n < answers.length; n++) verdicts.push(await engine([`aws=${server.url}`]).reverify(aws1));
    expect(verdicts.map((v) => v.status)).toEqual(['dead', 'dead', 'unknown', 'unknown']);
    expect(verdicts[2]).toMatchObject({ reason: 'rate limited (HTTP 400)' });
  });

  it('needs the key id', async () => {
    expect(await engine([]).verify({ ...aws1, parts: {} })).toEqual({ status: 'unverified', reason: 'missing part id' });
  });

  it('revokes with iam:UpdateAccessKey Status=Inactive, then confirms with STS', async () => {
    let active = true;
    const server = await startServer((req, res) => {
      res.writeHead(req.body.includes('UpdateAccessKey') ? 200 : active ? 200 : 403, { 'content-type': 'text/xml' });
      if (req.body.includes('UpdateAccessKey')) {
        active = false;
        res.end('<UpdateAccessKeyResponse/>');
      } else res.end(active ? STS_OK : stsError('InvalidClientTokenId'));
    });
    const e = engine([`aws=${server.url}`]);
    const dry = await revokeCredential(aws1, { engine: e, execute: false });
    expect(dry.status).toBe('would-revoke');
    expect(dry.requests).toEqual([{ method: 'POST', host: new URL(server.url).host, path: '/ (Action=UpdateAccessKey, AccessKeyId={{parts.id}}, Status=Inactive)' }]);
    expect(server.received).toHaveLength(1);
    const done = await revokeCredential(aws1, { engine: e, execute: true });
    expect(done).toMatchObject({ status: 'revoked', message: 'revoked (confirmed dead)' });
    const update = server.received.find((r) => r.body.includes('UpdateAccessKey')) as Received;
    expect(update.body).toBe(`Action=UpdateAccessKey&AccessKeyId=${KEY_ID}&Status=Inactive&Version=2010-05-08`);
    checkSigV4(update, new URL(server.url).host, 'iam');
    expect(JSON.stringify(done)).not.toContain(SECRET);
  });
});

describe('gcp', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const keyFile = JSON.stringify({ type: 'service_account', project_id: 'acme-prod', private_key_id: 'abc123', private_key: pem, client_email: 'deployer@acme-prod.iam.gserviceaccount.com', token_uri: 'https://evil.example/token' });

  it('signs a JWT with the key and exchanges it at the fixed token endpoint', async () => {
    const server = await startServer((req, res) => {
      const assertion = new URLSearchParams(req.body).get('assertion') ?? '';
      const [h, c, s] = assertion.split('.');
      const valid = createVerify('RSA-SHA256').update(`${h}.${c}`).verify(publicKey, Buffer.from(s ?? '', 'base64url'));
      if (valid) json(res, 200, { access_token: 'ya29.short-lived', token_type: 'Bearer', expires_in: 3599 });
      else json(res, 400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
    });
    const e = engine([`gcp=${server.url}`]);
    const v = await e.verify({ ruleId: 'gcp.service-account-private-key', provider: 'gcp', secret: keyFile, parts: {} });
    expect(v).toEqual({ status: 'live', verifier: 'gcp.service-account', identity: { service_account: 'deployer@acme-prod.iam.gserviceaccount.com', project: 'acme-prod', key_id: 'abc123' } });
    const req = server.received[0] as Received;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/token');
    const form = new URLSearchParams(req.body);
    expect(form.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    const claims = JSON.parse(Buffer.from((form.get('assertion') ?? '').split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({ iss: 'deployer@acme-prod.iam.gserviceaccount.com', aud: 'https://oauth2.googleapis.com/token', iat: NOW.getTime() / 1000, exp: NOW.getTime() / 1000 + 300 });

    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const dead = await e.verify({ ruleId: 'gcp.service-account-private-key', provider: 'gcp', secret: other.replace(/\n/g, '\\n'), parts: { client_email: 'old@acme-prod.iam.gserviceaccount.com' } });
    expect(dead).toEqual({ status: 'dead', verifier: 'gcp.service-account' });
    await e.close();
  });

  it('unverified when the finding holds only the head of the key', async () => {
    const head = pem.slice(0, 300).replace(/\n/g, '\\n');
    expect(await engine(['gcp=http://127.0.0.1:9']).verify({ ruleId: 'gcp.service-account-private-key', provider: 'gcp', secret: head, parts: { key_id: 'abc' } })).toEqual({
      status: 'unverified',
      reason: 'missing the whole private key (the finding holds only its beginning)',
    });
  });

  it('unverified without an account or with a broken key', async () => {
    const e = engine(['gcp=http://127.0.0.1:9']);
    expect(await e.verify({ ruleId: 'gcp.service-account-private-key', provider: 'gcp', secret: pem, parts: {} })).toEqual({ status: 'unverified', reason: 'missing part client_email (the service account)' });
    expect(await e.verify({ ruleId: 'gcp.service-account-private-key', provider: 'gcp', secret: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----', parts: { client_email: 'a@b.iam.gserviceaccount.com' } })).toEqual({
      status: 'unverified',
      reason: 'not a usable RSA private key',
    });
  });
});

describe('azure', () => {
  it('client secret: a client-credentials token request; AADSTS7000215 is dead', async () => {
    const token = `x.${Buffer.from(JSON.stringify({ app_displayname: 'deploy-app', roles: ['User.Read.All'] })).toString('base64url')}.y`;
    const server = await startServer((req, res) => {
      const form = new URLSearchParams(req.body);
      if (form.get('client_secret') === 'Q~good-secret-value-0123456789abcdefghij') json(res, 200, { token_type: 'Bearer', access_token: token });
      else json(res, 401, { error: 'invalid_client', error_codes: [7000215] });
    });
    const e = engine([`azure=${server.url}`]);
    const parts = { tenant_id: '72f988bf-86f1-41af-91ab-2d7cd011db47', client_id: '00000000-1111-2222-3333-444444444444' };
    expect(await e.verify({ ruleId: 'azure.client-secret', provider: 'azure', secret: 'Q~good-secret-value-0123456789abcdefghij', parts })).toEqual({
      status: 'live',
      verifier: 'azure.client-credentials',
      identity: { ...parts, app: 'deploy-app', roles: 'User.Read.All' },
    });
    expect(await e.verify({ ruleId: 'azure.client-secret', provider: 'azure', secret: 'Q~wrong-secret-value-0123456789abcdefghi', parts })).toEqual({ status: 'dead', verifier: 'azure.client-credentials' });
    const req = server.received[0] as Received;
    expect(req.method).toBe('POST');
    expect(req.path).toBe(`/${parts.tenant_id}/oauth2/v2.0/token`);
    expect(Object.fromEntries(new URLSearchParams(req.body))).toEqual({ client_id: parts.client_id, client_secret: 'Q~good-secret-value-0123456789abcdefghij', scope: 'https://graph.microsoft.com/.default', grant_type: 'client_credentials' });
    await e.close();
  });

  it('storage key: a Shared Key-signed List Containers; AuthenticationFailed is dead', async () => {
    const key = Buffer.from('0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef').toString('base64');
    const server = await startServer((req, res) => {
      const stringToSign = `GET\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:${String(req.headers['x-ms-date'])}\nx-ms-version:2021-08-06\n/acmestore/\ncomp:list\nmaxresults:1`;
      const expected = `SharedKey acmestore:${createHmac('sha256', Buffer.from(key, 'base64')).update(stringToSign).digest('base64')}`;
      if (req.headers.authorization === expected) {
        res.writeHead(200, { 'content-type': 'application/xml' });
        res.end('<?xml version="1.0"?><EnumerationResults ServiceEndpoint="x"><Containers><Container><Name>backups</Name></Container></Containers></EnumerationResults>');
      } else {
        res.writeHead(403, { 'content-type': 'application/xml' });
        res.end('<?xml version="1.0"?><Error><Code>AuthenticationFailed</Code></Error>');
      }
    });
    const e = engine([`azure.blob=${server.url}`]);
    expect(await e.verify({ ruleId: 'azure.storage-account-key', provider: 'azure', secret: key, parts: { account: 'acmestore' } })).toEqual({
      status: 'live',
      verifier: 'azure.storage-shared-key',
      identity: { account: 'acmestore', first_container: 'backups' },
    });
    const other = Buffer.from('another key of 32 bytes exactly!').toString('base64');
    expect(await e.verify({ ruleId: 'azure.storage-account-key', provider: 'azure', secret: other, parts: { account: 'acmestore' } })).toEqual({ status: 'dead', verifier: 'azure.storage-shared-key' });
    expect(server.received[0]?.path).toBe('/?comp=list&maxresults=1');
    expect(server.received[0]?.headers['x-ms-version']).toBe('2021-08-06');
    await e.close();
  });

  it('builds the storage host from the account name, refusing anything but one DNS label', async () => {
    const e = engine([]);
    expect(await e.verify({ ruleId: 'azure.storage-account-key', provider: 'azure', secret: 'a2V5', parts: { account: 'evil.example.com/x' } })).toEqual({
      status: 'unverified',
      reason: '{{parts.account}} cannot be used in a host: not a single DNS label',
    });
  });
});
