import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freeSpacingToPlain, withSecretGroup } from '../../src/detect/rule-import.js';
import { randomString, runCli, tempDir } from '../helpers.js';

const GITLEAKS = `
title = "team rules"

[[rules]]
id = "acme-deploy-key"
description = "Acme deploy key"
regex = '''acme_dk_([a-z0-9]{32})'''
secretGroup = 1
keywords = ["acme_dk_"]
entropy = 3.0
[[rules.allowlists]]
regexes = ['''acme_dk_0{32}''']
paths = ['''fixtures/''']

[[rules]]
id = "internal-token"
description = "Internal token"
regex = '''(?i)internal[_-]token\\s*=\\s*['"]?(?P<tok>[A-Za-z0-9]{40})'''

[[rules]]
id = "lookbehind"
description = "Uses lookbehind"
regex = '''(?<=key=)[a-z]{20}'''
keywords = ["key="]
`;

const KINGFISHER = `
rules:
  - name: Acme App Id
    id: acme.app_id
    pattern: |
      (?x)(?i)
      acme_app
      (?:.|[\\n\\r]){0,16}?
      \\b
      ( [A-Z0-9]{10} )   # the id
      \\b
    min_entropy: 2.5
    visible: false
    confidence: medium
    examples:
      - acme_app_id = "WRB8YLFW7Y"
  - name: Acme App Key
    id: acme.app_key
    pattern: |
      (?xi)
      acme_key
      (?:.|[\\n\\r]){0,16}?
      \\b ( [a-z0-9]{32} ) \\b
    min_entropy: 3.0
    confidence: high
    examples:
      - acme_key = "ij1mut5oe606wlrf5z4u8u31264z3gag"
    depends_on_rule:
      - rule_id: acme.app_id
        variable: APPID
`;

const GITHUB = `
name: Org patterns
patterns:
  - name: Widget service token
    type: widget_token
    regex:
      version: 0.1
      pattern: |
        wdg_[A-Za-z0-9]{30}
      start: |
        \\A|[^0-9A-Za-z]
      end: |
        \\z|[^0-9A-Za-z]
      additional_not_match:
        - ^wdg_0+$
      additional_match:
        - '[0-9]'
`;

describe('keysweep rules import', () => {
  it('converts gitleaks TOML: secret group, keywords, allowlists; reports what RE2 rejects', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'gitleaks.toml'), GITLEAKS);
    const out = join(dir, 'team.yml');
    const r = await runCli(['rules', 'import', join(dir, 'gitleaks.toml'), '--provider', 'team', '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/skipped team\.lookbehind .*RE2 rejects the pattern/);
    expect(r.stderr).toMatch(/2 converted, 1 skipped/);
    expect(r.stderr).toMatch(/allowlist paths: put them in \.keysweep\.yml/);
    const secret = randomString(32, 'abcdefghijklmnopqrstuvwxyz0123456789');
    const internal = randomString(40);
    const scanDir = tempDir();
    writeFileSync(join(scanDir, 'a.env'), `DK=acme_dk_${secret}\nX=acme_dk_${'0'.repeat(32)}\ninternal_token = "${internal}"\n`);
    const scan = await runCli(['scan', scanDir, '--rules', out, '--enable', 'team', '--format', 'json', '--show-secrets']);
    const found = (JSON.parse(scan.stdout) as { findings: Array<{ ruleId: string; secret: string }> }).findings;
    expect(found.map((f) => [f.ruleId, f.secret])).toEqual([
      ['team.acme-deploy-key', secret],
      ['team.internal-token', internal],
    ]);
  });

  it('converts Kingfisher YAML: free-spacing patterns, hidden helper rules and dependencies', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'kf.yaml'), KINGFISHER);
    const out = join(dir, 'acme.yml');
    expect((await runCli(['rules', 'import', join(dir, 'kf.yaml'), '--provider', 'acme', '-o', out])).code).toBe(0);
    const test = await runCli(['rules', 'test', '--rules', out]);
    expect(test.stdout).toMatch(/2 rules, 2 examples, 0 failure\(s\)/);
    const scanDir = tempDir();
    writeFileSync(join(scanDir, 'c.py'), 'acme_app_id = "WRB8YLFW7Y"\nacme_key = "ij1mut5oe606wlrf5z4u8u31264z3gag"\n');
    const scan = await runCli(['scan', scanDir, '--rules', out, '--enable', 'acme', '--format', 'json', '--show-secrets']);
    const found = (JSON.parse(scan.stdout) as { findings: Array<{ ruleId: string; parts: Record<string, string> }> }).findings;
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ ruleId: 'acme.acme-app-key', parts: { appid: 'WRB8YLFW7Y' } });
  });

  it('converts GitHub custom patterns (start/end, additional_not_match) and says what it could not keep', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'patterns.yml'), GITHUB);
    const out = join(dir, 'org.yml');
    const r = await runCli(['rules', 'import', join(dir, 'patterns.yml'), '--provider', 'org', '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/additional_match \(1\) has no keysweep equivalent/);
    const token = `wdg_${randomString(30)}`;
    const scanDir = tempDir();
    writeFileSync(join(scanDir, 'x.txt'), `t=${token}\nz=wdg_${'0'.repeat(30)}\n`);
    const scan = await runCli(['scan', scanDir, '--rules', out, '--enable', 'org', '--format', 'json', '--show-secrets']);
    expect((JSON.parse(scan.stdout) as { findings: Array<{ secret: string }> }).findings.map((f) => f.secret)).toEqual([token]);
  });

  it('rewrites free-spacing patterns and names the secret group', () => {
    expect(freeSpacingToPlain('(?x)(?i) abc [ ]x # comment\n  (\\d+) \\ y')).toBe('(?i)abc[ ]x(\\d+)\\ y');
    expect(withSecretGroup('a(?:b)(c)(d)', 2)).toBe('a(?:b)(c)(?P<secret>d)');
    expect(withSecretGroup('x(?P<tok>y)', undefined)).toBe('x(?P<secret>y)');
    expect(withSecretGroup('[(]abc', undefined)).toBe('(?P<secret>[(]abc)');
  });
});
