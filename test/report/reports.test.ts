import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type AjvDraft04 from 'ajv-draft-04/dist/index.js';
import { describe, expect, it } from 'vitest';
import { githubToken, runCli, tempDir } from '../helpers.js';
import { writeFileSync } from 'node:fs';

// ajv-draft-04 is CommonJS; load it the CommonJS way.
const Ajv = createRequire(import.meta.url)('ajv-draft-04') as typeof AjvDraft04.default;
const schema = JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/sarif-schema-2.1.0.json'), 'utf8')) as object;

async function reportOf(format: string, files: Record<string, string>): Promise<{ out: string; tokens: string[]; dir: string }> {
  const dir = tempDir();
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  const r = await runCli(['scan', dir, '--format', format]);
  return { out: r.stdout, tokens: [], dir };
}

describe('SARIF', () => {
  it('validates against the official SARIF 2.1.0 schema and carries fingerprints, rule help and columns', async () => {
    const token = githubToken();
    const { out } = await reportOf('sarif', { 'a b.env': `\n  GH=${token}\n`, 'c.txt': `x ${token} y` });
    const log = JSON.parse(out);
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(schema);
    expect(validate(log), JSON.stringify(validate.errors, null, 2)).toBe(true);
    const run = log.runs[0];
    expect(run.tool.driver.rules).toHaveLength(1);
    expect(run.tool.driver.rules[0]).toMatchObject({ id: 'github.pat-classic', help: { text: expect.stringContaining('Delete the token') } });
    expect(run.tool.driver.rules[0].properties['security-severity']).toBe('9.5');
    expect(run.results).toHaveLength(2);
    expect(run.results[0]).toMatchObject({
      ruleId: 'github.pat-classic',
      level: 'error',
      locations: [{ physicalLocation: { region: { startLine: 2, startColumn: 6 } } }],
      partialFingerprints: { 'keysweep/v1': expect.any(String) },
    });
    expect(run.results[0].locations[0].physicalLocation.artifactLocation.uri).toMatch(/a%20b\.env$/);
    expect(out).not.toContain(token);
  });

  it('is valid with no findings and with warnings', async () => {
    const { out } = await reportOf('sarif', { 'a.txt': 'clean' });
    const validate = new Ajv({ strict: false }).compile(schema);
    expect(validate(JSON.parse(out))).toBe(true);
  });
});

describe('GitHub annotations', () => {
  it('prints one escaped workflow command per finding', async () => {
    const token = githubToken();
    const { out, dir } = await reportOf('github', { 'x,y.env': `GH=${token}\n` });
    const lines = out.trim().split('\n');
    expect(lines[0]).toBe(
      `::error file=${dir.replace(/:/g, '%3A')}/x%2Cy.env,line=1,col=4,title=GitHub personal access token (classic) (github.pat-classic)::${lines[0]?.split('::')[2]}`,
    );
    expect(lines[0]).toMatch(/::critical secret ghp_\w{4}…#[0-9a-f]{8} found\./);
    expect(out).not.toContain(token);
  });
});

describe('text', () => {
  it('prints the summary with skipped counts', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.bin'), Buffer.from([0, 0, 0]));
    writeFileSync(join(dir, 'b.env'), `GH=${githubToken()}`);
    const r = await runCli(['scan', dir]);
    expect(r.stdout).toMatch(/1 finding\(s\) of 1 distinct secret\(s\): 1 critical\./);
    expect(r.stdout).toMatch(/Skipped: 1 binary\./);
  });
});
