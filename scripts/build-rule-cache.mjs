// Part of `npm run build`: parses and validates the built-in rules once, and stores them as JSON so
// that start-up does not parse YAML (see src/detect/rule-cache.ts). A rule file that fails to load is
// reported and no cache is written: the loader then reads the YAML and reports the same error.
import { rmSync } from 'node:fs';
const { loadRules } = await import('../dist/src/detect/rules.js');
const { writeRuleCache } = await import('../dist/src/detect/rule-cache.js');
const { BUILTIN_PATTERNS_DIR, BUILTIN_RULE_CACHE } = await import('../dist/src/util/paths.js');
rmSync(BUILTIN_RULE_CACHE, { force: true });
try {
  const rules = loadRules([BUILTIN_PATTERNS_DIR], { validatePatterns: false });
  writeRuleCache(BUILTIN_RULE_CACHE, BUILTIN_PATTERNS_DIR, rules);
  console.log(`rule cache: ${rules.length} rules`);
} catch (err) {
  console.warn(`rule cache not written: ${err instanceof Error ? err.message.split('\n').slice(0, 4).join('\n') : err}`);
}
