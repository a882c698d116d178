import { signJwtRs256 } from '../src/verify/signing.js';
import type { CodeVerifierModule, Credential, VerifyContext, VerifyResult } from '../src/verify/types.js';

/**
 * Google Cloud service-account keys: a JWT signed with the private key, exchanged at Google's token
 * endpoint (the OAuth 2.0 JWT bearer flow). A token is proof the key works; nothing is changed. The
 * token endpoint is fixed — never the `token_uri` written in the found key file.
 * https://developers.google.com/identity/protocols/oauth2/service-account#httprest
 */

const TOKEN_AUDIENCE = 'https://oauth2.googleapis.com/token';
const SCOPE = 'https://www.googleapis.com/auth/cloud-platform.read-only';

interface KeyMaterial {
  privateKey: string;
  email: string;
  keyId?: string;
}

/** The key and account from a found key file (JSON) or from a PEM key with the account as a part. */
export function keyMaterial(c: Credential): KeyMaterial | { missing: string } {
  let privateKey = c.secret;
  let email = c.parts.client_email ?? c.parts.email;
  let keyId = c.parts.private_key_id ?? c.parts.key_id;
  if (c.secret.trimStart().startsWith('{')) {
    try {
      const file = JSON.parse(c.secret) as Record<string, unknown>;
      if (typeof file.private_key === 'string') privateKey = file.private_key;
      if (typeof file.client_email === 'string') email = file.client_email;
      if (typeof file.private_key_id === 'string') keyId = file.private_key_id;
    } catch {
      return { missing: 'a readable key file' };
    }
  }
  // Keys copied out of JSON keep their "\n" escapes.
  privateKey = privateKey.replace(/\\n/g, '\n');
  if (!/-----END [A-Z ]*PRIVATE KEY-----/.test(privateKey)) return { missing: 'the whole private key (the finding holds only its beginning)' };
  if (!email) return { missing: 'part client_email (the service account)' };
  return keyId ? { privateKey, email, keyId } : { privateKey, email };
}

async function verify(c: Credential, ctx: VerifyContext): Promise<VerifyResult> {
  const key = keyMaterial(c);
  if ('missing' in key) return { status: 'unverified', reason: `missing ${key.missing}` };
  const now = Math.floor(ctx.now().getTime() / 1000);
  let assertion: string;
  try {
    assertion = signJwtRs256(key.keyId ? { kid: key.keyId } : {}, { iss: key.email, scope: SCOPE, aud: TOKEN_AUDIENCE, iat: now, exp: now + 300 }, key.privateKey);
  } catch {
    return { status: 'unverified', reason: 'not a usable RSA private key' };
  }
  const url = `${ctx.baseUrl('token').replace(/\/+$/, '')}/token`;
  const body = new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString();
  const out = await ctx.http.send({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  if (!out.ok) return { status: 'unknown', reason: out.reason };
  const res = out.response;
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(res.body) as Record<string, unknown>;
  } catch {
    return { status: 'unknown', reason: `unexpected body: not JSON (HTTP ${res.status})` };
  }
  const project = /@([a-z0-9-]+)\.iam\.gserviceaccount\.com$/.exec(key.email)?.[1];
  if (res.status === 200 && typeof json.access_token === 'string') {
    const identity: Record<string, string> = { service_account: key.email };
    if (project) identity.project = project;
    if (key.keyId) identity.key_id = key.keyId;
    return { status: 'live', identity };
  }
  const error = typeof json.error === 'string' ? json.error : '';
  // invalid_grant: the key was deleted ("Invalid JWT Signature") or the account is gone;
  // invalid_client / unauthorized_client: the account is disabled or deleted.
  if ((res.status === 400 || res.status === 401) && ['invalid_grant', 'invalid_client', 'unauthorized_client'].includes(error)) return { status: 'dead' };
  if (res.status === 429) return { status: 'unknown', reason: 'rate limited (HTTP 429)' };
  if (res.status >= 500) return { status: 'unknown', reason: `server error (HTTP ${res.status})` };
  return { status: 'unknown', reason: `unexpected response (HTTP ${res.status}${error ? `: ${error}` : ''})` };
}

const gcp: CodeVerifierModule = {
  id: 'gcp.service-account',
  provider: 'gcp',
  // The key file's private key; its id comes as part key_id. A signature needs the whole key and the
  // account's email (part client_email): without them the verdict is unverified, with the reason.
  rules: ['gcp.service-account-private-key'],
  requiredParts: [],
  endpoints: { token: 'https://oauth2.googleapis.com' },
  calls: [{ kind: 'verify', method: 'POST', endpoint: 'token', path: '/token (grant_type=jwt-bearer)' }],
  references: ['https://developers.google.com/identity/protocols/oauth2/service-account#httprest'],
  verify,
};

export default gcp;
