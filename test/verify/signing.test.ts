import { createHmac, generateKeyPairSync, createVerify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { jwtClaims, signJwtRs256, signSharedKey, signV4, xmlText } from '../../src/verify/signing.js';

describe('signV4', () => {
  it('reproduces the signature of the AWS documentation example (IAM ListUsers)', () => {
    const headers = signV4({
      method: 'GET',
      url: new URL('https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08'),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: '',
      region: 'us-east-1',
      service: 'iam',
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
      now: new Date('2015-08-30T12:36:00Z'),
    });
    expect(headers['x-amz-date']).toBe('20150830T123600Z');
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7',
    );
  });

  it('signs a session token', () => {
    const headers = signV4({
      method: 'POST',
      url: new URL('https://sts.amazonaws.com/'),
      headers: {},
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
      region: 'us-east-1',
      service: 'sts',
      accessKeyId: 'ASIAEXAMPLE',
      secretAccessKey: 'secret',
      sessionToken: 'token',
      now: new Date('2024-01-01T00:00:00Z'),
    });
    expect(headers['x-amz-security-token']).toBe('token');
    expect(headers.authorization).toContain('SignedHeaders=host;x-amz-date;x-amz-security-token,');
  });
});

describe('signSharedKey', () => {
  it('signs the documented string-to-sign layout', () => {
    const key = Buffer.from('a-storage-account-key-of-some-length').toString('base64');
    const now = new Date('2024-01-02T03:04:05Z');
    const headers = signSharedKey({ method: 'GET', url: new URL('https://acct.blob.core.windows.net/?comp=list&maxresults=1'), headers: {}, account: 'acct', key, version: '2021-08-06', now });
    const expected = `GET\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:${now.toUTCString()}\nx-ms-version:2021-08-06\n/acct/\ncomp:list\nmaxresults:1`;
    const signature = createHmac('sha256', Buffer.from(key, 'base64')).update(expected).digest('base64');
    expect(headers.authorization).toBe(`SharedKey acct:${signature}`);
  });
});

describe('signJwtRs256', () => {
  it('makes a JWT that verifies with the public key', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwt = signJwtRs256({ kid: 'k1' }, { iss: 'a@b', aud: 'x' }, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    const [h, c, s] = jwt.split('.');
    expect(JSON.parse(Buffer.from(h!, 'base64url').toString())).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'k1' });
    expect(jwtClaims(jwt)).toEqual({ iss: 'a@b', aud: 'x' });
    expect(createVerify('RSA-SHA256').update(`${h}.${c}`).verify(publicKey, Buffer.from(s!, 'base64url'))).toBe(true);
  });
});

describe('xmlText', () => {
  it('reads an element', () => {
    expect(xmlText('<a><Arn>arn:aws:iam::1:user/x&amp;y</Arn></a>', 'Arn')).toBe('arn:aws:iam::1:user/x&y');
    expect(xmlText('<a/>', 'Arn')).toBeUndefined();
  });
});
