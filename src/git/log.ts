import { spawnGit } from './git.js';

export interface CommitInfo {
  sha: string;
  author: string;
  email: string;
  date: string;
  parents: string[];
}

/** One path touched by a commit, from `git log --raw`. */
export interface Change {
  status: string;
  /** Blob after the change; all zeros for a deletion. */
  blob: string;
  /** File mode after the change (160000 = submodule, 120000 = symlink). */
  mode: string;
  path: string;
  /** For renames and copies: the path before. */
  from?: string;
}

export interface CommitChanges {
  commit: CommitInfo;
  changes: Change[];
}

export interface LogOptions {
  /** Revisions to walk; default `--all`. */
  revisions: string[];
  since?: string;
  maxCommits?: number;
}

const RECORD = 0x01;

/**
 * Streams commits oldest first (parents before children) with the blobs each one adds or changes,
 * parsed from `git log --raw -z` as it arrives. Merge commits are diffed against their first parent,
 * so a merge contributes only what its own resolution introduced.
 */
export async function* streamLog(repo: string, options: LogOptions, onStderr: (text: string) => void): AsyncGenerator<CommitChanges> {
  const args = ['log', ...options.revisions, '--reverse', '--topo-order', '--raw', '--no-abbrev', '-z', '-M', '--diff-merges=first-parent', '--format=%x01%H%x00%an%x00%ae%x00%aI%x00%P'];
  if (options.since) args.push(`--since=${options.since}`);
  if (options.maxCommits !== undefined) args.push(`--max-count=${options.maxCommits}`);
  const child = spawnGit(args, { cwd: repo });
  child.stdin.end();
  let errText = '';
  child.stderr.on('data', (d: Buffer) => (errText += d.toString('utf8')));
  const closed = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));

  let pending: Buffer = Buffer.alloc(0);
  for await (const data of child.stdout as AsyncIterable<Buffer>) {
    pending = pending.length ? Buffer.concat([pending, data]) : data;
    // Every complete record ends where the next one starts.
    let start = pending.indexOf(RECORD);
    for (let next = pending.indexOf(RECORD, start + 1); start >= 0 && next > 0; next = pending.indexOf(RECORD, start + 1)) {
      const record = parseRecord(pending.subarray(start + 1, next));
      if (record) yield record;
      start = next;
    }
    pending = start > 0 ? pending.subarray(start) : pending;
  }
  if (pending.length > 1 && pending[0] === RECORD) {
    const record = parseRecord(pending.subarray(1));
    if (record) yield record;
  }
  const code = await closed;
  if (code !== 0 && errText.trim()) onStderr(errText.trim());
}

function parseRecord(rec: Buffer): CommitChanges | undefined {
  const fields = rec.toString('utf8').split('\0');
  const [sha, author, email, date, parents] = fields;
  if (!sha || sha.length < 40) return undefined;
  const commit: CommitInfo = { sha, author: author ?? '', email: email ?? '', date: date ?? '', parents: (parents ?? '').split(' ').filter(Boolean) };
  const changes: Change[] = [];
  // After the header: "\n" then ":meta\0path\0" (renames and copies: ":meta\0from\0to\0").
  for (let i = 5; i < fields.length; i++) {
    const meta = (fields[i] as string).replace(/^\n/, '');
    if (!meta.startsWith(':')) continue;
    const [, modeAfter, , blob, status] = meta.slice(1).split(' ');
    if (!modeAfter || !blob || !status) continue;
    if (status.startsWith('R') || status.startsWith('C')) {
      const from = fields[i + 1] ?? '';
      const to = fields[i + 2] ?? '';
      changes.push({ status: status[0] as string, blob, mode: modeAfter, path: to, from });
      i += 2;
    } else {
      changes.push({ status: status[0] as string, blob, mode: modeAfter, path: fields[i + 1] ?? '' });
      i += 1;
    }
  }
  return { commit, changes };
}
