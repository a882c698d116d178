import type { output as ZodOutput } from 'zod';
import { lazyZod, once, type Z } from '../util/lazy.js';

/** The YAML shape of `patterns/<provider>.yml`. See docs/rule-format.md for the meaning of each field. */

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

function build(z: Z) {
  const ruleId = z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*\.[a-z0-9][a-z0-9.-]*$/, 'must look like <provider>.<kind>, lower-case, e.g. github.pat-classic');

  const requirementSchema = z.strictObject({
    /** Name of the part in the finding, e.g. `id` for an AWS access key id. */
    part: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be a lower-case identifier'),
    /** Another rule whose match supplies this part. */
    rule: ruleId,
    /** How many lines before or after the secret the part may stand. */
    within: z.number().int().min(0).max(1000).default(5),
    /** When true the rule is reported alone if the part is missing; otherwise it needs the part. */
    optional: z.boolean().default(false),
  });

  const ruleSchema = z.strictObject({
    id: ruleId,
    name: z.string().min(3),
    severity: z.enum(SEVERITIES),
    keywords: z.array(z.string().min(3, 'keywords need at least 3 characters to be a useful prefilter')).min(1),
    pattern: z.string().min(1),
    entropy: z.number().min(0).max(8).optional(),
    checksum: z.string().optional(),
    requires: z.array(requirementSchema).optional(),
    /** RE2 patterns; a candidate secret matching any of them is not reported. */
    allow: z.array(z.string().min(1)).optional(),
    /** RE2 patterns tested against the matched text before the secret (the name and operator). */
    allowContext: z.array(z.string().min(1)).optional(),
    /** Whether the shared placeholder/example filter applies (default true). */
    placeholders: z.boolean().optional(),
    /** A broad rule that yields when a more specific rule matches the same text. */
    fallback: z.boolean().optional(),
    /** False for rules that only supply a part to other rules (e.g. an account id): never reported alone. */
    standalone: z.boolean().optional(),
    description: z.string().optional(),
    remediation: z.string().optional(),
    references: z.array(z.url()).optional(),
    /**
     * Lines that must (positive) and must not (negative) produce a finding of this rule. The built-in
     * library requires at least two and one (the test suite checks); rules imported from other scanners
     * may come without them.
     */
    examples: z
      .strictObject({
        positive: z.array(z.string().min(1)).default([]),
        negative: z.array(z.string().min(1)).default([]),
      })
      .default({ positive: [], negative: [] }),
  });

  const ruleFileSchema = z.strictObject({
    provider: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes'),
    /** Display name, e.g. "GitHub". */
    name: z.string().optional(),
    references: z.array(z.url()).optional(),
    rules: z.array(ruleSchema).min(1),
  });
  return { requirementSchema, ruleSchema, ruleFileSchema };
}

/** Built on first use: a scan from the rule cache never loads zod. */
export const ruleSchemas = once(() => build(lazyZod()));

type Schemas = ReturnType<typeof build>;
export type RuleSpec = ZodOutput<Schemas['ruleSchema']>;
export type RuleFileSpec = ZodOutput<Schemas['ruleFileSchema']>;
export type Requirement = ZodOutput<Schemas['requirementSchema']>;
