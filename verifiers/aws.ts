import { signV4, xmlText } from '../src/verify/signing.js';
import type { CodeVerifierModule, Credential, HttpResponse, VerifyContext, VerifyResult } from '../src/verify/types.js';

/**
 * AWS access keys: a SigV4-signed `sts:GetCallerIdentity` (needs no permission, changes nothing, and
 * names the account and principal); revocation sets the key to Inactive with `iam:UpdateAccessKey`
 * (no UserName: IAM applies it to the key's own user), which the owner can undo.
 *
 * The global STS and IAM endpoints serve the `aws` partition; keys of the China or GovCloud partitions
 * are reported as unknown, not dead.
 */

const STS_VERSION = '2011-06-15';
const IAM_VERSION = '2010-05-08';
/** STS error codes that mean the key pair does not work. */
const DEAD_CODES = new Set(['InvalidClientTokenId', 'SignatureDoesNotMatch', 'ExpiredToken', 'InvalidAccessKeyId', 'UnrecognizedClientException']);

async function signedPost(c: Credential, ctx: VerifyContext, endpoint: 'sts' | 'iam', form: Record<string, string>) {
  const url = new URL(`${ctx.baseUrl(endpoint).replace(/\/+$/, '')}/`);
  const body = new URLSearchParams(form).toString();
  const headers = signV4({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body,
    region: 'us-east-1',
    service: endpoint,
    accessKeyId: c.parts.id ?? '',
    secretAccessKey: c.secret,
    sessionToken: c.parts.session_token,
    now: ctx.now(),
  });
  return ctx.http.send({ method: 'POST', url: url.href, headers: { ...headers, accept: 'text/xml' }, body }, { idempotent: endpoint === 'sts' });
}

function errorCode(res: HttpResponse): string | undefined {
  return xmlText(res.body, 'Code');
}

async function verify(c: Credential, ctx: VerifyContext): Promise<VerifyResult> {
  const out = await signedPost(c, ctx, 'sts', { Action: 'GetCallerIdentity', Version: STS_VERSION });
  if (!out.ok) return { status: 'unknown', reason: out.reason };
  const res = out.response;
  if (res.status === 200) {
    const arn = xmlText(res.body, 'Arn');
    if (!arn) return { status: 'unknown', reason: 'unexpected body (HTTP 200)' };
    const identity: Record<string, string> = { arn };
    const account = xmlText(res.body, 'Account');
    const userId = xmlText(res.body, 'UserId');
    if (account) identity.account = account;
    if (userId) identity.user_id = userId;
    if (/:root$/.test(arn)) identity.root = 'true (the account root user: full control of the account)';
    return { status: 'live', identity };
  }
  const code = errorCode(res);
  if ((res.status === 403 || res.status === 400) && code && DEAD_CODES.has(code)) return { status: 'dead' };
  if (res.status === 429 || code === 'Throttling') return { status: 'unknown', reason: `rate limited (HTTP ${res.status})` };
  if (res.status >= 500) return { status: 'unknown', reason: `server error (HTTP ${res.status})` };
  return { status: 'unknown', reason: `unexpected response (HTTP ${res.status}${code ? `: ${code}` : ''})` };
}

const aws: CodeVerifierModule = {
  id: 'aws.sts',
  provider: 'aws',
  rules: ['aws.secret-access-key'],
  requiredParts: ['id'],
  endpoints: { sts: 'https://sts.amazonaws.com', iam: 'https://iam.amazonaws.com' },
  calls: [
    { kind: 'verify', method: 'POST', endpoint: 'sts', path: '/ (Action=GetCallerIdentity)' },
    { kind: 'revoke', method: 'POST', endpoint: 'iam', path: '/ (Action=UpdateAccessKey, Status=Inactive)' },
  ],
  references: ['https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html'],
  verify,
  revoker: {
    docs: [
      'https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccessKey.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html#rotating_access_keys_console',
    ],
    needsIdentity: [],
    plan(_c, ctx) {
      return [{ method: 'POST', host: new URL(ctx.baseUrl('iam')).host, path: '/ (Action=UpdateAccessKey, AccessKeyId={{parts.id}}, Status=Inactive)' }];
    },
    async revoke(c, ctx) {
      const out = await signedPost(c, ctx, 'iam', { Action: 'UpdateAccessKey', AccessKeyId: c.parts.id ?? '', Status: 'Inactive', Version: IAM_VERSION });
      if (!out.ok) return { ok: false, reason: out.reason };
      if (out.response.status === 200) return { ok: true, detail: 'access key set to Inactive (delete it with "aws iam delete-access-key" once nothing needs it)' };
      const code = errorCode(out.response);
      return { ok: false, reason: `the provider answered HTTP ${out.response.status}${code ? `: ${code}` : ''}` };
    },
  },
};

export default aws;
