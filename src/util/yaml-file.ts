import type { Document, LineCounter } from 'yaml';
import { lazyYaml } from './lazy.js';
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
  const yaml = lazyYaml();
  const lineCounter = new yaml.LineCounter();
  const doc = yaml.parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        const where = `${file}:${pos.line}:${pos.col}`;
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
      // Point at the offending key itself, not at the map that holds it.
      if (issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined) path.push(issue.keys[0]);
      const line = lineOf(doc, lineCounter, path, issue.code === 'unrecognized_keys');
      const where = line ? `${file}:${line}` : file;
      return `${where}: ${formatPath(path) || '(top level)'}: ${issue.message}`;
    }),
  };
}

/** The line of the deepest node along `path` that exists in the document. */
function lineOf(doc: Document, counter: LineCounter, path: (string | number)[], isKey = false): number | undefined {
  const { isMap, isNode, isScalar } = lazyYaml();
  if (isKey && path.length > 0) {
    const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
    if (isMap(parent)) {
      const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === path[path.length - 1]);
      if (pair && isNode(pair.key) && pair.key.range) return counter.linePos(pair.key.range[0]).line;
    }
  }
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
