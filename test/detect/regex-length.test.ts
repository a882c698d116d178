import { describe, expect, it } from 'vitest';
import { gatePattern, maxMatchBytes, relaxedPattern } from '../../src/detect/regex-length.js';
import { compileRegex } from '../../src/detect/regex.js';

describe('maxMatchBytes', () => {
  it('bounds what a match can span, counting possibly non-ASCII characters wide', () => {
    expect(maxMatchBytes('ab(?P<secret>[0-9]{4})')).toBe(6);
    expect(maxMatchBytes('x{2,3}|yyyy')).toBe(4);
    expect(maxMatchBytes('a+')).toBe(Infinity);
    expect(maxMatchBytes('[^a]{2}')).toBe(8);
  });
});

describe('gatePattern', () => {
  it('is the part before a top-level secret group, when it holds a few literal characters', () => {
    expect(gatePattern('(?i)acme[_-]?token\\s{0,4}[:=]\\s{0,4}(?P<secret>[a-z0-9]{40})')).toBe('(?i)acme[_-]?token\\s{0,4}[:=]\\s{0,4}');
    // Too loose to help, secret nested, or a top-level alternation (the prefix is then not needed).
    expect(gatePattern('\\b(?P<secret>sl\\.[A-Za-z0-9]{130,1000})')).toBeUndefined();
    expect(gatePattern('key=(?:(?P<secret>[a-z]{20}))')).toBeUndefined();
    expect(gatePattern('acme_key=(?P<secret>[a-z]{20})|other')).toBeUndefined();
    expect(gatePattern('(?P<secret>PuTTY-User-Key-File-[23])')).toBeUndefined();
    // Brackets and parentheses inside classes and escapes do not confuse it.
    expect(gatePattern('acme[(|)]\\(x\\|(?P<secret>[a-z]{20})')).toBe('acme[(|)]\\(x\\|');
  });

  it('never rejects text the whole pattern matches', () => {
    const pattern = '(?i)acme[\\w.-]{0,8}?(?:key|token)["\']?\\s{0,4}[:=]\\s{0,4}["\']?(?P<secret>[A-Za-z0-9]{24})\\b';
    const gate = compileRegex(gatePattern(pattern) as string, '');
    const whole = compileRegex(pattern, '');
    for (const text of ['ACME_API_KEY = "Qy2Jo6s2PAU5sKSKkIBBUaWx"', "acme.token: 'aK3jd93JfnP0qLm2Vb7Xc1Zs'", 'acme key is nothing', 'token=Qy2Jo6s2PAU5sKSKkIBBUaWx']) {
      if (whole.test(text)) expect(gate.test(text)).toBe(true);
    }
    expect(gate.test('acme key is nothing')).toBe(false);
  });
});

describe('relaxedPattern', () => {
  it('opens large counted repetitions, and only those outside classes and escapes', () => {
    expect(relaxedPattern('eyJ[A-Za-z0-9_-]{10,500}\\.[a-z]{2,8}(?:x{3,64}?)')).toBe('eyJ[A-Za-z0-9_-]{10,}\\.[a-z]{2,8}(?:x{3,}?)');
    expect(relaxedPattern('[a-z]{20,40}')).toBeUndefined();
    // A brace inside a class or after a backslash is a literal; \Q…\E quotes.
    expect(relaxedPattern('[{1,100}]\\{1,100}\\Qa{1,100}\\E')).toBeUndefined();
    expect(relaxedPattern('[]{1,100}][[:alpha:]{]{1,100}')).toBe('[]{1,100}][[:alpha:]{]{1,}');
  });

  it('matches everything the exact pattern matches, so it can look for candidates', () => {
    const exact = compileRegex('tok_(?P<secret>[a-z0-9]{8,80})\\b', 'g');
    const relaxed = compileRegex(relaxedPattern(exact.source) as string, 'g');
    for (let n = 1; n < 120; n += 7) {
      const text = `x tok_${'a1'.repeat(n)} y`;
      exact.lastIndex = 0;
      relaxed.lastIndex = 0;
      if (exact.test(text)) expect(relaxed.test(text)).toBe(true);
    }
  });
});
