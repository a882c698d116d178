import { setTimeout as delay } from 'node:timers/promises';
import { EnvHttpProxyAgent, request, type Dispatcher } from 'undici';
import { VERSION } from '../version.js';
import type { Http, HttpOutcome, HttpRequest, HttpResponse, SendOptions } from './types.js';

/** Sends one request; throws on a network failure. Tests replace it to replay recorded responses. */
export type Transport = (req: HttpRequest, signal: AbortSignal) => Promise<HttpResponse>;

export interface HttpOptions {
  /** Per attempt, connect to last body byte. A timeout is never retried (a hang would multiply). */
  timeoutMs?: number;
  /** Retries of transient failures (connection reset, 502/503/504, 429). */
  retries?: number;
  /** A longer `Retry-After` is not waited for: the verdict is `unknown` (rate limited). */
  maxRetryAfterMs?: number;
  /** Requests per second to one host. */
  perHostRate?: number;
  /** Requests in flight to one host. */
  perHostConcurrency?: number;
  /** First backoff between retries without `Retry-After`; doubles each time. */
  backoffMs?: number;
  transport?: Transport;
}

const MAX_BODY = 1 << 20;
export const USER_AGENT = `keysweep/${VERSION} (secret verification; +https://github.com/keysweep/keysweep)`;
const TRANSIENT_STATUS = new Set([429, 502, 503, 504]);
const TRANSIENT_CODES = new Set(['ECONNRESET', 'EPIPE', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

interface Gate {
  active: number;
  queue: Array<() => void>;
  nextAt: number;
  blockedUntil: number;
}

class TimeoutError extends Error {
  constructor() {
    super('timeout');
    this.name = 'TimeoutError';
  }
}

/**
 * The only way verifiers reach the network: per-request timeout, retries for transient failures only,
 * per-host rate limit and concurrency, `Retry-After` honoured for every request to that host. Returns
 * failure reasons instead of throwing; a reason never contains the URL, a header or the body.
 */
export class HttpClient implements Http {
  readonly timeoutMs: number;
  private readonly retries: number;
  private readonly maxRetryAfterMs: number;
  private readonly intervalMs: number;
  private readonly perHostConcurrency: number;
  private readonly backoffMs: number;
  private readonly transport: Transport;
  private readonly gates = new Map<string, Gate>();
  private agent: Dispatcher | undefined;
  /** Every request sent, in order (method and host only), for summaries and tests. */
  readonly log: Array<{ method: string; host: string }> = [];

  constructor(options: HttpOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.retries = options.retries ?? 2;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
    this.intervalMs = 1000 / (options.perHostRate ?? 10);
    this.perHostConcurrency = options.perHostConcurrency ?? 4;
    this.backoffMs = options.backoffMs ?? 500;
    this.transport = options.transport ?? ((req, signal) => this.undiciTransport(req, signal));
  }

  async send(req: HttpRequest, options: SendOptions = {}): Promise<HttpOutcome> {
    const idempotent = options.idempotent ?? true;
    let host: string;
    try {
      host = new URL(req.url).host;
    } catch {
      return { ok: false, reason: 'invalid URL' };
    }
    const headers = { 'user-agent': USER_AGENT, accept: 'application/json', ...lowerKeys(req.headers) };
    const prepared: HttpRequest = { ...req, headers };
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.attempt(host, prepared);
      if (!outcome.ok && (attempt >= this.retries || !idempotent || !outcome.transient)) return { ok: false, reason: outcome.reason };
      if (attempt >= this.retries) return outcome;
      if (!outcome.ok) {
        await delay(this.backoffMs * 2 ** attempt);
        continue;
      }
      const res = outcome.response;
      if (!TRANSIENT_STATUS.has(res.status)) return outcome;
      // A 429 was not processed, so it is safe to retry even a state-changing request.
      if (!idempotent && res.status !== 429) return outcome;
      const retryAfter = parseRetryAfter(res.headers['retry-after']);
      if (retryAfter !== undefined) {
        if (retryAfter > this.maxRetryAfterMs) return outcome;
        const gate = this.gate(host);
        gate.blockedUntil = Math.max(gate.blockedUntil, Date.now() + retryAfter);
      } else {
        await delay(this.backoffMs * 2 ** attempt);
      }
    }
  }

  /** Closes idle connections so the process can exit. */
  async close(): Promise<void> {
    const agent = this.agent;
    this.agent = undefined;
    if (agent) await agent.destroy();
  }

  private async attempt(host: string, req: HttpRequest): Promise<({ ok: true; response: HttpResponse }) | { ok: false; reason: string; transient: boolean }> {
    const release = await this.acquire(host);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new TimeoutError()), this.timeoutMs);
    this.log.push({ method: req.method, host });
    try {
      const response = await this.transport(req, controller.signal);
      return { ok: true, response };
    } catch (err) {
      if (controller.signal.aborted) return { ok: false, reason: `timeout after ${this.timeoutMs} ms`, transient: false };
      const code = errorCode(err);
      return { ok: false, reason: `network error (${code})`, transient: TRANSIENT_CODES.has(code) };
    } finally {
      clearTimeout(timer);
      release();
    }
  }

  private gate(host: string): Gate {
    let g = this.gates.get(host);
    if (!g) {
      g = { active: 0, queue: [], nextAt: 0, blockedUntil: 0 };
      this.gates.set(host, g);
    }
    return g;
  }

  private async acquire(host: string): Promise<() => void> {
    const g = this.gate(host);
    if (g.active >= this.perHostConcurrency) await new Promise<void>((resolve) => g.queue.push(resolve));
    else g.active++;
    for (;;) {
      const wait = Math.max(g.nextAt, g.blockedUntil) - Date.now();
      if (wait <= 0) break;
      await delay(wait);
    }
    g.nextAt = Date.now() + this.intervalMs;
    return () => {
      const next = g.queue.shift();
      if (next) next();
      else g.active--;
    };
  }

  private async undiciTransport(req: HttpRequest, signal: AbortSignal): Promise<HttpResponse> {
    // HTTP_PROXY / HTTPS_PROXY / NO_PROXY are honoured, as egress often has to go through a proxy.
    this.agent ??= new EnvHttpProxyAgent({ connect: { timeout: this.timeoutMs }, headersTimeout: this.timeoutMs, bodyTimeout: this.timeoutMs });
    const res = await request(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      signal,
      dispatcher: this.agent,
    });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY) {
        res.body.destroy();
        break;
      }
      chunks.push(chunk);
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) {
      if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
    }
    return { status: res.statusCode, headers, body: Buffer.concat(chunks).toString('utf8') };
  }
}

/** `Retry-After` in milliseconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

/** A code for a network error (`ECONNREFUSED`), never its message: messages can quote the URL. */
function errorCode(err: unknown): string {
  if (err && typeof err === 'object') {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z0-9_]+$/.test(code)) return code;
    const cause = (err as { cause?: unknown }).cause;
    if (cause && cause !== err) {
      const inner = errorCode(cause);
      if (inner !== 'unknown') return inner;
    }
    const name = (err as { name?: unknown }).name;
    if (typeof name === 'string' && /^[A-Za-z]+$/.test(name)) return name;
  }
  return 'unknown';
}
