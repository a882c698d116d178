import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { githubToken, runCli, tempDir } from '../helpers.js';

interface JsonReport {
  version: number;
  findings: Array<Record<string, unknown> & { file: string; line: number; column: number; secret: string; secretHash: string; fingerprint: string; ruleId: string }>;
  summary: { filesScanned: number; skipped: Record<string, number>; findings: number; distinctSecrets: number; suppressed: Record<string, number>; warnings: Array<{ path: string; message: string }> };
}

async function scanJson(args: string[], stdin?: string): Promise<{ code: number; report: JsonReport; stderr: string }> {
  const r = await runCli(['scan', '--format', 'json', ...args], stdin);
  return { code: r.code, report: JSON.parse(r.stdout) as JsonReport, stderr: r.stderr };
}

function write(dir: string, files: Record<string, string | Buffer>): void {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
}

describe('keysweep scan', () => {
  it('reports a secret in a folder, redacted, and exits 1', async () => {
    const dir = tempDir();
    const token = githubToken();
    write(dir, { 'src/config.js': `// config\nconst token = "${token}";\n`, 'README.md': 'nothing here\n' });
    const r = await runCli(['scan', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('github.pat-classic');
    expect(r.stdout).toContain(`${dir}/src/config.js:2:16`);
    expect(r.stdout).not.toContain(token);
    expect(r.stderr).not.toContain(token);
  });

  it('exits 0 on a clean folder, and --exit-code changes the findings status', async () => {
    const dir = tempDir();
    write(dir, { 'a.txt': 'hello\n' });
    expect((await runCli(['scan', dir])).code).toBe(0);
    write(dir, { 'b.env': `GH=${githubToken()}\n` });
    expect((await runCli(['scan', dir, '--exit-code', '7'])).code).toBe(7);
  });

  it('writes the documented JSON shape and groups one secret found in several places', async () => {
    const dir = tempDir();
    const token = githubToken();
    write(dir, { 'a.env': `GH=${token}\n`, 'b/c.yml': `x: 1\ntoken: ${token}\n` });
    const { report } = await scanJson([dir]);
    expect(report.version).toBe(1);
    expect(report.findings).toHaveLength(2);
    const [a, b] = report.findings;
    expect(a).toMatchObject({ ruleId: 'github.pat-classic', provider: 'github', severity: 'critical', file: `${dir}/a.env`, line: 1, column: 4, redacted: true });
    expect(b).toMatchObject({ file: `${dir}/b/c.yml`, line: 2, column: 8 });
    expect(a?.secretHash).toBe(b?.secretHash);
    expect(a?.secret).toMatch(/^ghp_\w{4}…#[0-9a-f]{8}$/);
    expect(report.summary).toMatchObject({ findings: 2, distinctSecrets: 1, filesScanned: 2 });
    expect(JSON.stringify(report)).not.toContain(token);
    const text = await runCli(['scan', dir]);
    expect(text.stdout.match(/GitHub personal access token/g)).toHaveLength(1);
  });

  it('shows the full secret only with --show-secrets', async () => {
    const dir = tempDir();
    const token = githubToken();
    write(dir, { 'a.env': `GH=${token}\n` });
    const { report } = await scanJson([dir, '--show-secrets']);
    expect(report.findings[0]).toMatchObject({ secret: token, redacted: false });
  });

  it('keeps fingerprints stable when unrelated lines move', async () => {
    const dir = tempDir();
    const token = githubToken();
    write(dir, { 'a.env': `GH=${token}\n` });
    const before = (await scanJson([dir])).report.findings[0];
    write(dir, { 'a.env': `# a comment\n\nOTHER=1\nGH=${token}\n` });
    const after = (await scanJson([dir])).report.findings[0];
    expect(after?.line).toBe(4);
    expect(after?.fingerprint).toBe(before?.fingerprint);
  });

  it('skips binary files and counts them; reads UTF-16, invalid UTF-8 and empty files', async () => {
    const dir = tempDir();
    const [t1, t2, t3] = [githubToken(), githubToken(), githubToken()];
    write(dir, {
      'bin.dat': Buffer.concat([Buffer.from([0, 1, 2, 0, 255]), Buffer.from(`GH=${t1}`)]),
      'utf16.txt': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`line1\nGH=${t2}\n`, 'utf16le')]),
      'latin1.txt': Buffer.concat([Buffer.from([0xe9, 0xff, 0xfe, 0x0a]), Buffer.from(`GH=${t3}\n`)]),
      'empty.txt': '',
    });
    const { report } = await scanJson([dir, '--show-secrets']);
    expect(report.summary.skipped.binary).toBe(1);
    expect(report.findings.map((f) => [f.file.slice(dir.length + 1), f.line, f.secret])).toEqual([
      ['latin1.txt', 2, t3],
      ['utf16.txt', 2, t2],
    ]);
    expect(report.summary.filesScanned).toBe(3);
  });

  it('reports unreadable paths and broken or looping symlinks, and finishes the scan', async () => {
    const dir = tempDir();
    write(dir, { 'ok.env': `GH=${githubToken()}\n` });
    symlinkSync(join(dir, 'nowhere'), join(dir, 'broken'));
    symlinkSync(dir, join(dir, 'loop'));
    const { code, report, stderr } = await scanJson([dir, join(dir, 'does-not-exist')]);
    expect(code).toBe(1);
    expect(report.findings).toHaveLength(1);
    expect(report.summary.skipped.unreadable).toBe(1);
    expect(report.summary.skipped.symlink).toBe(2);
    expect(stderr).toContain('does-not-exist');
  });

  it('reads standard input with -', async () => {
    const token = githubToken();
    const { code, report } = await scanJson(['-'], `pasted: ${token}\n`);
    expect(code).toBe(1);
    expect(report.findings[0]).toMatchObject({ file: '<stdin>', line: 1, column: 9 });
  });

  it('honours keysweep:allow, .keysweepignore fingerprints, secret hashes and path globs', async () => {
    const dir = tempDir();
    const [a, b, c, d] = [githubToken(), githubToken(), githubToken(), githubToken()];
    write(dir, {
      'inline.env': `GH=${a} # keysweep:allow\n`,
      'fp.env': `GH=${b}\n`,
      'hash.env': `GH=${c}\n`,
      'fixtures/x.env': `GH=${d}\n`,
      'kept.env': `GH=${d}\n`,
    });
    const first = (await scanJson([dir])).report;
    const fp = first.findings.find((f) => f.file.endsWith('fp.env'))?.fingerprint;
    const hash = first.findings.find((f) => f.file.endsWith('hash.env'))?.secretHash;
    write(dir, { '.keysweepignore': `# reviewed\n${fp}\n${hash}\nfixtures/\n` });
    const { report } = await scanJson([dir]);
    expect(report.findings.map((f) => f.file.slice(dir.length + 1))).toEqual(['kept.env']);
    expect(report.summary.suppressed).toMatchObject({ inline: 1, ignoreFile: 2 });
    expect(report.summary.skipped.ignored).toBe(1);
  });

  it('writes a baseline and then ignores what it holds, but not new secrets', async () => {
    const dir = tempDir();
    const out = tempDir();
    write(dir, { 'old.env': `GH=${githubToken()}\n` });
    const baseline = join(out, 'baseline.json');
    expect((await runCli(['scan', dir, '--write-baseline', baseline])).code).toBe(1);
    expect(readFileSync(baseline, 'utf8')).not.toMatch(/ghp_\w{36}/);
    expect((await runCli(['scan', dir, '--baseline', baseline])).code).toBe(0);
    write(dir, { 'new.env': `GH=${githubToken()}\n` });
    const { code, report } = await scanJson([dir, '--baseline', baseline]);
    expect(code).toBe(1);
    expect(report.findings.map((f) => f.file.slice(dir.length + 1))).toEqual(['new.env']);
  });

  it('applies .keysweep.yml: disabled rules, allowlist regexes and excludes', async () => {
    const dir = tempDir();
    const token = githubToken('gho_');
    write(dir, {
      '.keysweep.yml': `disable: [github.oauth-token]\nallowlist:\n  regexes: ['^ghp_AAAA']\nexclude: ['generated/**']\n`,
      'a.env': `T=${token}\nP=ghp_AAAA${githubToken().slice(8)}\n`,
      'generated/x.env': `GH=${githubToken()}\n`,
    });
    const { code, report } = await scanJson([dir]);
    expect(report.findings).toEqual([]);
    expect(code).toBe(0);
  });

  it('reports a broken config with the file, line and field, scans on without it, and exits 2', async () => {
    const dir = tempDir();
    const token = githubToken();
    write(dir, { '.keysweep.yml': 'allowlist:\n  paths: [a]\n  regexs: [b]\n', 'a.env': `GH=${token}\n` });
    const json = await runCli(['scan', dir, '--format', 'json']);
    expect(json.code).toBe(2);
    const report = JSON.parse(json.stdout) as JsonReport;
    expect(report.findings.map((f) => f.ruleId)).toEqual(['github.pat-classic']);
    expect(report.summary.warnings.map((w) => w.message).join('\n')).toMatch(/regexs/);
    const r = await runCli(['scan', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\.keysweep\.yml:3: allowlist.regexs: Unrecognized key: "regexs"/);
    write(dir, { '.keysweep.yml': 'disable: [a\nexclude: 1\n' });
    const broken = await runCli(['scan', dir]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/\.keysweep\.yml:\d+:\d+: invalid YAML/);
  });

  it('leaves out a broken rule file of the user, keeps the others, and exits 2', async () => {
    const dir = tempDir();
    const rules = tempDir();
    write(rules, {
      'broken.yml': 'provider: broken\nrules: [ {id: broken.x\n',
      'team.yml': `provider: team\nreferences: [https://example.org]\nrules:\n  - id: team.key\n    name: Team key\n    severity: high\n    keywords: [tk_]\n    pattern: '\\b(?P<secret>tk_[a-z0-9]{20})\\b'\n`,
    });
    write(dir, { 'a.env': `GH=${githubToken()}\nT=tk_${'a1b2c3d4e5'.repeat(2)}\n` });
    const r = await runCli(['scan', dir, '--rules', rules, '--format', 'json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/broken\.yml:\d+:\d+: invalid YAML/);
    expect((JSON.parse(r.stdout) as JsonReport).findings.map((f) => f.ruleId).sort()).toEqual(['github.pat-classic', 'team.key']);
  });

  it('rejects unknown flags, formats and rule names with exit 2', async () => {
    for (const args of [['scan', '--nope'], ['scan', '--format', 'xml'], ['scan', '--enable', 'no.such-rule'], ['scan', '--threads', 'x'], ['frobnicate']]) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/keysweep: (usage error|error): /);
    }
  });

  it('accepts --no-verify and --enable by provider', async () => {
    const dir = tempDir();
    write(dir, { 'a.env': `GH=${githubToken()}\n` });
    expect((await runCli(['scan', dir, '--no-verify', '--enable', 'github'])).code).toBe(1);
    expect((await runCli(['scan', dir, '--disable', 'github.*'])).code).toBe(0);
  });

  it('finds the same secrets with matching threads as on one thread', async () => {
    // Large enough (about 25 MB) that the scan goes to threads and outlasts a thread's start-up.
    const dir = tempDir();
    const filler = 'const value = compute(input, options);\n'.repeat(1000);
    for (let i = 0; i < 600; i++) write(dir, { [`d${i % 7}/f${i}.txt`]: i % 10 === 0 ? `${filler}x\nGH=${githubToken()}\n` : `${filler}nothing ${i}\n` });
    const one = (await scanJson([dir, '--threads', '1'])).report;
    const many = (await scanJson([dir, '--threads', '2'])).report;
    expect(one.findings).toHaveLength(60);
    expect(many.findings).toEqual(one.findings);
    expect(many.summary.filesScanned).toBe(600);
    expect(many.summary.warnings).toEqual([]);
  });

  it('skips files over --max-file-size and says so', async () => {
    const dir = tempDir();
    write(dir, { 'big.txt': `GH=${githubToken()}\n${'x'.repeat(5000)}` });
    const { report } = await scanJson([dir, '--max-file-size', '1KB']);
    expect(report.findings).toEqual([]);
    expect(report.summary.skipped.tooLarge).toBe(1);
  });
});
