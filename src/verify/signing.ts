import { createHash, createHmac, createSign } from 'node:crypto';

/**
 * Request signing for the code verifiers, written with node:crypto only: AWS Signature Version 4,
 * Azure Storage Shared Key, and RS256 JSON Web Tokens.
 */

export interface SigV4Request {
  method: string;
  url: URL;
  /** Headers to send and sign (lower-case names); `host` is taken from the URL. */
  headers: Record<string, string>;
  body: string;
  region: string;
  service: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  now: Date;
}

/**
 * Signs a request with AWS Signature Version 4 and returns the headers to send (the given ones plus
 * `x-amz-date`, `x-amz-security-token` and `authorization`).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
export function signV4(req: SigV4Request): Record<string, string> {
  const amzDate = req.now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = { ...lower(req.headers), 'x-amz-date': amzDate };
  if (req.sessionToken) headers['x-amz-security-token'] = req.sessionToken;
  const signed: Record<string, string> = { ...headers, host: req.url.host };
  const names = Object.keys(signed).sort();
  const canonicalHeaders = names.map((n) => `${n}:${(signed[n] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const signedHeaders = names.join(';');
  const canonicalRequest = [
    req.method,
    req.url.pathname.split('/').map(awsEncode).join('/') || '/',
    canonicalQuery(req.url.searchParams),
    canonicalHeaders,
    signedHeaders,
    sha256Hex(req.body),
  ].join('\n');
  const scope = `${day}/${req.region}/${req.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  let key: Buffer = hmac(`AWS4${req.secretAccessKey}`, day);
  for (const part of [req.region, req.service, 'aws4_request']) key = hmac(key, part);
  const signature = createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${req.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}

function canonicalQuery(params: URLSearchParams): string {
  return [...params]
    .map(([k, v]) => [awsEncode(k), awsEncode(v)] as const)
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

/** RFC 3986 encoding as AWS wants it: everything but A-Z a-z 0-9 - _ . ~ is percent-encoded. */
export function awsEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export interface SharedKeyRequest {
  method: string;
  url: URL;
  /** Headers to send (lower-case names); `x-ms-date` and `x-ms-version` are added. */
  headers: Record<string, string>;
  account: string;
  /** The base64 account key. */
  key: string;
  version: string;
  now: Date;
}

/**
 * Signs an Azure Storage request with Shared Key (for the Blob, Queue and File services) and returns
 * the headers to send. https://learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key
 */
export function signSharedKey(req: SharedKeyRequest): Record<string, string> {
  const headers: Record<string, string> = { ...lower(req.headers), 'x-ms-date': req.now.toUTCString(), 'x-ms-version': req.version };
  const canonicalHeaders = Object.keys(headers)
    .filter((n) => n.startsWith('x-ms-'))
    .sort()
    .map((n) => `${n}:${(headers[n] ?? '').trim()}\n`)
    .join('');
  const query = [...req.url.searchParams]
    .map(([k, v]) => [k.toLowerCase(), v] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `\n${k}:${v}`)
    .join('');
  const resource = `/${req.account}${req.url.pathname}${query}`;
  const contentLength = headers['content-length'] && headers['content-length'] !== '0' ? headers['content-length'] : '';
  const stringToSign = [
    req.method,
    headers['content-encoding'] ?? '',
    headers['content-language'] ?? '',
    contentLength,
    headers['content-md5'] ?? '',
    headers['content-type'] ?? '',
    '', // Date: x-ms-date is used instead
    headers['if-modified-since'] ?? '',
    headers['if-match'] ?? '',
    headers['if-none-match'] ?? '',
    headers['if-unmodified-since'] ?? '',
    headers.range ?? '',
    `${canonicalHeaders}${resource}`,
  ].join('\n');
  const signature = createHmac('sha256', Buffer.from(req.key, 'base64')).update(stringToSign, 'utf8').digest('base64');
  headers.authorization = `SharedKey ${req.account}:${signature}`;
  return headers;
}

/** An RS256-signed JWT. Throws if the key is not a usable RSA private key. */
export function signJwtRs256(header: Record<string, unknown>, claims: Record<string, unknown>, privateKeyPem: string): string {
  const encode = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${encode({ alg: 'RS256', typ: 'JWT', ...header })}.${encode(claims)}`;
  const signature = createSign('RSA-SHA256').update(input).sign(privateKeyPem).toString('base64url');
  return `${input}.${signature}`;
}

/** The claims of a JWT (no signature check): for reading what a provider's token says about its holder. */
export function jwtClaims(token: string): Record<string, unknown> | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return claims && typeof claims === 'object' ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function sha256Hex(data: string): string {
  return createHash('sha256').update(data, 'utf8').digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

function lower(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

/** The text of the first `<Name>…</Name>` element of an XML document (AWS and Azure answer in XML). */
export function xmlText(xml: string, name: string): string | undefined {
  const m = new RegExp(`<${name}>([^<]{0,2000})</${name}>`).exec(xml);
  return m?.[1]?.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}
