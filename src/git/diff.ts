/**
 * A streaming parser of unified diffs (`git diff`, `git format-patch`, or any tool's `diff -u`).
 * It yields events per file: the new path, the new blob id when git gives one (`index a..b`), and
 * each added line with its number in the new version of the file.
 */
export type DiffEvent =
  | { kind: 'file'; path: string; blob?: string; binary: boolean; deleted: boolean }
  | { kind: 'added'; line: number; text: Buffer };

/** Splits a byte stream into lines (without the newline), as Buffers: bytes stay as they are. */
export async function* splitLines(input: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
  let pending: Buffer = Buffer.alloc(0);
  for await (const piece of input) {
    const data = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
    let buf = pending.length ? Buffer.concat([pending, data]) : data;
    let nl = buf.indexOf(10);
    while (nl >= 0) {
      yield buf.subarray(0, nl > 0 && buf[nl - 1] === 13 ? nl - 1 : nl);
      buf = buf.subarray(nl + 1);
      nl = buf.indexOf(10);
    }
    pending = buf;
  }
  if (pending.length) yield pending;
}

const HUNK = /^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

export async function* parseDiff(input: AsyncIterable<Buffer | string>): AsyncGenerator<DiffEvent> {
  let file: { path: string; blob?: string; binary: boolean; deleted: boolean } | undefined;
  let announced = false;
  let newLine = 0;
  // Lines of the current hunk still to come, on each side (from its @@ header).
  let oldLeft = 0;
  let newLeft = 0;
  const announce = function* (): Generator<DiffEvent> {
    if (file && !announced) {
      announced = true;
      yield { kind: 'file', ...file };
    }
  };
  for await (const raw of splitLines(input)) {
    if (oldLeft > 0 || newLeft > 0) {
      const first = raw[0];
      if (first === 0x2b /* + */) {
        yield* announce();
        yield { kind: 'added', line: newLine++, text: raw.subarray(1) };
        newLeft--;
        continue;
      }
      if (first === 0x20 /* space */ || raw.length === 0) {
        newLine++;
        newLeft--;
        oldLeft--;
        continue;
      }
      if (first === 0x2d /* - */) {
        oldLeft--;
        continue;
      }
      if (first === 0x5c /* \ No newline at end of file */) continue;
      oldLeft = newLeft = 0;
    }
    const line = raw.toString('utf8');
    if (line.startsWith('diff --git ')) {
      yield* announce();
      file = { path: pathFromGitHeader(line), binary: false, deleted: false };
      announced = false;
    } else if (line.startsWith('index ') && file) {
      const m = /^index [0-9a-f]+\.\.([0-9a-f]+)/.exec(line);
      if (m?.[1]) file.blob = m[1];
    } else if (line.startsWith('deleted file mode') && file) {
      file.deleted = true;
    } else if (line.startsWith('+++ ')) {
      const target = unquote(line.slice(4).replace(/\t.*$/, ''));
      if (!file || announced) {
        // A plain diff (no "diff --git" header): the file starts here.
        file = { path: '', binary: false, deleted: false };
        announced = false;
      }
      if (target === '/dev/null') file.deleted = true;
      else file.path = target.replace(/^b\//, '');
    } else if (line.startsWith('Binary files ') && file) {
      file.binary = true;
      yield* announce();
    } else {
      const m = HUNK.exec(line);
      if (m && file) {
        newLine = Number(m[2]);
        oldLeft = m[1] === undefined ? 1 : Number(m[1]);
        newLeft = m[3] === undefined ? 1 : Number(m[3]);
      }
    }
  }
  yield* announce();
}

function pathFromGitHeader(line: string): string {
  // "diff --git a/x b/x": the new path is the second half. Quoted when it has special characters.
  const rest = line.slice('diff --git '.length);
  if (rest.startsWith('"')) {
    const m = /^"(?:[^"\\]|\\.)*" (.*)$/.exec(rest);
    return m?.[1] ? unquote(m[1]).replace(/^b\//, '') : '';
  }
  const half = rest.lastIndexOf(' b/');
  return half >= 0 ? rest.slice(half + 3) : rest;
}

/** Undoes git's C-style quoting of unusual paths ("a\\tb", "\\303\\251"). */
function unquote(p: string): string {
  if (!p.startsWith('"') || !p.endsWith('"')) return p;
  const body = p.slice(1, -1);
  const bytes: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c !== '\\') {
      bytes.push(...Buffer.from(c, 'utf8'));
      continue;
    }
    const next = body[++i] ?? '';
    if (/[0-7]/.test(next)) {
      const oct = body.slice(i, i + 3);
      bytes.push(parseInt(oct, 8));
      i += 2;
    } else {
      bytes.push(({ n: 10, t: 9, r: 13, '"': 34, '\\': 92, a: 7, b: 8, f: 12, v: 11 } as Record<string, number>)[next] ?? next.charCodeAt(0));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
