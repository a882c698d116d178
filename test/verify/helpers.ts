import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';
import { Matcher } from '../../src/detect/match.js';
import { loadRules, type Rule } from '../../src/detect/rules.js';
import { BUILTIN_PATTERNS_DIR } from '../../src/util/paths.js';
import type { HttpRequest, HttpResponse } from '../../src/verify/types.js';

let rules: Rule[] | undefined;
let matcher: Matcher | undefined;
export function builtinRules(): Rule[] {
  // From the YAML: the start-up cache leaves the examples out.
  return (rules ??= loadRules([BUILTIN_PATTERNS_DIR], { validatePatterns: true }));
}

/**
 * A credential of the given rule, taken from the rule's own positive examples (so verifiers and rules
 * are tested together: the parts a verifier needs must be the parts the rule pairs).
 */
export function credentialOf(ruleId: string, wantParts: readonly string[] = []): { secret: string; parts: Record<string, string> } | undefined {
  const all = builtinRules();
  const rule = all.find((r) => r.id === ruleId);
  if (!rule) return undefined;
  matcher ??= new Matcher(all);
  let fallback: { secret: string; parts: Record<string, string> } | undefined;
  for (const example of rule.examples.positive) {
    for (const c of matcher.find(Buffer.from(example))) {
      if (c.rule.id !== ruleId) continue;
      const found = { secret: c.secret, parts: { ...c.parts } };
      if (wantParts.every((p) => found.parts[p])) return found;
      fallback ??= found;
    }
  }
  return fallback;
}

/** A transport that answers from a list and records what was sent. No network. */
export function replay(responses: HttpResponse[]): { transport: (req: HttpRequest) => Promise<HttpResponse>; sent: HttpRequest[] } {
  const sent: HttpRequest[] = [];
  return {
    sent,
    transport: async (req) => {
      sent.push(req);
      const next = responses.shift();
      if (!next) throw Object.assign(new Error('no more replayed responses'), { code: 'ECONNREFUSED' });
      return next;
    },
  };
}

export interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Handler = (req: Received, res: ServerResponse) => void | Promise<void>;

const servers: Array<{ close: () => void }> = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A real HTTP server on 127.0.0.1 that records every request. Closed after each test. */
export async function startServer(handler: Handler): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(r);
      void handler(r, res);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  servers.push({
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
