/**
 * The contract between the verification engine and the verifiers (declarative YAML in
 * `verifiers/<provider>.yml`, or code in `verifiers/<provider>.ts`).
 *
 * Who owns what:
 * - A verifier builds requests and reads responses. It never does I/O except through `ctx.http`, and it
 *   never throws for a provider's answer: every answer becomes a `VerifyResult`.
 * - `ctx.http` owns timeouts, retries, rate limits and `Retry-After`. It returns a failure reason instead
 *   of throwing, and no reason it returns contains a request's URL, headers or body.
 * - The engine (`src/verify/index.ts`) owns de-duplication, caching, concurrency, and turns results into
 *   `Verdict`s. Whatever a verifier throws becomes `unknown`, with the secret scrubbed from the message.
 */

/** A credential as found: the secret and the other parts of a multi-part credential. */
export interface Credential {
  ruleId: string;
  provider: string;
  secret: string;
  parts: Readonly<Record<string, string>>;
}

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpRequest {
  method: HttpMethod;
  /** Absolute URL (base URL from the endpoint configuration + path + query). */
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface HttpResponse {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body: string;
}

export type HttpOutcome = { ok: true; response: HttpResponse } | { ok: false; reason: string };

export interface SendOptions {
  /**
   * Whether a transient failure (connection reset, 502/503/504, 429) may be retried. True for
   * verification; false for requests that change state (revocation), where only a 429 — a request the
   * provider refused to process — is retried.
   */
  idempotent?: boolean;
}

/** Sends requests on a verifier's behalf. See src/verify/http.ts. */
export interface Http {
  send(request: HttpRequest, options?: SendOptions): Promise<HttpOutcome>;
}

export interface VerifyContext {
  http: Http;
  /**
   * The base URL of one of the verifier's endpoints (by name), after `--endpoint` / environment
   * overrides. Templates in the default (`https://{{parts.account}}.blob.core.windows.net`) are left
   * for the verifier to fill in with `hostTemplate` from template.ts.
   */
  baseUrl(endpoint: string): string;
  /** Whether the endpoint was overridden (overrides are used verbatim, templates and all). */
  overridden(endpoint: string): boolean;
  /** Clock, replaceable in tests (signatures carry the time). */
  now(): Date;
  /** Per-request timeout in milliseconds (for verifiers that talk to something other than `http`). */
  timeoutMs: number;
  /** Whether hosts taken from the scanned content may be private or loopback addresses. */
  allowPrivateHosts: boolean;
}

export type VerifyResult =
  | { status: 'live'; identity?: Record<string, string> }
  | { status: 'dead' }
  | { status: 'unknown'; reason: string }
  /** The verifier cannot check this credential (e.g. a part is missing, or the host is not reachable safely). */
  | { status: 'unverified'; reason: string };

/** One request a verifier or revoker may send, for `keysweep verifiers list` and egress allowlists. */
export interface EndpointCall {
  kind: 'verify' | 'revoke';
  method: HttpMethod;
  /** Endpoint name, resolved through `VerifyContext.baseUrl`. */
  endpoint: string;
  /** Path template, e.g. `/user` or `/bot{{secret}}/getMe` (placeholders shown as written). */
  path: string;
}

/** A request about to be sent by a revoker, as shown in a dry run: never the secret. */
export interface PlannedRequest {
  method: HttpMethod;
  host: string;
  /** The path with secret placeholders left as written (`/tokens/{{secret}}`). */
  path: string;
}

export type RevokeResult = { ok: true; detail?: string } | { ok: false; reason: string };

export interface Revoker {
  /** The provider's documentation of the API used. */
  docs: readonly string[];
  /** Identity fields (from a live verification) the revocation request needs, e.g. a token id. */
  needsIdentity: readonly string[];
  /** What `revoke` would send, for the dry run. */
  plan(c: Credential, ctx: VerifyContext, identity: Readonly<Record<string, string>>): PlannedRequest[];
  revoke(c: Credential, ctx: VerifyContext, identity: Readonly<Record<string, string>>): Promise<RevokeResult>;
}

export interface Verifier {
  /** `<provider>.<name>`, e.g. `github.user`; shown in reports as the verdict's `verifier`. */
  id: string;
  provider: string;
  /** Rule ids whose findings this verifier checks. */
  rules: readonly string[];
  /** Parts the credential must have (e.g. `id` for an AWS secret key); a missing one → unverified. */
  requiredParts: readonly string[];
  /** Default base URL of each endpoint, by name (`api`, `sts`, `login`…). */
  endpoints: Readonly<Record<string, string>>;
  /** Every request this verifier (and its revoker) may send. */
  calls: readonly EndpointCall[];
  /**
   * For verifiers that connect to a server named in the credential itself (database URLs): where, in
   * words, for `verifiers list`. Such verifiers refuse private addresses unless allowed.
   */
  dynamicHosts?: string;
  /** Where it was defined, for error messages. */
  file: string;
  references: readonly string[];
  verify(c: Credential, ctx: VerifyContext): Promise<VerifyResult>;
  revoker?: Revoker;
}

/** What a `verifiers/<provider>.ts` module exports as default: one verifier or several. */
export type CodeVerifierModule = Omit<Verifier, 'file'> | Array<Omit<Verifier, 'file'>>;
