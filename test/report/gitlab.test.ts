import { createRequire } from 'node:module';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import type AjvType from 'ajv';
import { describe, expect, it } from 'vitest';
import { FixtureRepo } from '../git/git-fixture.js';
import { githubToken, runCli, tempDir } from '../helpers.js';

const Ajv = createRequire(import.meta.url)('ajv') as typeof AjvType.default;

/**
 * What GitLab's secret-detection report schema 15.0.x requires (security-report-schemas,
 * dist/secret-detection-report-format.json): the required keys, enums and formats GitLab validates a
 * report against before ingesting it — a report that fails is dropped whole.
 */
const REQUIRED = {
  type: 'object',
  required: ['version', 'scan', 'vulnerabilities'],
  properties: {
    version: { type: 'string', pattern: '^15\\.0\\.[0-9]+$' },
    schema: { type: 'string', pattern: '^https?://.+' },
    scan: {
      type: 'object',
      required: ['analyzer', 'scanner', 'type', 'start_time', 'end_time', 'status'],
      properties: {
        analyzer: { $ref: '#/definitions/tool' },
        scanner: { $ref: '#/definitions/tool' },
        type: { enum: ['secret_detection'] },
        start_time: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}$' },
        end_time: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}$' },
        status: { enum: ['success', 'failure'] },
        messages: { type: 'array', items: { type: 'object', required: ['level', 'value'], properties: { level: { enum: ['info', 'warn', 'fatal'] }, value: { type: 'string' } } } },
      },
    },
    vulnerabilities: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'identifiers', 'location'],
        properties: {
          id: { type: 'string', minLength: 1 },
          name: { type: 'string', maxLength: 255 },
          description: { type: 'string', maxLength: 1048576 },
          severity: { enum: ['Info', 'Unknown', 'Low', 'Medium', 'High', 'Critical'] },
          solution: { type: 'string', maxLength: 7000 },
          identifiers: {
            type: 'array',
            minItems: 1,
            items: { type: 'object', required: ['type', 'name', 'value'], properties: { type: { type: 'string', minLength: 1 }, name: { type: 'string', minLength: 1 }, value: { type: 'string', minLength: 1 }, url: { type: 'string', pattern: '^https?://' } } },
          },
          links: { type: 'array', items: { type: 'object', required: ['url'], properties: { url: { type: 'string', pattern: '^https?://' } } } },
          location: {
            type: 'object',
            required: ['commit'],
            properties: {
              file: { type: 'string', minLength: 1 },
              start_line: { type: 'integer', minimum: 1 },
              end_line: { type: 'integer', minimum: 1 },
              commit: { type: 'object', required: ['sha'], properties: { sha: { type: 'string', minLength: 1 }, author: { type: 'string' }, date: { type: 'string' } } },
            },
          },
        },
      },
    },
  },
  definitions: {
    tool: {
      type: 'object',
      required: ['id', 'name', 'version', 'vendor'],
      properties: { id: { type: 'string', minLength: 1 }, name: { type: 'string', minLength: 1 }, version: { type: 'string', minLength: 1 }, url: { type: 'string', pattern: '^https?://' }, vendor: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1 } } } },
    },
  },
};

interface GitlabReport {
  vulnerabilities: Array<{ id: string; category: string; severity: string; name: string; description: string; location: { file: string; start_line: number; commit: { sha: string } }; identifiers: Array<{ value: string }> }>;
}

async function gitlabReport(args: string[]): Promise<{ report: GitlabReport; text: string; code: number }> {
  const r = await runCli(['scan', ...args, '--format', 'gitlab', '-q']);
  if (r.code === 2) throw new Error(r.stderr);
  const report = JSON.parse(r.stdout) as GitlabReport;
  const validate = new Ajv({ allErrors: true, strict: false }).compile(REQUIRED);
  expect(validate(report), JSON.stringify(validate.errors, null, 2)).toBe(true);
  return { report, text: r.stdout, code: r.code };
}

describe('--format gitlab', () => {
  it("writes GitLab's secret-detection report for a merge request's diff, at the head commit", async () => {
    const repo = new FixtureRepo();
    repo.commit('base', { 'a.txt': 'a\n' });
    const base = repo.git('rev-parse', 'HEAD');
    const secret = githubToken();
    const head = repo.commit('leak', { 'config/app.env': `# app\nTOKEN=${secret}\n` });
    const { report, text, code } = await gitlabReport([repo.dir, '--diff', `${base}...${head}`]);
    expect(code).toBe(1);
    expect(report.vulnerabilities).toHaveLength(1);
    expect(report.vulnerabilities[0]).toMatchObject({
      category: 'secret_detection',
      name: 'GitHub personal access token (classic)',
      severity: 'Critical',
      location: { file: 'config/app.env', start_line: 2, commit: { sha: head } },
      identifiers: [{ type: 'keysweep_rule_id', value: 'github.pat-classic' }],
    });
    expect(text).not.toContain(secret);
    expect(report.vulnerabilities[0]?.description).toContain(`${secret.slice(0, 8)}…#`);
  });

  it('names the introducing commit for history scans, and a placeholder commit for plain files', async () => {
    const repo = new FixtureRepo();
    const c1 = repo.commit('leak', { 'k.env': `K=${githubToken()}\n` });
    repo.commit('more', { 'b.txt': 'b\n' });
    const history = await gitlabReport([repo.dir, '--history']);
    expect(history.report.vulnerabilities.map((v) => [v.location.file, v.location.commit.sha])).toEqual([['k.env', c1]]);

    const dir = tempDir();
    writeFileSync(join(dir, 'x.env'), `X=${githubToken()}\n`);
    const files = await gitlabReport([dir]);
    expect(files.report.vulnerabilities[0]?.location.commit.sha).toBe('0000000');

    const empty = await gitlabReport([tempDir()]);
    expect(empty.report.vulnerabilities).toEqual([]);
    expect(empty.code).toBe(0);
  });
});
