import type { Endpoints } from './endpoints.js';
import type { Registry } from './loader.js';
import type { EndpointCall } from './types.js';

export interface EndpointRow {
  verifier: string;
  provider: string;
  kind: EndpointCall['kind'];
  method: string;
  /** Host (and port) the request goes to; `*.example.com` where a label comes from the credential. */
  host: string;
  /** Base path prefix + request path, placeholders as written. */
  path: string;
  /** Whether the base URL comes from `--endpoint` / the environment. */
  overridden: boolean;
  /** The names that override it: `--endpoint NAME=URL`. */
  overrideKeys: string[];
}

/** Every request any verifier or revoker may send, after overrides: the input for an egress allowlist. */
export function listEndpoints(registry: Registry, endpoints: Endpoints): EndpointRow[] {
  const rows: EndpointRow[] = [];
  for (const v of registry.verifiers) {
    for (const call of v.calls) {
      const def = v.endpoints[call.endpoint] ?? '';
      const { url, overridden } = endpoints.resolve(v.provider, call.endpoint, def);
      const probe = url.replace(/\{\{\s*[A-Za-z0-9_.-]*\s*\}\}/g, '__label__');
      let host = probe;
      let prefix = '';
      try {
        const u = new URL(probe);
        host = u.host.replace(/__label__/g, '*');
        prefix = u.pathname.replace(/\/+$/, '');
      } catch {
        // shown as written
      }
      rows.push({
        verifier: v.id,
        provider: v.provider,
        kind: call.kind,
        method: call.method,
        host,
        path: `${prefix}${call.path}`,
        overridden,
        overrideKeys: [v.provider, `${v.provider}.${call.endpoint}`],
      });
    }
  }
  return rows.sort((a, b) => a.host.localeCompare(b.host) || a.path.localeCompare(b.path) || a.verifier.localeCompare(b.verifier) || a.kind.localeCompare(b.kind));
}
