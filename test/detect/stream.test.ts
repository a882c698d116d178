import { describe, expect, it } from 'vitest';
import { Matcher } from '../../src/detect/match.js';
import { loadRules } from '../../src/detect/rules.js';
import { StreamScanner, type Hit } from '../../src/detect/stream.js';
import { BUILTIN_PATTERNS_DIR } from '../../src/util/paths.js';
import { githubToken, randomString } from '../helpers.js';

const matcher = new Matcher(loadRules([BUILTIN_PATTERNS_DIR]).filter((r) => r.id === 'github.pat-classic'));

/**
 * Feeds the text in pieces of the given sizes, each pushed or (`via: 'read'`) read in place into the
 * scanner's window, or alternately both ways (`via: 'mixed'`).
 */
function scanPieces(text: string, pieceSizes: () => number, options: { windowBytes: number; overlapBytes: number; showSecrets?: boolean }, via: 'push' | 'read' | 'mixed' = 'push'): Hit[] {
  const hits: Hit[] = [];
  const s = new StreamScanner(matcher, (h) => hits.push(h), options);
  const buf = Buffer.from(text, 'utf8');
  for (let at = 0, i = 0; at < buf.length; i++) {
    const n = Math.max(1, pieceSizes());
    if (via === 'push' || (via === 'mixed' && i % 2 === 0)) {
      s.push(buf.subarray(at, at + n));
      at += n;
    } else {
      at += s.readInto((into, offset, length) => buf.copy(into, offset, at, Math.min(buf.length, at + Math.min(n, length))));
    }
  }
  s.end();
  return hits;
}

/** Where each token really is: 1-based line and character column. */
function expectedPositions(text: string, tokens: string[]): Array<{ line: number; column: number; secret: string }> {
  const out: Array<{ line: number; column: number; secret: string }> = [];
  for (const token of tokens) {
    const at = text.indexOf(token);
    const before = text.slice(0, at);
    const line = before.split('\n').length;
    const column = [...before.slice(before.lastIndexOf('\n') + 1)].length + 1;
    out.push({ line, column, secret: token });
  }
  return out.sort((a, b) => a.line - b.line || a.column - b.column);
}

describe('StreamScanner', () => {
  it('finds every secret exactly once, at the right line and column, however the input is cut', () => {
    const tokens: string[] = [];
    let text = '';
    for (let i = 0; i < 300; i++) {
      // Lines of varied length, some with multi-byte characters before the token.
      text += `${'é€'.repeat(i % 7)}${randomString(i % 90)} `;
      if (i % 3 === 0) {
        const t = githubToken();
        tokens.push(t);
        text += `token=${t} `;
      }
      if (i % 5 !== 0) text += '\n';
    }
    const expected = expectedPositions(text, tokens);
    for (const [windowBytes, overlapBytes] of [[768, 256], [3000, 1000], [1 << 20, 1 << 16]] as const) {
      for (const pieces of [() => 1 + Math.floor(Math.random() * 50), () => 997, () => 1 << 20]) {
        for (const via of ['push', 'read', 'mixed'] as const) {
          const hits = scanPieces(text, pieces, { windowBytes, overlapBytes }, via);
          expect(hits.map((h) => ({ line: h.line, column: h.column, secret: h.secret }))).toEqual(expected);
        }
      }
    }
  });

  it('handles a minified multi-megabyte single line', () => {
    const token = githubToken();
    const filler = 'a=1;'.repeat(750_000); // 3 MB without a newline
    const text = `${filler}var t="${token}";${filler}`;
    const hits = scanPieces(text, () => 65536, { windowBytes: 1 << 20, overlapBytes: 1 << 16 });
    expect(hits).toHaveLength(1);
    expect(hits[0]?.line).toBe(1);
    expect(hits[0]?.column).toBe(filler.length + 8);
    expect(hits[0]?.snippet.length).toBeLessThan(400);
  });

  it('masks every secret on the line unless asked to show them', () => {
    const a = githubToken();
    const b = githubToken();
    const text = `A=${a} B=${b}\n`;
    const hidden = scanPieces(text, () => 1000, { windowBytes: 768, overlapBytes: 256 });
    expect(hidden).toHaveLength(2);
    for (const h of hidden) {
      expect(h.snippet).not.toContain(a);
      expect(h.snippet).not.toContain(b);
      expect(h.snippet).toMatch(/^A=ghp_\S+…#[0-9a-f]{8} B=ghp_\S+…#[0-9a-f]{8}$/);
    }
    const shown = scanPieces(text, () => 1000, { windowBytes: 768, overlapBytes: 256, showSecrets: true });
    expect(shown[0]?.snippet).toBe(`A=${a} B=${b}`);
  });

  it('marks lines carrying keysweep:allow', () => {
    const hits = scanPieces(`x=${githubToken()} # keysweep:allow\ny=${githubToken()}\n`, () => 100, { windowBytes: 768, overlapBytes: 256 });
    expect(hits.map((h) => h.inlineAllowed)).toEqual([true, false]);
  });
});
