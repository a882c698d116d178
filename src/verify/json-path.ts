/**
 * The small JSONPath subset verifiers use to read responses: `$.a.b`, `$.a[0]`, `$.a[*].b`,
 * `$['odd key']`. No filters, no recursion, no scripts.
 */
export type Segment = { key: string } | { index: number } | { all: true };

const SEGMENT = /^(?:\.([A-Za-z0-9_$@-]+)|\[(\d+)\]|\[\*\]|\['([^'\\]+)'\])/;

/** The segments of a path, or undefined if it is not valid. */
export function parseJsonPath(path: string): Segment[] | undefined {
  if (!path.startsWith('$')) return undefined;
  const segments: Segment[] = [];
  let rest = path.slice(1);
  while (rest.length) {
    const m = SEGMENT.exec(rest);
    if (!m) return undefined;
    if (m[1] !== undefined) segments.push({ key: m[1] });
    else if (m[2] !== undefined) segments.push({ index: Number(m[2]) });
    else if (m[3] !== undefined) segments.push({ key: m[3] });
    else segments.push({ all: true });
    rest = rest.slice(m[0].length);
  }
  return segments;
}

/** Every value at the path (several with `[*]`); an empty list when there is none. */
export function selectJson(root: unknown, segments: readonly Segment[]): unknown[] {
  let current: unknown[] = [root];
  for (const seg of segments) {
    const next: unknown[] = [];
    for (const value of current) {
      if ('all' in seg) {
        if (Array.isArray(value)) next.push(...value);
        else if (value && typeof value === 'object') next.push(...Object.values(value));
      } else if ('index' in seg) {
        if (Array.isArray(value) && seg.index < value.length) next.push(value[seg.index]);
      } else if (value && typeof value === 'object' && !Array.isArray(value) && Object.hasOwn(value, seg.key)) {
        next.push((value as Record<string, unknown>)[seg.key]);
      }
    }
    current = next;
  }
  return current.filter((v) => v !== undefined && v !== null);
}
