import { UsageError } from '../util/errors.js';
import { Endpoints } from '../verify/endpoints.js';
import { listEndpoints } from '../verify/list.js';
import { EXIT_OK, type Io } from './io.js';
import { loadRegistry } from './verify-options.js';

export const verifiersOptions = {
  format: { type: 'string', short: 'f' },
  endpoint: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

export const VERIFIERS_HELP = `Usage: keysweep verifiers list [--format json] [--endpoint P=URL…]

Prints every request a verifier or revoker may send — method, host, path — after endpoint overrides
(--endpoint, KEYSWEEP_ENDPOINT_<P>), so that operators can write an egress allowlist. A host shown as
*.example.com takes one label from the credential (an account or shop name); the domain is fixed.
`;

/** `keysweep verifiers list`: the egress an operator must allow for `--verify` and `revoke`. */
export async function runVerifiersList(values: { format?: string | undefined; endpoint?: string[] | undefined }, io: Io): Promise<number> {
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format ${format}: expected text or json`);
  const registry = await loadRegistry();
  const endpoints = new Endpoints(values.endpoint ?? []);
  for (const w of endpoints.unknown(registry.endpointKeys())) io.stderr(`keysweep: warning: ${w}\n`);
  const rows = listEndpoints(registry, endpoints);
  if (format === 'json') {
    const dynamic = registry.verifiers.filter((v) => v.dynamicHosts).map((v) => ({ verifier: v.id, provider: v.provider, kind: 'verify', method: 'GET', host: null, path: null, dynamicHosts: v.dynamicHosts }));
    io.stdout(`${JSON.stringify([...rows, ...dynamic], null, 2)}\n`);
    return EXIT_OK;
  }
  const w = (k: 'verifier' | 'host' | 'method') => Math.max(...rows.map((r) => r[k].length), k.length);
  const [wv, wh, wm] = [w('verifier'), w('host'), w('method')];
  io.stdout(`${'VERIFIER'.padEnd(wv)}  ${'KIND'.padEnd(6)}  ${'METHOD'.padEnd(wm)}  ${'HOST'.padEnd(wh)}  PATH\n`);
  for (const r of rows) {
    io.stdout(`${r.verifier.padEnd(wv)}  ${r.kind.padEnd(6)}  ${r.method.padEnd(wm)}  ${r.host.padEnd(wh)}  ${r.path}${r.overridden ? '   (overridden)' : ''}\n`);
  }
  for (const v of registry.verifiers) {
    if (v.dynamicHosts) io.stdout(`${v.id.padEnd(wv)}  verify  ${v.dynamicHosts}\n`);
  }
  const verifiers = registry.verifiers.length;
  const revokers = registry.verifiers.filter((v) => v.revoker).length;
  const providers = new Set(registry.verifiers.map((v) => v.provider)).size;
  const hosts = new Set(rows.map((r) => r.host)).size;
  io.stdout(`${verifiers} verifiers (${providers} providers, ${revokers} with revocation), ${hosts} hosts\n`);
  return EXIT_OK;
}
