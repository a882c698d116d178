import { parentPort, workerData } from 'node:worker_threads';
import { Matcher } from '../detect/match.js';
import { Rule } from '../detect/rules.js';
import { BlobReader } from '../git/blob-reader.js';
import { scanBlob } from '../git/scan-blob.js';
import { toWire, type BlobWire, type FromWorker, type ToWorker, type WorkerInit } from './protocol.js';
import { scanFile } from './scan-file.js';

// A matching thread: compiles the rule set once, then scans the batches of files it is sent.
const init = workerData as WorkerInit;
const matcher = new Matcher(init.rules.map((spec) => Rule.fromSpec(spec)));

const readers = new Map<string, BlobReader>();
parentPort?.postMessage({ type: 'ready' } satisfies FromWorker);

parentPort?.on('message', (msg: ToWorker) => {
  if (msg.type === 'scan') {
    const results = msg.files.map((file) => toWire(file.path, scanFile(matcher, file.absolute, init.options)));
    parentPort?.postMessage({ type: 'done', batch: msg.batch, results } satisfies FromWorker);
    return;
  }
  if (msg.type === 'close') {
    // Ends each cat-file (its input closes), then the thread, once nothing is left running.
    readers.forEach((r) => r.close());
    parentPort?.close();
    return;
  }
  let reader = readers.get(msg.repo);
  if (!reader) readers.set(msg.repo, (reader = new BlobReader(msg.repo)));
  void scanBlob(reader, msg.sha, matcher, { stream: init.options, maxFileSize: init.options.maxFileSize ?? 0 }).then((scanned) => {
    const result: BlobWire =
      scanned.status === 'scanned'
        ? { status: 'scanned', hits: toWire(msg.path, { hits: scanned.unit.end(), bytes: scanned.unit.bytes }).hits, bytes: scanned.unit.bytes }
        : scanned;
    parentPort?.postMessage({ type: 'blob-done', id: msg.id, result } satisfies FromWorker);
  });
});

