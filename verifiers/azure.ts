import { baseOf } from '../src/verify/http-spec.js';
import { jwtClaims, signSharedKey, xmlText } from '../src/verify/signing.js';
import type { CodeVerifierModule, Credential, VerifyContext, VerifyResult } from '../src/verify/types.js';
import { templateFailure } from '../src/verify/http-spec.js';

/**
 * Azure: Entra ID (Azure AD) client secrets with a client-credentials token request for Microsoft Graph
 * (a token proves the secret; nothing is changed), and Storage account keys with a Shared Key-signed
 * "List Containers" (one result at most).
 */

/** AADSTS codes that mean the secret (or the app it belongs to) does not work. */
const DEAD_AADSTS = new Map([
  [7000215, 'invalid client secret'],
  [7000222, 'client secret expired'],
  [700016, 'application not found in the tenant'],
  [90002, 'tenant not found'],
  [700023, 'application disabled'],
]);

async function verifyClientSecret(c: Credential, ctx: VerifyContext): Promise<VerifyResult> {
  const tenant = c.parts.tenant_id;
  const clientId = c.parts.client_id;
  if (!tenant || !clientId) return { status: 'unverified', reason: `missing part ${!tenant ? 'tenant_id' : 'client_id'}` };
  const url = `${ctx.baseUrl('login').replace(/\/+$/, '')}/${encodeURIComponent(tenant)}/oauth2/v2.0/token`;
  const body = new URLSearchParams({ client_id: clientId, client_secret: c.secret, scope: 'https://graph.microsoft.com/.default', grant_type: 'client_credentials' }).toString();
  const out = await ctx.http.send({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  if (!out.ok) return { status: 'unknown', reason: out.reason };
  const res = out.response;
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(res.body) as Record<string, unknown>;
  } catch {
    return { status: 'unknown', reason: `unexpected body: not JSON (HTTP ${res.status})` };
  }
  if (res.status === 200 && typeof json.access_token === 'string') {
    const identity: Record<string, string> = { tenant_id: tenant, client_id: clientId };
    // What the token says about the app: its name and the application permissions granted to it.
    const claims = jwtClaims(json.access_token) ?? {};
    if (typeof claims.app_displayname === 'string') identity.app = claims.app_displayname;
    if (Array.isArray(claims.roles)) identity.roles = claims.roles.filter((r) => typeof r === 'string').join(', ');
    return { status: 'live', identity };
  }
  const codes = Array.isArray(json.error_codes) ? json.error_codes.filter((n): n is number => typeof n === 'number') : [];
  if ((res.status === 400 || res.status === 401) && codes.some((n) => DEAD_AADSTS.has(n))) return { status: 'dead' };
  if (res.status === 429) return { status: 'unknown', reason: 'rate limited (HTTP 429)' };
  if (res.status >= 500) return { status: 'unknown', reason: `server error (HTTP ${res.status})` };
  return { status: 'unknown', reason: `unexpected response (HTTP ${res.status}${codes.length ? `: AADSTS${codes[0]}` : ''})` };
}

async function verifyStorageKey(c: Credential, ctx: VerifyContext): Promise<VerifyResult> {
  const account = c.parts.account;
  if (!account) return { status: 'unverified', reason: 'missing part account' };
  let base: string;
  try {
    base = baseOf(ctx, 'blob', { secret: c.secret, parts: c.parts });
  } catch (err) {
    return { status: 'unverified', reason: templateFailure(err) ?? 'invalid account name' };
  }
  const url = new URL(`${base.replace(/\/+$/, '')}/?comp=list&maxresults=1`);
  let headers: Record<string, string>;
  try {
    headers = signSharedKey({ method: 'GET', url, headers: {}, account, key: c.secret, version: '2021-08-06', now: ctx.now() });
  } catch {
    return { status: 'unverified', reason: 'not a base64 account key' };
  }
  const out = await ctx.http.send({ method: 'GET', url: url.href, headers: { ...headers, accept: 'application/xml' } });
  if (!out.ok) return { status: 'unknown', reason: out.reason };
  const res = out.response;
  if (res.status === 200 && res.body.includes('<EnumerationResults')) {
    const identity: Record<string, string> = { account };
    const first = xmlText(res.body, 'Name');
    if (first) identity.first_container = first;
    return { status: 'live', identity };
  }
  const code = xmlText(res.body, 'Code');
  if (res.status === 403 && code === 'AuthenticationFailed') return { status: 'dead' };
  if (res.status === 503 || res.status === 429) return { status: 'unknown', reason: `rate limited (HTTP ${res.status})` };
  if (res.status >= 500) return { status: 'unknown', reason: `server error (HTTP ${res.status})` };
  return { status: 'unknown', reason: `unexpected response (HTTP ${res.status}${code ? `: ${code}` : ''})` };
}

const azure: CodeVerifierModule = [
  {
    id: 'azure.client-credentials',
    provider: 'azure',
    rules: ['azure.client-secret', 'azure.entra-client-secret'],
    requiredParts: ['tenant_id', 'client_id'],
    endpoints: { login: 'https://login.microsoftonline.com' },
    calls: [{ kind: 'verify', method: 'POST', endpoint: 'login', path: '/{{parts.tenant_id}}/oauth2/v2.0/token (grant_type=client_credentials)' }],
    references: ['https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow#first-case-access-token-request-with-a-shared-secret'],
    verify: verifyClientSecret,
  },
  {
    id: 'azure.storage-shared-key',
    provider: 'azure',
    // Needs the account name as part account.
    rules: ['azure.storage-connection-string', 'azure.storage-account-key'],
    requiredParts: ['account'],
    endpoints: { blob: 'https://{{parts.account}}.blob.core.windows.net' },
    calls: [{ kind: 'verify', method: 'GET', endpoint: 'blob', path: '/?comp=list&maxresults=1' }],
    references: ['https://learn.microsoft.com/rest/api/storageservices/list-containers2', 'https://learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key'],
    verify: verifyStorageKey,
  },
];

export default azure;
