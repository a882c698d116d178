import { parseJsonPath, selectJson } from './json-path.js';
import { scrub } from './scrub.js';
import type { MatcherSpec, MatchersSpec, RequestSpec, VerifierSpec } from './spec-schema.js';
import { MissingValueError, placeholdersOf, render, renderForDisplay, UnsafeValueError, type TemplateVars } from './template.js';
import type { Credential, EndpointCall, HttpRequest, HttpResponse, PlannedRequest, Revoker, Verifier, VerifyContext, VerifyResult } from './types.js';

/** The one endpoint of a declarative verifier; overridable as `<provider>` or `<provider>.api`. */
export const API = 'api';

/**
 * Turns a `verifiers/<provider>.yml` entry into a Verifier: one request, matchers for live and dead,
 * identity fields; anything that is neither live nor dead is unknown, with a reason.
 */
export function compileSpec(spec: VerifierSpec, provider: string, file: string, references: readonly string[]): Verifier {
  const calls: EndpointCall[] = [{ kind: 'verify', method: spec.verify.request.method, endpoint: API, path: spec.verify.request.path }];
  let revoker: Revoker | undefined;
  if (spec.revoke) {
    const revoke = spec.revoke;
    calls.push({ kind: 'revoke', method: revoke.request.method, endpoint: API, path: revoke.request.path });
    revoker = {
      docs: revoke.docs,
      needsIdentity: requestPlaceholders(revoke.request, spec.endpoint)
        .filter((p) => p.startsWith('identity.'))
        .map((p) => p.slice(9)),
      plan(c, ctx, identity) {
        return [planRequest(revoke.request, ctx, { secret: c.secret, parts: c.parts, identity })];
      },
      async revoke(c, ctx, identity) {
        let req: HttpRequest;
        try {
          req = buildRequest(revoke.request, ctx, { secret: c.secret, parts: c.parts, identity });
        } catch (err) {
          return { ok: false, reason: templateFailure(err) ?? 'cannot build the request' };
        }
        const out = await ctx.http.send(req, { idempotent: false });
        if (!out.ok) return { ok: false, reason: out.reason };
        const res = out.response;
        if (matches(revoke.ok, res, parseBody(res.body))) return { ok: true, detail: `HTTP ${res.status}` };
        return { ok: false, reason: `the provider answered HTTP ${res.status}${errorCodeOf(res, c)}` };
      },
    };
  }
  const requiredParts = [
    ...new Set(
      requestPlaceholders(spec.verify.request, spec.endpoint)
        .filter((p) => p.startsWith('parts.'))
        .map((p) => p.slice(6)),
    ),
  ];
  return {
    id: spec.id,
    provider,
    rules: spec.rules,
    requiredParts,
    endpoints: { [API]: spec.endpoint },
    calls,
    file,
    references: spec.references ?? references,
    revoker,
    async verify(c: Credential, ctx: VerifyContext): Promise<VerifyResult> {
      let req: HttpRequest;
      try {
        req = buildRequest(spec.verify.request, ctx, { secret: c.secret, parts: c.parts });
      } catch (err) {
        const reason = templateFailure(err);
        if (reason) return { status: 'unverified', reason };
        throw err;
      }
      const out = await ctx.http.send(req);
      if (!out.ok) return { status: 'unknown', reason: out.reason };
      return evaluateResponse(spec.verify, out.response, c);
    },
  };
}

/** Every placeholder in a request (and its endpoint). */
export function requestPlaceholders(req: RequestSpec, endpoint: string): string[] {
  const strings = [endpoint, req.path, ...Object.values(req.query ?? {}), ...Object.values(req.headers ?? {}), ...Object.values(req.form ?? {})];
  if (req.basic) strings.push(req.basic.username, req.basic.password);
  collectStrings(req.json, strings);
  return strings.flatMap(placeholdersOf);
}

function collectStrings(value: unknown, out: string[]): void {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => collectStrings(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => collectStrings(v, out));
}

/** The base URL of the endpoint: an override verbatim, else the default with its host labels filled in. */
export function baseOf(ctx: VerifyContext, endpoint: string, vars: TemplateVars): string {
  const base = ctx.baseUrl(endpoint);
  return ctx.overridden(endpoint) ? base : render(base, vars, 'host');
}

export function buildRequest(req: RequestSpec, ctx: VerifyContext, vars: TemplateVars): HttpRequest {
  let url = `${baseOf(ctx, API, vars).replace(/\/+$/, '')}${render(req.path, vars, 'path')}`;
  if (req.query && Object.keys(req.query).length) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(req.query)) params.append(k, render(v, vars, 'text'));
    url += `?${params.toString()}`;
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers ?? {})) headers[k.toLowerCase()] = render(v, vars, 'header');
  if (req.basic) {
    const user = render(req.basic.username, vars, 'text');
    const password = render(req.basic.password, vars, 'text');
    headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  }
  let body: string | undefined;
  if (req.json !== undefined) {
    body = JSON.stringify(renderJson(req.json, vars));
    headers['content-type'] ??= 'application/json';
  } else if (req.form) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(req.form)) params.append(k, render(v, vars, 'text'));
    body = params.toString();
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
  }
  const built: HttpRequest = { method: req.method, url, headers };
  if (body !== undefined) built.body = body;
  return built;
}

function renderJson(value: unknown, vars: TemplateVars): unknown {
  if (typeof value === 'string') return render(value, vars, 'text');
  if (Array.isArray(value)) return value.map((v) => renderJson(v, vars));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderJson(v, vars)]));
  return value;
}

/** What a request would look like, for a dry run: the real host, the path with secrets left as placeholders. */
export function planRequest(req: RequestSpec, ctx: VerifyContext, vars: TemplateVars): PlannedRequest {
  let host: string;
  try {
    host = new URL(baseOf(ctx, API, vars)).host;
  } catch {
    host = ctx.baseUrl(API);
  }
  let base = '';
  try {
    base = new URL(ctx.overridden(API) ? ctx.baseUrl(API) : render(ctx.baseUrl(API), vars, 'host')).pathname.replace(/\/+$/, '');
  } catch {
    // keep the bare path
  }
  return { method: req.method, host, path: `${base}${renderForDisplay(req.path, vars)}` };
}

/** A reason for a request that cannot be built from this credential, or undefined for other errors. */
export function templateFailure(err: unknown): string | undefined {
  if (err instanceof MissingValueError) return `missing ${err.placeholder.replace(/^parts\./, 'part ')}`;
  if (err instanceof UnsafeValueError) return err.message;
  return undefined;
}

type Parsed = { ok: true; value: unknown } | { ok: false };

export function parseBody(body: string): Parsed {
  try {
    return { ok: true, value: JSON.parse(body) as unknown };
  } catch {
    return { ok: false };
  }
}

export function matches(spec: MatcherSpec | MatchersSpec, res: HttpResponse, parsed: Parsed): boolean {
  return (Array.isArray(spec) ? spec : [spec]).some((m) => matchesOne(m, res, parsed));
}

function matchesOne(m: MatcherSpec, res: HttpResponse, parsed: Parsed): boolean {
  if (!m.status.includes(res.status)) return false;
  if (m.contains !== undefined && !res.body.includes(m.contains)) return false;
  if (m.json || m.has) {
    if (!parsed.ok) return false;
    for (const [path, expected] of Object.entries(m.json ?? {})) {
      const wanted = Array.isArray(expected) ? expected : [expected];
      const found = selectJson(parsed.value, parseJsonPath(path) ?? []);
      if (!found.some((v) => wanted.some((w) => w === v))) return false;
    }
    for (const path of m.has ?? []) {
      if (selectJson(parsed.value, parseJsonPath(path) ?? []).length === 0) return false;
    }
  }
  return true;
}

export function evaluateResponse(v: VerifierSpec['verify'], res: HttpResponse, c: Credential): VerifyResult {
  const parsed = parseBody(res.body);
  if (matches(v.live, res, parsed)) {
    const wantsJson = Object.values(v.identity ?? {}).some((s) => s.startsWith('$'));
    if (wantsJson && !parsed.ok) return { status: 'unknown', reason: `unexpected body: not JSON (HTTP ${res.status})` };
    const identity = extractIdentity(v.identity ?? {}, res, parsed, c);
    return Object.keys(identity).length ? { status: 'live', identity } : { status: 'live' };
  }
  if (matches(v.dead, res, parsed)) return { status: 'dead' };
  const liveStatus = (Array.isArray(v.live) ? v.live : [v.live]).some((m) => m.status.includes(res.status));
  return { status: 'unknown', reason: unknownReason(res, parsed, liveStatus) + errorCodeOf(res, c, v.reason) };
}

export function unknownReason(res: HttpResponse, parsed: Parsed, liveStatus: boolean): string {
  if (res.status === 429) return 'rate limited (HTTP 429)';
  if (res.status >= 500) return `server error (HTTP ${res.status})`;
  if (liveStatus && !parsed.ok && res.body.trim()) return `unexpected body: not JSON (HTTP ${res.status})`;
  if (liveStatus) return `unexpected body (HTTP ${res.status})`;
  return `unexpected response (HTTP ${res.status})`;
}

/** `: <provider error code>` when the response names one, scrubbed and short. */
function errorCodeOf(res: HttpResponse, c: Credential, path = '$.error'): string {
  const parsed = parseBody(res.body);
  if (!parsed.ok) return '';
  const value = selectJson(parsed.value, parseJsonPath(path) ?? [])[0];
  if (typeof value !== 'string' && typeof value !== 'number') return '';
  const text = scrub(String(value), c, { parts: false }).replace(/\s+/g, ' ').slice(0, 80);
  return text ? `: ${text}` : '';
}

const MAX_IDENTITY = 200;

function extractIdentity(spec: Record<string, string>, res: HttpResponse, parsed: Parsed, c: Credential): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, source] of Object.entries(spec)) {
    let values: unknown[];
    if (source.startsWith('header:')) {
      const h = res.headers[source.slice(7).toLowerCase()];
      values = h === undefined ? [] : [h];
    } else {
      values = parsed.ok ? selectJson(parsed.value, parseJsonPath(source) ?? []) : [];
    }
    const text = values
      .filter((x) => typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean')
      .map(String)
      .join(', ')
      .trim();
    if (text) out[name] = scrub(text.length > MAX_IDENTITY ? `${text.slice(0, MAX_IDENTITY)}…` : text, c, { parts: false });
  }
  return out;
}
