/**
 * `{{name}}` interpolation for verifier requests — and nothing else: no filters, no expressions, no
 * conditionals. A value is encoded for the place it goes (path segment, query, header, host label,
 * JSON string), so a secret cannot change the shape of a request.
 *
 * Names: `secret`, `parts.<name>` (other parts of a multi-part credential), `identity.<name>` (fields
 * from a live verification; revocation requests only).
 */

export interface TemplateVars {
  secret: string;
  parts: Readonly<Record<string, string>>;
  identity?: Readonly<Record<string, string>>;
}

export type TemplateContext = 'path' | 'query' | 'header' | 'host' | 'text';

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.-]*)\s*\}\}/g;
const NAME = /^(?:secret|(?:parts|identity)\.[a-z][a-z0-9_]*)$/;
const DNS_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** A placeholder whose value is not available (e.g. a missing part). The message holds only the name. */
export class MissingValueError extends Error {
  constructor(readonly placeholder: string) {
    super(`no value for {{${placeholder}}}`);
    this.name = 'MissingValueError';
  }
}

/** A value that cannot go where the template puts it (e.g. a dot in a host label). Never holds the value. */
export class UnsafeValueError extends Error {
  constructor(placeholder: string, context: TemplateContext, why: string) {
    super(`{{${placeholder}}} cannot be used in a ${context}: ${why}`);
    this.name = 'UnsafeValueError';
  }
}

/**
 * Problems with a template's syntax: braces that are not a valid placeholder, unknown names. Returns
 * an empty list for a valid template.
 */
export function templateProblems(template: string, allowed: { identity: boolean }): string[] {
  const problems: string[] = [];
  for (const m of template.matchAll(/\{\{([^{}]*)\}\}/g)) {
    const name = (m[1] ?? '').trim();
    if (!NAME.test(name)) problems.push(`"{{${name}}}" is not a placeholder (use {{secret}}, {{parts.NAME}} or {{identity.NAME}}; no expressions)`);
    else if (name.startsWith('identity.') && !allowed.identity) problems.push(`{{${name}}}: identity fields are only available to revocation requests`);
  }
  const rest = template.replace(/\{\{([^{}]*)\}\}/g, '');
  if (rest.includes('{{') || rest.includes('}}')) problems.push('unbalanced "{{" or "}}"');
  return problems;
}

/** The placeholder names a template uses, e.g. ["secret", "parts.id"]. */
export function placeholdersOf(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '');
}

/** Fills a template, encoding each value for its context. Throws MissingValueError / UnsafeValueError. */
export function render(template: string, vars: TemplateVars, context: TemplateContext): string {
  return template.replace(PLACEHOLDER, (_, name: string) => encode(name, valueOf(name, vars), context));
}

/** The value of one placeholder. */
export function valueOf(name: string, vars: TemplateVars): string {
  let value: string | undefined;
  if (name === 'secret') value = vars.secret;
  else if (name.startsWith('parts.')) value = own(vars.parts, name.slice(6));
  else if (name.startsWith('identity.')) value = vars.identity ? own(vars.identity, name.slice(9)) : undefined;
  if (value === undefined || value === '') throw new MissingValueError(name);
  return value;
}

/**
 * Fills a template for display (dry runs, `verifiers list`): secrets and parts stay as written
 * (`{{secret}}`), identity fields (ids the provider told us) are shown.
 */
export function renderForDisplay(template: string, vars: Partial<TemplateVars>): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    if (name.startsWith('identity.') && vars.identity) {
      const v = own(vars.identity, name.slice(9));
      if (v !== undefined) return encode(name, v, 'path');
    }
    return whole;
  });
}

function own(record: Readonly<Record<string, string>>, key: string): string | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

function encode(name: string, value: string, context: TemplateContext): string {
  switch (context) {
    case 'path':
      return encodePathSegment(value);
    case 'query':
      return encodeURIComponent(value);
    case 'header':
      if (/[\r\n\0]/.test(value)) throw new UnsafeValueError(name, context, 'it contains a line break or NUL');
      return value;
    case 'host':
      // One DNS label: the template supplies the domain (`{{parts.account}}.blob.core.windows.net`), so
      // a value found in a scanned file cannot send the secret to a host of its choosing.
      if (!DNS_LABEL.test(value)) throw new UnsafeValueError(name, context, 'not a single DNS label');
      return value.toLowerCase();
    case 'text':
      return value;
  }
}

/** RFC 3986 `pchar`s stay as they are (`:` and `@` included); everything else is percent-encoded. */
export function encodePathSegment(value: string): string {
  return encodeURIComponent(value).replace(/%(3A|40|21|24|26|27|28|29|2A|2B|2C|3B|3D)/g, (m) => decodeURIComponent(m));
}
