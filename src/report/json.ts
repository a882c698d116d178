import type { Reporter } from '../types.js';

/**
 * The JSON report: `{"version", "tool", "findings": [...], "summary": {...}}`. The field names are a
 * contract (documented in the README); add fields, never rename them.
 */
export const jsonReporter: Reporter = (findings, run) =>
  `${JSON.stringify({ version: 1, tool: run.tool, findings, summary: run.summary }, null, 2)}\n`;
