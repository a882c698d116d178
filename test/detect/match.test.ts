import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Matcher } from '../../src/detect/match.js';
import { compileRegex } from '../../src/detect/regex.js';
import { loadRules } from '../../src/detect/rules.js';
import { placeholderReason, shannonEntropy } from '../../src/detect/filters.js';
import { githubCrc32 } from '../../src/detect/checksums/github-crc32.js';
import { githubToken, randomString, tempDir } from '../helpers.js';

const PAIR_RULES = `
provider: demo
references: [https://example.org/docs]
rules:
  - id: demo.key-id
    name: Demo key id
    severity: info
    standalone: false
    keywords: [DMID]
    pattern: '\\b(?P<secret>DMID[A-Z0-9]{12})\\b'
    examples: {positive: ['id DMID0A1B2C3D4E5F', 'x=DMIDZZ9Y8X7W6V5U'], negative: ['DMID']}
  - id: demo.secret
    name: Demo secret
    severity: high
    keywords: [demo_secret]
    pattern: '(?i)demo_secret\\s*=\\s*(?P<secret>[A-Za-z0-9]{32})\\b'
    entropy: 3.5
    requires: [{part: id, rule: demo.key-id, within: 2}]
    examples:
      positive: ['DMID0A1B2C3D4E5F demo_secret=Qy2Jo6s2PAU5sKSKkIBBUaWx0PjDXAac', 'DMIDZZ9Y8X7W6V5U demo_secret=aK3jd93JfnP0qLm2Vb7Xc1Zs8Rt4Yu6W']
      negative: ['demo_secret=Qy2Jo6s2PAU5sKSKkIBBUaWx0PjDXAac']
  - id: demo.account
    name: Demo account number
    severity: info
    standalone: false
    keywords: [demo_account_marker]
    pattern: '\\b(?P<secret>AC[0-9]{10})\\b'
    examples: {positive: ['AC7301928465', 'x AC5927301846'], negative: ['AC01']}
  - id: demo.paired
    name: Demo paired secret
    severity: high
    keywords: [paired_secret]
    pattern: 'paired_secret=(?P<secret>[A-Za-z0-9]{24})\\b'
    requires: [{part: account, rule: demo.account, within: 3}]
    examples: {positive: ['AC7301928465 paired_secret=Qy2Jo6s2PAU5sKSKkIBBUaWx', 'AC5927301846 paired_secret=aK3jd93JfnP0qLm2Vb7Xc1Zs'], negative: ['paired_secret=Qy2Jo6s2PAU5sKSKkIBBUaWx']}
  - id: demo.generic
    name: Demo generic
    severity: low
    fallback: true
    keywords: [token]
    pattern: 'token\\s*=\\s*(?P<secret>[A-Za-z0-9_]{20,64})'
    entropy: 3
    examples: {positive: ['token = Qy2Jo6s2PAU5sKSKkIBBUaWx0PjDXAac', 'token=aK3jd93JfnP0qLm2Vb7Xc1Z'], negative: ['token = ghp_qFjvrYsAr0zc3fEFhNsbqfzqy9MDwA2wwUvZ']}
`;

function demoMatcher(): Matcher {
  const dir = tempDir();
  writeFileSync(join(dir, 'demo.yml'), PAIR_RULES);
  const builtin = loadRules([join(import.meta.dirname, '../../patterns/github.yml')]);
  return new Matcher([...loadRules([dir], { validatePatterns: true }), ...builtin]);
}

describe('Matcher', () => {
  it('pairs a secret with its id part within the allowed distance and reports them as one finding', () => {
    const m = demoMatcher();
    const secret = randomString(32);
    const found = m.find(Buffer.from(`key_id: DMID0A1B2C3D4E5F\ndemo_secret = ${secret}\n`));
    expect(found.map((c) => [c.rule.id, c.secret, c.parts])).toEqual([['demo.secret', secret, { id: 'DMID0A1B2C3D4E5F' }]]);
  });

  it('drops a secret whose mandatory part is missing or too far away', () => {
    const m = demoMatcher();
    const far = `DMID0A1B2C3D4E5F\n\n\n\ndemo_secret = ${randomString(32)}\n`;
    expect(m.find(Buffer.from(far))).toEqual([]);
  });

  it('finds a part without a keyword of its own a few lines from its secret, in large inputs too', () => {
    const secret = randomString(24);
    const block = (gap: number) => `paired_secret=${secret}\n${'filler line\n'.repeat(gap)}account AC7301928465\n`;
    const filler = 'export const value = compute(input);\n'.repeat(1200);
    for (const locate of [0, 1 << 30]) {
      // locate 0: every input is located (keyword windows); 1 << 30: rules run over whole inputs.
      const m = new Matcher(demoMatcher().rules, true, locate);
      for (const text of [block(2), `${filler}${block(2)}${filler}`]) {
        expect(m.find(Buffer.from(text)).map((c) => [c.rule.id, c.parts])).toEqual([['demo.paired', { account: 'AC7301928465' }]]);
      }
      expect(m.find(Buffer.from(`${filler}${block(6)}${filler}`))).toEqual([]);
    }
  });

  it('finds a secret in a large input after inputs without any keyword (the native presence pass)', () => {
    const m = new Matcher(demoMatcher().rules);
    const quiet = 'INFO served path=/api/v1/items status=200 duration_ms=12\n'.repeat(6000); // 340 KB
    const token = githubToken();
    const loud = `${quiet}const t = "${token}";\n${quiet}`;
    for (let round = 0; round < 2; round++) {
      expect(m.find(Buffer.from(quiet))).toEqual([]);
      expect(m.find(Buffer.from(loud)).map((c) => [c.rule.id, c.secret])).toEqual([['github.pat-classic', token]]);
    }
  });

  it('finds with a relaxed regex exactly the matches of a pattern with large counted repetitions', () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'long.yml'),
      `provider: long
references: [https://example.org/docs]
rules:
  - id: long.jwt
    name: Long token
    severity: high
    keywords: [lt_]
    pattern: 'lt_(?P<secret>eyJ[A-Za-z0-9_-]{10,100}\\.[A-Za-z0-9_-]{10,100})(?:[^A-Za-z0-9_.-]|$)'
    examples: {positive: ['lt_eyJhbGciOiJIUzI1.eyJzdWIiOiIxMjM0NTY3'], negative: ['lt_eyJhbGci']}
`,
    );
    const [rule] = loadRules([dir], { validatePatterns: true });
    expect(rule?.finder).not.toBeNull();
    const m = new Matcher([rule!], false, 1 << 30);
    const segment = (n: number) => 'Ab3_'.repeat(n).slice(0, n);
    // Too long for the exact pattern (the relaxed one takes it), then ones that fit, on one line and
    // on separate lines, with a too-long one between them.
    const text = [
      `lt_eyJ${segment(150)}.${segment(20)} lt_eyJ${segment(40)}.${segment(30)}`,
      `lt_eyJ${segment(12)}.${segment(120)}`,
      `a=lt_eyJ${segment(99)}.${segment(100)};lt_eyJ${segment(10)}.${segment(10)}`,
    ].join('\n');
    const exact = compileRegex(rule!.pattern, 'g');
    const expected: string[] = [];
    for (let x = exact.exec(text); x; x = exact.exec(text)) expected.push(text.slice(...(x.indices?.groups?.secret as [number, number])));
    expect(expected).toHaveLength(3);
    expect(m.find(Buffer.from(text)).map((c) => c.secret)).toEqual(expected);
  });

  it('lets a fallback rule yield to a specific rule on the same text, even one its checksum rejected', () => {
    const m = demoMatcher();
    const good = githubToken();
    const bad = `${good.slice(0, -1)}${good.endsWith('A') ? 'B' : 'A'}`;
    expect(m.find(Buffer.from(`token = ${good}`)).map((c) => c.rule.id)).toEqual(['github.pat-classic']);
    expect(m.find(Buffer.from(`token = ${bad}`))).toEqual([]);
    expect(m.find(Buffer.from(`token = ${randomString(30)}`)).map((c) => c.rule.id)).toEqual(['demo.generic']);
  });
});

describe('filters', () => {
  it('entropy', () => {
    expect(shannonEntropy('aaaa')).toBe(0);
    expect(shannonEntropy('abcd')).toBe(2);
  });

  it.each([
    'AKIAIOSFODNN7EXAMPLE',
    'xxxxxxxxxxxxxxxxxxxx',
    '${GITHUB_TOKEN}',
    '{{ .Values.token }}',
    '<your-api-key>',
    'your_api_key_here',
    'abcdefghijklmnop',
    '1234567890123456',
    'abcabcabcabcabcabc',
    'aaaaaaaaaaaaaaaaaaab',
  ])('%s is a placeholder', (value) => {
    expect(placeholderReason(value)).toBeDefined();
  });

  it('random tokens are not placeholders', () => {
    for (let i = 0; i < 2000; i++) expect(placeholderReason(randomString(40))).toBeUndefined();
  });
});

describe('github-crc32', () => {
  it('accepts generated tokens and rejects any one-character change', () => {
    for (let i = 0; i < 200; i++) {
      const t = githubToken();
      expect(githubCrc32.validate(t)).toBe(true);
      const pos = 4 + (i % 36);
      const c = t[pos] === 'a' ? 'b' : 'a';
      expect(githubCrc32.validate(t.slice(0, pos) + c + t.slice(pos + 1))).toBe(false);
    }
  });
});
