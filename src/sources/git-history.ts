import picomatch from 'picomatch';
import type { Matcher } from '../detect/match.js';
import type { StreamOptions } from '../detect/stream.js';
import { BlobReader } from '../git/blob-reader.js';
import { scanBlob } from '../git/scan-blob.js';
import type { BlobPool } from '../git/blob-pool.js';
import { resolve } from 'node:path';
import { gitText, GitError } from '../git/git.js';
import { streamLog, type CommitChanges, type CommitInfo } from '../git/log.js';
import type { ScanCollector } from '../scan/index.js';
import { toWire, type WireHit } from '../scan/protocol.js';
import { secretHash } from '../util/redact.js';
import type { Finding } from '../types.js';

export interface HistoryOptions {
  repo: string;
  /** Walk only this ref (default: every ref). */
  branch?: string;
  /** Only commits after this one. */
  sinceCommit?: string;
  /** Leave out the commits reachable from these (shas or refs), e.g. the merge base of a pull request. */
  exclude?: readonly string[];
  /** Only commits after this date (anything `git log --since` accepts). */
  since?: string;
  maxCommits?: number;
  excludes: readonly string[];
  maxFileSize: number;
  stream: StreamOptions;
  /**
   * Starts matching threads for the blobs. Called once the history has proved large (more than
   * POOL_AFTER_BYTES matched on this thread): small histories never pay for thread start-up.
   */
  makePool?: () => BlobPool;
  /** Overrides POOL_AFTER_BYTES (tests). */
  poolAfterBytes?: number;
}

const NULL_SHA = /^0+$/;
const SUBMODULE_MODE = '160000';
const SYMLINK_MODE = '120000';
/** Blob bytes matched on this thread before matching moves to threads (when `makePool` is given). */
const POOL_AFTER_BYTES = 16 << 20;
/** How many blob reads may be queued at git ahead of the matcher. */
const READ_AHEAD = 128;

interface BlobResult {
  hits: WireHit[];
  /** `ruleId\0secretHash` of every hit, for presence tracking. */
  keys: Set<string>;
}

/**
 * Scans a repository's history: every commit reachable from the refs (or the chosen range), oldest
 * first. Each distinct blob is read once through `git cat-file --batch` and matched once, however many
 * commits and paths carry it. A secret is reported where it first appeared at a path (the commit that
 * introduced it); renames carry it along without a new report; when no path holds it any more the
 * finding says in which commit it was removed.
 */
export async function scanHistory(matcher: Matcher, options: HistoryOptions, collector: ScanCollector): Promise<void> {
  const repo = options.repo;
  try {
    await gitText(['rev-parse', '--git-dir'], { cwd: repo });
  } catch (err) {
    throw new GitError(`${repo}: not a git repository (${err instanceof Error ? err.message : String(err)})`);
  }
  if ((await gitText(['rev-parse', '--is-shallow-repository'], { cwd: repo }).catch(() => 'false')) === 'true') {
    collector.warn(repo, 'shallow clone: history is truncated, commits before the shallow boundary were not scanned (fetch with --unshallow to scan everything)');
  }
  const revisions = options.sinceCommit
    ? options.branch
      ? [`${options.sinceCommit}..${options.branch}`]
      : ['--all', `^${options.sinceCommit}`]
    : [options.branch ?? '--all'];
  for (const rev of options.exclude ?? []) revisions.push(`^${rev}`);

  const excluded = options.excludes.length ? picomatch([...options.excludes], { dot: true }) : () => false;
  const reader = new BlobReader(repo);
  const seenBlobs = new Set<string>();
  const blobsWithHits = new Map<string, BlobResult>();
  /** For each secret (`rule\0hash`) at each path holding it (`…\0path`): the findings made for it. */
  const holders = new Map<string, Finding[]>();
  const reported = new Set<string>();
  let commits = 0;

  let pool: BlobPool | undefined;
  let bytesHere = 0;
  const readBlob = async (sha: string, path: string): Promise<BlobResult | undefined> => {
    const scanned = pool ? await pool.scan(resolve(repo), sha, path) : await scanBlob(reader, sha, matcher, options);
    if (scanned.status === 'missing') {
      collector.warn(path, `blob ${sha} is missing (corrupt or partial repository); skipped`);
      return undefined;
    }
    if (scanned.status === 'skipped') {
      collector.skip(path, scanned.reason);
      return undefined;
    }
    const wire = 'unit' in scanned ? toWire(path, { hits: scanned.unit.end(), bytes: scanned.unit.bytes }) : scanned;
    collector.countScanned(wire.bytes);
    if ('unit' in scanned) {
      bytesHere += wire.bytes;
      if (!pool && options.makePool && bytesHere > (options.poolAfterBytes ?? POOL_AFTER_BYTES)) pool = options.makePool();
    }
    return { hits: wire.hits, keys: new Set(wire.hits.map((h) => `${h.ruleId}\0${secretHash(h.secret)}`)) };
  };

  /** Applies one commit's changes, in order, once its new blobs have been matched. */
  const apply = (commit: CommitInfo, changes: CommitChanges['changes'], results: Map<string, BlobResult | undefined>) => {
    commits++;
    for (const change of changes) {
      if (change.status === 'R' && change.from !== undefined) move(change.from, change.path);
      if (change.status === 'D') {
        removeAt(change.path, commit);
        continue;
      }
      const result = results.get(change.blob) ?? blobsWithHits.get(change.blob);
      if (change.status === 'M' || change.status === 'T' || change.status === 'R') removeAt(change.path, commit, result?.keys);
      if (!result || result.hits.length === 0) continue;
      const origin = { kind: 'git' as const, path: change.path, commit: commit.sha, author: commit.author, email: commit.email, date: commit.date };
      const fresh = result.hits.filter((h) => !reported.has(`${h.ruleId}\0${secretHash(h.secret)}\0${change.path}`));
      for (const finding of collector.addHits(fresh, origin)) {
        const at = `${finding.ruleId}\0${finding.secretHash}\0${change.path}`;
        holders.set(at, [...(holders.get(at) ?? []), finding]);
      }
      for (const h of result.hits) {
        const at = `${h.ruleId}\0${secretHash(h.secret)}\0${change.path}`;
        reported.add(at);
        const held = holders.get(at);
        if (held) for (const f of held) if (f.origin.kind === 'git') delete f.origin.removedIn; // present again
        else holders.set(at, []);
      }
    }
  };

  /** The secrets at `path` that `keep` does not hold are gone from there as of `commit`. */
  const removeAt = (path: string, commit: CommitInfo, keep?: Set<string>) => {
    for (const [at, findings] of holders) {
      const cut = at.lastIndexOf('\0');
      if (at.slice(cut + 1) !== path || keep?.has(at.slice(0, cut))) continue;
      for (const f of findings) if (f.origin.kind === 'git' && !f.origin.removedIn) f.origin.removedIn = commit.sha;
      holders.delete(at);
    }
  };

  /** A rename: what the old path held, the new one holds now; nothing new is reported for it. */
  const move = (from: string, to: string) => {
    for (const [at, findings] of [...holders]) {
      const cut = at.lastIndexOf('\0');
      if (at.slice(cut + 1) !== from) continue;
      holders.delete(at);
      const moved = `${at.slice(0, cut)}\0${to}`;
      holders.set(moved, [...(holders.get(moved) ?? []), ...findings]);
      reported.add(moved);
    }
  };

  // Commits whose blobs are being read, in log order; applied strictly in that order.
  const inFlight: Array<{ commit: CommitInfo; changes: CommitChanges['changes']; results: Promise<Map<string, BlobResult | undefined>>; blobs: number }> = [];
  let blobsInFlight = 0;
  const drain = async (limit: number) => {
    while (inFlight.length > 0 && (blobsInFlight > limit || inFlight.length > limit)) {
      const head = inFlight.shift() as (typeof inFlight)[number];
      const results = await head.results;
      blobsInFlight -= head.blobs;
      apply(head.commit, head.changes, results);
      for (const [sha, r] of results) if (r && r.hits.length) blobsWithHits.set(sha, r);
    }
  };

  try {
    for await (const { commit, changes } of streamLog(repo, { revisions, since: options.since, maxCommits: options.maxCommits }, (text) => collector.warn(repo, `git log: ${text}`))) {
      const wanted = changes.filter((c) => {
        if (c.status === 'D' || NULL_SHA.test(c.blob)) return true;
        if (c.mode === SUBMODULE_MODE || c.mode === SYMLINK_MODE) return false;
        if (excluded(c.path)) {
          collector.skip(c.path, 'excluded');
          return false;
        }
        if (collector.isIgnored({ path: c.path, relative: c.path })) {
          collector.skip(c.path, 'ignored');
          return false;
        }
        return true;
      });
      const reads = new Map<string, Promise<BlobResult | undefined>>();
      for (const c of wanted) {
        if (c.status === 'D' || NULL_SHA.test(c.blob) || seenBlobs.has(c.blob) || reads.has(c.blob)) continue;
        seenBlobs.add(c.blob);
        reads.set(c.blob, readBlob(c.blob, c.path));
      }
      const results = Promise.all([...reads].map(async ([sha, p]) => [sha, await p] as const)).then((entries) => new Map(entries));
      inFlight.push({ commit, changes: wanted, results, blobs: reads.size });
      blobsInFlight += reads.size;
      await drain(READ_AHEAD);
    }
    await drain(0);
  } finally {
    reader.close();
    await pool?.close();
  }
  collector.setCommitsScanned(commits);
}
