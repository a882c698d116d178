import type { Worker } from 'node:worker_threads';
import { newWorker, workerScript } from '../scan/pool.js';
import type { BlobWire, FromWorker, ToWorker, WorkerInit } from '../scan/protocol.js';

/**
 * Matching threads for git blobs. Each thread reads the blobs it is given through its own
 * `git cat-file --batch`, so reading and matching both spread over the cores; results come back as
 * promises, which the history walk applies in commit order.
 */
export class BlobPool {
  private readonly workers: Worker[];
  private readonly pending = new Map<number, { resolve: (r: BlobWire) => void; worker: number }>();
  private readonly load: number[];
  private nextId = 0;

  constructor(size: number, init: WorkerInit) {
    this.workers = Array.from({ length: size }, (_, i) => {
      const worker = newWorker(workerScript(), { workerData: init });
      worker.on('message', (msg: FromWorker) => {
        if (msg.type !== 'blob-done') return;
        const waiting = this.pending.get(msg.id);
        if (!waiting) return;
        this.pending.delete(msg.id);
        this.load[waiting.worker] = (this.load[waiting.worker] ?? 1) - 1;
        waiting.resolve(msg.result);
      });
      const fail = () => {
        // A lost thread: its blobs are reported missing (with a warning each), never silently dropped.
        for (const [id, w] of this.pending) {
          if (w.worker !== i) continue;
          this.pending.delete(id);
          w.resolve({ status: 'missing' });
        }
      };
      worker.on('error', fail);
      worker.on('exit', fail);
      return worker;
    });
    this.load = this.workers.map(() => 0);
  }

  scan(repo: string, sha: string, path: string): Promise<BlobWire> {
    const id = this.nextId++;
    // The least busy thread: blobs differ in size by orders of magnitude.
    const worker = this.load.indexOf(Math.min(...this.load));
    this.load[worker] = (this.load[worker] ?? 0) + 1;
    return new Promise((resolve) => {
      this.pending.set(id, { resolve, worker });
      this.workers[worker]?.postMessage({ type: 'blob', id, repo, sha, path } satisfies ToWorker);
    });
  }

  async close(): Promise<void> {
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => void w.terminate().then(() => resolve()), 5000);
            w.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            w.postMessage({ type: 'close' } satisfies ToWorker);
          }),
      ),
    );
  }
}
