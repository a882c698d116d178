import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import type { z } from 'zod';

/**
 * Parses YAML text and validates it against a zod schema. Every problem becomes one line that names
 * the file, the line and the field ("patterns/stripe.yml:12: rules[3].pattern: …"), so a user can go
 * straight to it.
 */
export function parseYamlWith<T extends z.ZodType>(
  text: string,
  file: string,
  schema: T,
): { ok: true; value: z.output<T>; doc: Document } | { ok: false; errors: string[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        const where = pos ? `${file}:${pos.line}:${pos.col}` : file;
        return `${where}: invalid YAML: ${firstLine(e.message)}`;
      }),
    };
  }
  const result = schema.safeParse(doc.toJS({ maxAliasCount: 100 }));
  if (result.success) return { ok: true, value: result.data, doc };
  return {
    ok: false,
    errors: result.error.issues.map((issue) => {
      const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
      const line = lineOf(doc, lineCounter, path);
      const where = line ? `${file}:${line}` : file;
      return `${where}: ${formatPath(path) || '(top level)'}: ${issue.message}`;
    }),
  };
}

/** The line of the deepest node along `path` that exists in the document. */
function lineOf(doc: Document, counter: LineCounter, path: (string | number)[]): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) return counter.linePos(node.range[0]).line;
  }
  return undefined;
}

export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${part}` : part;
  }
  return out;
}

function firstLine(s: string): string {
  return s.split('\n', 1)[0] ?? s;
}
