import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BASE64_MIN_CHARS, BASE64_RUN_BYTES, base64Values, decodeBase64Text, decodeEscapes, decodePercent, findEncodedRegions } from '../../src/detect/decode.js';
import { KeywordAutomaton } from '../../src/detect/keyword-automaton.js';
import { githubToken, runCli, tempDir } from '../helpers.js';

interface F {
  file: string;
  line: number;
  column: number;
  secret: string;
  ruleId: string;
  encoding?: string[];
  snippet: string;
}

async function scanText(name: string, text: string): Promise<F[]> {
  const dir = tempDir();
  writeFileSync(join(dir, name), text);
  const r = await runCli(['scan', dir, '--format', 'json', '--show-secrets']);
  if (r.code === 2) throw new Error(r.stderr);
  return (JSON.parse(r.stdout) as { findings: F[] }).findings;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('secrets hidden behind an encoding', () => {
  it('finds a token in a Kubernetes Secret data value, at the line of the value', async () => {
    const token = githubToken();
    const yaml = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ci\ndata:\n  username: ${b64('deploy')}\n  config: ${b64(`GITHUB_TOKEN=${token}\n`)}\n`;
    const found = await scanText('secret.yaml', yaml);
    expect(found.map((f) => [f.ruleId, f.line, f.column, f.secret, f.encoding])).toEqual([['github.pat-classic', 7, 11, token, ['base64']]]);
    const dir = tempDir();
    writeFileSync(join(dir, 's.yaml'), yaml);
    const redacted = await runCli(['scan', dir]);
    expect(redacted.stdout).toContain('(base64-encoded)');
    expect(redacted.stdout).not.toContain(b64(`GITHUB_TOKEN=${token}\n`).slice(0, 20));
  });

  it('finds tokens in Basic auth headers and docker auth fields', async () => {
    const [a, b] = [githubToken(), githubToken()];
    const text = `curl -H "Authorization: Basic ${b64(`x-access-token:${a}`)}" https://api\n{"auths":{"ghcr.io":{"auth":"${b64(`bot:${b}`)}"}}}\n`;
    const found = (await scanText('notes.txt', text)).filter((f) => f.ruleId === 'github.pat-classic');
    expect(found.map((f) => [f.line, f.secret, f.encoding])).toEqual([
      [1, a, ['base64']],
      [2, b, ['base64']],
    ]);
  });

  it('finds secrets behind percent-encoding and JSON escapes, and two levels deep', async () => {
    const token = githubToken();
    const text = [
      'conn=https%3A%2F%2Fdeploy%3AZq8vT3kL9mW2%40artifacts.acme.io%2Fnpm',
      '{"msg":"{\\"api_key\\":\\"K1CuxxQkNPTkgrOlEfkfmGaE\\"}"}',
      'url: "https:\\u002F\\u002Fdeploy:Pw8vT3kL9mW7@repo.acme.io"',
      `blob: ${b64(`cfg=https%3A%2F%2Fci%3A${token}%40github.com`)}`,
    ].join('\n');
    const found = await scanText('log.txt', text);
    const summary = found.map((f) => [f.line, f.ruleId, f.secret, f.encoding]);
    expect(summary).toContainEqual([1, 'generic.url-credentials', 'Zq8vT3kL9mW2', ['percent']]);
    expect(summary).toContainEqual([2, 'generic.api-key', 'K1CuxxQkNPTkgrOlEfkfmGaE', ['escape']]);
    expect(summary).toContainEqual([3, 'generic.url-credentials', 'Pw8vT3kL9mW7', ['escape']]);
    expect(summary).toContainEqual([4, 'github.pat-classic', token, ['base64', 'percent']]);
  });

  it('leaves binary base64 (images) and long identifiers alone', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 1, 0]);
    expect(decodeBase64Text(Buffer.from(png.toString('base64')))).toBeUndefined();
    expect(decodeBase64Text(Buffer.from('thisIsAVeryLongVariableNameForTesting'))).toBeUndefined();
    expect(decodeBase64Text(Buffer.from(b64('hello world, plain text')))?.toString()).toBe('hello world, plain text');
    expect(decodePercent(Buffer.from('a%2Fb%3D'))?.toString()).toBe('a/b=');
    expect(decodeEscapes(Buffer.from('a\\u002Fb\\"c\\nd'))?.toString()).toBe('a/b"c\nd');
  });

  it('finds base64 values, escapes and percent-encoding by their markers, not identifiers', () => {
    const regions = (text: string) => findEncodedRegions(Buffer.from(text)).map((r) => [r.encoding, text.slice(r.start, r.end), r.decoded.toString()]);
    // Letters only, but padded: still base64. Letters only and unpadded: an identifier, left alone.
    const lettersOnly = b64('access:deploy:pass:user');
    expect(lettersOnly).toMatch(/^[A-Za-z]+=+$/);
    expect(regions(`x = "${lettersOnly}"`)).toEqual([['base64', lettersOnly, 'access:deploy:pass:user']]);
    expect(regions('const AnnotationPropertiesOfTheVeryLongKind = 1;')).toEqual([]);
    // A digit late in the value, and a value shorter than 20 characters.
    expect(regions(`v: ${b64('user-name:pa55word-value')}\nw: ${b64('short1')}\n`).map((r) => r[2])).toEqual(['user-name:pa55word-value']);
    // Escapes: the marker's line is decoded; a lone backslash is not a marker.
    expect(regions('path C:\\dir and "a\\u0041b"\nno \\q here\n')).toEqual([['escape', 'path C:\\dir and "a\\u0041b"', 'path C:\\dir and "aAb"']]);
    expect(regions('https%3A%2F%2Fhost and 100%')).toEqual([['percent', 'https%3A%2F%2Fhost', 'https://host']]);
  });

  it('does not report a secret twice when it is readable as it is', async () => {
    const token = githubToken();
    const found = await scanText('x.json', `{"a":"\\"quoted\\"", "t":"${token}"}\n`);
    expect(found.map((f) => [f.secret, f.encoding])).toEqual([[token, undefined]]);
  });

  it('picks the same base64 values from the runs the keyword pass notes as from its own regex pass', () => {
    const automaton = new KeywordAutomaton(['token', 'secret']);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
    const around = [' ', '\t', '\n', '"', "'", '=', ':', '>', '`', '(', ')', ',', ';', '<', '-', '_', '.', '#', '==', '===', '=,', '= '];
    let seed = 7;
    const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
    const pick = (from: string, n: number) => Array.from({ length: n }, () => from[random(from.length)]).join('');
    let values = 0;
    for (let round = 0; round < 200; round++) {
      let text = '';
      while (text.length < 3000) {
        const leading = pick(letters, random(50));
        // Base64 of text (decodes), letters with a late or early digit, and short runs.
        const body = random(3) === 0 ? Buffer.from(`token=${pick(letters, 10 + random(30))}`).toString('base64').replace(/=+$/, '') : leading + pick(alphabet, random(40));
        text += around[random(around.length)] + body + around[random(around.length)];
      }
      const buf = Buffer.from(text);
      const runs = { inRun: BASE64_RUN_BYTES, length: BASE64_MIN_CHARS, starts: [] as number[] };
      automaton.find(buf, 64, runs);
      const fromRegex = [...base64Values(buf)];
      expect([...base64Values(buf, runs.starts)]).toEqual(fromRegex);
      values += fromRegex.length;
      // And the regions decoded from them.
      const regions = (starts?: number[]) => findEncodedRegions(buf, starts).map((r) => [r.start, r.end, r.encoding, r.decoded.toString('latin1')]);
      expect(regions(runs.starts)).toEqual(regions());
    }
    expect(values).toBeGreaterThan(1000);
  });

  it('undoes escapes byte by byte exactly as a string replace does', () => {
    // The plain way: as a string, one regex replace.
    const reference = (raw: Buffer): Buffer | undefined => {
      let changed = false;
      const out = raw.toString('utf8').replace(/\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|["'/\\bfnrt])/g, (_, esc: string) => {
        changed = true;
        if (esc[0] === 'u' || esc[0] === 'x') return String.fromCharCode(parseInt(esc.slice(1), 16));
        return ({ b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' } as Record<string, string>)[esc] ?? esc;
      });
      return changed ? Buffer.from(out, 'utf8') : undefined;
    };
    const pieces = ['a', 'é', '€', '😀', ' ', '\\', '\\\\', '\\n', '\\t', '\\"', "\\'", '\\/', '\\b', '\\f', '\\r', '\\x41', '\\xe9', '\\xZZ', '\\u0041', '\\u00e9', '\\u20AC', '\\ud83d\\ude00', '\\ud83d', '\\ude00', '\\ud83dx', '\\u12', '\\q', '\\.', 'u0041'];
    let seed = 11;
    const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
    for (let round = 0; round < 2000; round++) {
      const raw = Buffer.from(Array.from({ length: 1 + random(12) }, () => pieces[random(pieces.length)]).join(''));
      expect(decodeEscapes(raw)?.toString('hex'), raw.toString()).toBe(reference(raw)?.toString('hex'));
    }
  });
});

