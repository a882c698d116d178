import { z } from 'zod';
import { parseJsonPath } from './json-path.js';

/** The YAML shape of `verifiers/<provider>.yml`. See docs/verifier-format.md for each field. */

const verifierId = z.string().regex(/^[a-z0-9][a-z0-9-]*\.[a-z0-9][a-z0-9.-]*$/, 'must look like <provider>.<name>, lower-case');
const ruleId = z.string().regex(/^[a-z0-9][a-z0-9-]*\.[a-z0-9][a-z0-9.-]*$/, 'must be a rule id such as github.pat-classic');
const jsonPath = z.string().refine((p) => parseJsonPath(p) !== undefined, 'must be a JSONPath such as $.user.login, $.items[0].id or $.scopes[*]');
const scalar = z.union([z.string(), z.number(), z.boolean()]);
const headerName = z.string().regex(/^[A-Za-z0-9-]+$/, 'must be an HTTP header name');

const baseRequest = {
  /** Starts with `/`; placeholders are encoded as path segments. */
  path: z.string().startsWith('/', 'must start with "/"'),
  query: z.record(z.string(), z.string()).optional(),
  headers: z.record(headerName, z.string()).optional(),
  /** HTTP Basic authentication, built by keysweep (no base64 in templates). */
  basic: z.strictObject({ username: z.string(), password: z.string() }).optional(),
  /** A JSON body; placeholders may appear in any string. */
  json: z.unknown().optional(),
  /** A form-encoded body. */
  form: z.record(z.string(), z.string()).optional(),
};

/** Verification requests must not change anything: GET, HEAD, or a POST to a read-only endpoint (GraphQL, RPC-style `auth.test`, token requests). */
export const verifyRequestSchema = z
  .strictObject({ method: z.enum(['GET', 'HEAD', 'POST']), ...baseRequest })
  .refine((r) => r.json === undefined || r.form === undefined, 'json and form cannot both be set');

export const revokeRequestSchema = z
  .strictObject({ method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']), ...baseRequest })
  .refine((r) => r.json === undefined || r.form === undefined, 'json and form cannot both be set');

export const matcherSchema = z.strictObject({
  status: z.array(z.number().int().min(100).max(599)).min(1),
  /** Each JSONPath must hold one of the values. */
  json: z.record(jsonPath, z.union([scalar, z.array(scalar).min(1)])).optional(),
  /** Each JSONPath must hold a value (not null). */
  has: z.array(jsonPath).optional(),
  /** The body must contain this text (for the rare API that does not answer JSON). */
  contains: z.string().min(1).optional(),
});

export const matchersSchema = z.union([matcherSchema, z.array(matcherSchema).min(1)]);

const identitySource = z.string().refine((s) => s.startsWith('header:') ? /^header:[A-Za-z0-9-]+$/.test(s) : parseJsonPath(s) !== undefined, 'must be a JSONPath ($.login) or header:NAME');

const responseSchema = z
  .strictObject({
    status: z.number().int().min(100).max(599),
    headers: z.record(z.string(), z.string()).optional(),
    body: z.string().optional(),
    /** A JSON body written as YAML. */
    json: z.unknown().optional(),
  })
  .refine((r) => r.body === undefined || r.json === undefined, 'body and json cannot both be set');

export const caseSchema = z.strictObject({
  name: z.string().optional(),
  /** The rule whose positive example supplies the credential (default: the verifier's first rule). */
  rule: ruleId.optional(),
  /** The credential, when the rule's examples do not fit. */
  secret: z.string().optional(),
  parts: z.record(z.string(), z.string()).optional(),
  response: responseSchema,
  expect: z.enum(['live', 'dead', 'unknown']),
  /** For `live`: identity fields that must be extracted. */
  identity: z.record(z.string(), z.string()).optional(),
  /** For `unknown`: text the reason must contain. */
  reason: z.string().optional(),
});

export const revokeCaseSchema = z.strictObject({
  name: z.string().optional(),
  identity: z.record(z.string(), z.string()).optional(),
  response: responseSchema,
  expect: z.enum(['ok', 'failed']),
});

export const revokeSchema = z.strictObject({
  /** The provider's documentation of this API: a revoker must cite it. */
  docs: z.array(z.url()).min(1),
  request: revokeRequestSchema,
  ok: matcherSchema,
  cases: z.array(revokeCaseSchema).min(2, 'a revoker needs at least an ok and a failed case'),
});

export const verifierSpecSchema = z.strictObject({
  id: verifierId,
  rules: z.array(ruleId).min(1),
  /** Base URL: scheme and host (placeholders only as whole DNS labels, e.g. https://{{parts.shop}}.myshopify.com), optional path prefix. */
  endpoint: z.string().min(1),
  references: z.array(z.url()).optional(),
  verify: z.strictObject({
    request: verifyRequestSchema,
    /** One matcher, or a list: any of them. */
    live: matchersSchema,
    dead: matchersSchema,
    identity: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be a lower-case identifier'), identitySource).optional(),
    /** JSONPath of the provider's error code, quoted in an `unknown` reason. */
    reason: jsonPath.optional(),
  }),
  revoke: revokeSchema.optional(),
  cases: z.array(caseSchema).min(3, 'each verifier needs replayed cases: at least live, dead and unknown'),
});

export const verifierFileSchema = z.strictObject({
  provider: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes'),
  references: z.array(z.url()).optional(),
  verifiers: z.array(verifierSpecSchema).min(1),
});

export type VerifyRequestSpec = z.output<typeof verifyRequestSchema>;
export type RevokeRequestSpec = z.output<typeof revokeRequestSchema>;
export type RequestSpec = VerifyRequestSpec | RevokeRequestSpec;
export type MatcherSpec = z.output<typeof matcherSchema>;
export type MatchersSpec = z.output<typeof matchersSchema>;
export type VerifierSpec = z.output<typeof verifierSpecSchema>;
export type VerifierFileSpec = z.output<typeof verifierFileSchema>;
export type CaseSpec = z.output<typeof caseSchema>;
export type RevokeCaseSpec = z.output<typeof revokeCaseSchema>;
export type ResponseSpec = z.output<typeof responseSchema>;
