import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawnGit } from './git.js';

/** Receives a blob's content piece by piece. Returning false stops delivery (the rest is discarded). */
export interface BlobSink {
  /** Called first, with the size git announced. Return false to skip the content. */
  start(size: number): boolean;
  data(piece: Buffer): boolean;
  end(): void;
}

export type BlobStatus = 'ok' | 'missing' | 'skipped';

interface Request {
  sha: string;
  sink: BlobSink;
  resolve: (status: BlobStatus) => void;
}

/**
 * Reads blobs through one long-running `git cat-file --batch`. Requests are pipelined: many shas can
 * be in flight, so git reads ahead while the caller matches. Content is streamed to each request's
 * sink as it arrives, never held whole, so a blob of any size costs a few pieces of memory.
 */
export class BlobReader {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly queue: Request[] = [];
  private pending: Buffer = Buffer.alloc(0);
  /** Bytes of content (plus the trailing newline) still to deliver for the head request. */
  private remaining = -1;
  private delivering = true;
  private failed: Error | undefined;

  constructor(repo: string) {
    this.child = spawnGit(['cat-file', '--batch'], { cwd: repo });
    this.child.stdout.on('data', (d: Buffer) => this.onData(d));
    this.child.stderr.resume();
    const fail = (err: Error) => {
      this.failed = err;
      for (const r of this.queue.splice(0)) r.resolve('missing');
    };
    this.child.on('error', fail);
    this.child.on('close', () => fail(new Error('git cat-file exited')));
    this.child.stdin.on('error', () => undefined);
  }

  read(sha: string, sink: BlobSink): Promise<BlobStatus> {
    if (this.failed) return Promise.resolve('missing');
    return new Promise((resolve) => {
      this.queue.push({ sha, sink, resolve });
      this.child.stdin.write(`${sha}\n`);
    });
  }

  close(): void {
    this.child.stdin.end();
  }

  private onData(data: Buffer): void {
    let buf = this.pending.length ? Buffer.concat([this.pending, data]) : data;
    this.pending = Buffer.alloc(0);
    while (buf.length > 0) {
      const head = this.queue[0];
      if (!head) return;
      if (this.remaining < 0) {
        const nl = buf.indexOf(10);
        if (nl < 0) {
          this.pending = buf;
          return;
        }
        const header = buf.toString('utf8', 0, nl);
        buf = buf.subarray(nl + 1);
        const [, type, size] = header.split(' ');
        if (header.endsWith(' missing') || type === undefined || size === undefined) {
          this.queue.shift();
          head.resolve('missing');
          continue;
        }
        if (type !== 'blob') {
          // A tree or commit (e.g. a submodule entry) is not content to scan; consume it all the same.
          this.delivering = false;
        } else {
          this.delivering = head.sink.start(Number(size));
        }
        this.remaining = Number(size) + 1;
      }
      const take = Math.min(this.remaining, buf.length);
      const contentEnd = Math.min(take, this.remaining - 1);
      if (this.delivering && contentEnd > 0) this.delivering = head.sink.data(buf.subarray(0, contentEnd));
      this.remaining -= take;
      buf = buf.subarray(take);
      if (this.remaining === 0) {
        this.remaining = -1;
        this.queue.shift();
        head.sink.end();
        head.resolve(this.delivering ? 'ok' : 'skipped');
        this.delivering = true;
      }
    }
  }
}
