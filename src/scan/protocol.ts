import type { Hit } from '../detect/stream.js';
import type { RuleWire } from '../detect/rules.js';
import type { FileScanOptions } from './scan-file.js';
import type { UnitResult } from './scan-bytes.js';

/** A hit as it crosses a thread boundary: the rule by id. */
export interface WireHit extends Omit<Hit, 'rule'> {
  ruleId: string;
}

export interface WireResult extends Omit<UnitResult, 'hits'> {
  path: string;
  hits: WireHit[];
}

export interface WorkerInit {
  rules: RuleWire[];
  options: FileScanOptions;
}

export interface FileTask {
  path: string;
  absolute: string;
}

/** One git blob matched by a thread, read through that thread's own `git cat-file --batch`. */
export interface BlobTask {
  id: number;
  repo: string;
  sha: string;
  path: string;
}

export type BlobWire =
  | { status: 'scanned'; hits: WireHit[]; bytes: number }
  | { status: 'missing' }
  | { status: 'skipped'; reason: 'tooLarge' | 'binary' };

export type ToWorker = { type: 'init'; init: WorkerInit } | { type: 'scan'; batch: number; files: FileTask[] } | ({ type: 'blob' } & BlobTask) | { type: 'close' };
export type FromWorker = { type: 'ready' } | { type: 'done'; batch: number; results: WireResult[] } | { type: 'blob-done'; id: number; result: BlobWire };

export function toWire(path: string, result: UnitResult): WireResult {
  return { ...result, path, hits: result.hits.map(({ rule, ...rest }) => ({ ...rest, ruleId: rule.id })) };
}
