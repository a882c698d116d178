import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { CodeVerifierModule, Credential, VerifyContext, VerifyResult } from '../src/verify/types.js';

/**
 * Database credentials. Only databases that speak HTTP get a login check — a read-only "who am I"
 * (CouchDB `GET /_session`, Elasticsearch/OpenSearch `GET /_security/_authenticate`); the others would
 * need their wire protocols (PostgreSQL, MySQL, MongoDB, Redis…) and are reported `unverified` with
 * the reason.
 *
 * The server is the one named in the scanned content, so a scanned repository could point keysweep at
 * an internal address: hosts that are (or resolve to) private, loopback or link-local addresses are
 * refused unless `--verify-private-hosts` is given.
 */

const NOT_HTTP: Record<string, string> = {
  postgres: 'PostgreSQL',
  mysql: 'MySQL/MariaDB',
  mongodb: 'MongoDB',
  'mongodb-atlas': 'MongoDB Atlas',
  redis: 'Redis',
  'redis-cloud': 'Redis Cloud',
  'oracle-database': 'Oracle Database',
  clickhouse: 'ClickHouse (native protocol)',
};

/** Whether an address is private, loopback, link-local or otherwise not on the public internet. */
export function isPrivateAddress(address: string): boolean {
  if (isIP(address) === 4) {
    const [a = 0, b = 0] = address.split('.').map(Number);
    return a === 10 || a === 127 || a === 0 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || a >= 224;
  }
  const v6 = address.toLowerCase();
  if (v6.startsWith('::ffff:')) return isPrivateAddress(v6.slice(7));
  return v6 === '::1' || v6 === '::' || v6.startsWith('fc') || v6.startsWith('fd') || v6.startsWith('fe80');
}

async function publicHost(host: string, ctx: VerifyContext): Promise<string | undefined> {
  if (ctx.allowPrivateHosts) return undefined;
  const bare = host.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = isIP(bare) ? [bare] : (await lookup(bare, { all: true })).map((a) => a.address);
  } catch {
    return 'the host does not resolve';
  }
  return addresses.some(isPrivateAddress) ? 'the host is a private or loopback address (allow with --verify-private-hosts)' : undefined;
}

function serverOf(c: Credential): { base: string; host: string } | undefined {
  const host = c.parts.host;
  if (!host || !/^[A-Za-z0-9.-]{1,253}$|^\[[0-9a-fA-F:]+\]$/.test(host)) return undefined;
  const scheme = c.parts.scheme?.toLowerCase() === 'http' ? 'http' : 'https';
  const port = c.parts.port && /^\d{1,5}$/.test(c.parts.port) ? `:${c.parts.port}` : '';
  return { base: `${scheme}://${host}${port}`, host };
}

function httpVerifier(kind: 'couchdb' | 'elastic', path: string, identityOf: (json: Record<string, unknown>) => Record<string, string> | undefined) {
  return async (c: Credential, ctx: VerifyContext): Promise<VerifyResult> => {
    const server = serverOf(c);
    const user = c.parts.username;
    if (!server || !user) return { status: 'unverified', reason: 'the rule does not capture the server and user (parts host and username)' };
    const refused = await publicHost(server.host, ctx);
    if (refused) return { status: 'unverified', reason: refused };
    const out = await ctx.http.send({ method: 'GET', url: `${server.base}${path}`, headers: { authorization: `Basic ${Buffer.from(`${user}:${c.secret}`).toString('base64')}` } });
    if (!out.ok) return { status: 'unknown', reason: out.reason };
    const res = out.response;
    if (res.status === 401) return { status: 'dead' };
    if (res.status === 200) {
      try {
        const identity = identityOf(JSON.parse(res.body) as Record<string, unknown>);
        if (identity) return { status: 'live', identity: { server: server.host, ...identity } };
      } catch {
        // fall through
      }
      return { status: 'unknown', reason: `unexpected body (HTTP 200, not ${kind === 'couchdb' ? 'CouchDB' : 'Elasticsearch'})` };
    }
    if (res.status >= 500) return { status: 'unknown', reason: `server error (HTTP ${res.status})` };
    return { status: 'unknown', reason: `unexpected response (HTTP ${res.status})` };
  };
}

const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x) => typeof x === 'string').join(', ') : '');

const database: CodeVerifierModule = [
  {
    id: 'database.couchdb',
    provider: 'database',
    rules: ['couchdb.connection-url'],
    requiredParts: [],
    endpoints: {},
    calls: [],
    dynamicHosts: 'GET /_session on the CouchDB server named in the URL (public addresses only, unless --verify-private-hosts)',
    references: ['https://docs.couchdb.org/en/stable/api/server/authn.html#get--_session'],
    verify: httpVerifier('couchdb', '/_session', (j) => {
      const ctxUser = j.userCtx as { name?: unknown; roles?: unknown } | undefined;
      if (j.ok !== true || !ctxUser) return undefined;
      // CouchDB answers 200 for anonymous sessions too: only a named user is a login.
      if (typeof ctxUser.name !== 'string') return undefined;
      return { user: ctxUser.name, roles: strings(ctxUser.roles) };
    }),
  },
  {
    id: 'database.elasticsearch',
    provider: 'database',
    rules: ['elastic.connection-url'],
    requiredParts: [],
    endpoints: {},
    calls: [],
    dynamicHosts: 'GET /_security/_authenticate on the Elasticsearch server named in the URL (public addresses only, unless --verify-private-hosts)',
    references: ['https://www.elastic.co/docs/api/doc/elasticsearch/operation/operation-security-authenticate'],
    verify: httpVerifier('elastic', '/_security/_authenticate', (j) => (typeof j.username === 'string' ? { user: j.username, roles: strings(j.roles) } : undefined)),
  },
  {
    id: 'database.not-http',
    provider: 'database',
    rules: ['postgres.connection-url', 'mysql.connection-url', 'mongodb.connection-url', 'redis.connection-url', 'clickhouse.connection-url'],
    requiredParts: [],
    endpoints: {},
    calls: [],
    references: [],
    async verify(c) {
      const name = NOT_HTTP[c.provider] ?? c.provider;
      return { status: 'unverified', reason: `${name} logins need the database's own protocol; keysweep verifies only HTTP-reachable databases` };
    },
  },
];

export default database;
