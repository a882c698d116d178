import { describe, expect, it } from 'vitest';
import { DENSE, KeywordAutomaton } from '../../src/detect/keyword-automaton.js';

/** Every occurrence of every keyword, overlapping ones included, by lower-casing and indexOf. */
function reference(keywords: string[], text: string): Map<number, Array<[number, number]>> {
  const lower = text.toLowerCase();
  const out = new Map<number, Array<[number, number]>>();
  keywords.forEach((k, index) => {
    const word = k.toLowerCase();
    for (let i = lower.indexOf(word); i >= 0; i = lower.indexOf(word, i + 1)) {
      if (!out.has(index)) out.set(index, []);
      out.get(index)?.push([i, i + word.length]);
    }
  });
  return out;
}

function sorted(spans: ReadonlyArray<[number, number]> | undefined) {
  return [...(spans ?? [])].sort((a, b) => a[0] - b[0]);
}

describe('KeywordAutomaton', () => {
  it('finds every keyword, either case, overlapping and nested ones included', () => {
    const keywords = ['api_key', 'key', 'secret', 'sec', 'ghp_', 'hooks.slack.com', 'xoxb-', 'aaa'];
    const text = 'const API_KEY = "x"; my_secret: ghp_abc; https://HOOKS.slack.com/x xoxb-1 aaaa keykey';
    const ac = new KeywordAutomaton(keywords);
    const { present, spans } = ac.find(Buffer.from(text), 100);
    const expected = reference(keywords, text);
    expect(new Set(present)).toEqual(new Set(expected.keys()));
    for (const [k, list] of expected) expect(sorted(spans?.get(k))).toEqual(list);
    // `aaa` twice in `aaaa`, `key` inside `api_key` and twice in `keykey`.
    expect(spans?.get(7)).toHaveLength(2);
    expect(spans?.get(1)).toHaveLength(3);
  });

  it('agrees with a plain search on random text over the keywords\' alphabet', () => {
    const keywords = ['ab', 'abc', 'bca', 'cab', 'aab', 'b-c', 'ca', 'abcab'];
    const ac = new KeywordAutomaton(keywords);
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    for (let round = 0; round < 200; round++) {
      const text = Array.from({ length: 60 }, () => 'aAbBcC-x'[Math.floor(rand() * 8)]).join('');
      const { present, spans } = ac.find(Buffer.from(text), 1000);
      const expected = reference(keywords, text);
      expect(new Set(present)).toEqual(new Set(expected.keys()));
      for (const [k, list] of expected) expect(sorted(spans?.get(k))).toEqual(list);
    }
  });

  it('reports presence only without a limit, and marks a keyword DENSE past the limit', () => {
    const ac = new KeywordAutomaton(['token', 'password']);
    expect(ac.find(Buffer.from('no match here')).present).toEqual([]);
    const text = Buffer.from('token '.repeat(10) + 'password');
    expect(ac.find(text)).toEqual({ present: [0, 1] });
    const { spans } = ac.find(text, 5);
    expect(spans?.get(0)).toBe(DENSE);
    expect(spans?.get(1)).toEqual([[60, 68]]);
  });

  it('counts byte offsets in UTF-8 text and matches a non-ASCII keyword exactly', () => {
    const ac = new KeywordAutomaton(['clé', 'key']);
    const text = Buffer.from('é=1 clé: key');
    const { spans } = ac.find(text, 10);
    expect(spans?.get(0)).toEqual([[5, 9]]);
    expect(spans?.get(1)).toEqual([[11, 14]]);
  });
});
