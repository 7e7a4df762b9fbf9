// Sums every workspace package's vitest JSON report into the last line CI is judged by.
// A package with a test script but no report (its runner crashed) counts as one failed test,
// and a failed step before the tests (exit status in argv[2]) can never print "0 failed".
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const priorStatus = Number(process.argv[2] ?? 0);
let passed = 0;
let failed = 0;
for (const group of ['packages', 'apps']) {
  for (const name of fs.readdirSync(path.join(root, group))) {
    const dir = path.join(root, group, name);
    const pkgFile = path.join(dir, 'package.json');
    if (!fs.existsSync(pkgFile)) continue;
    const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
    if (!pkg.scripts?.test) continue;
    const report = path.join(dir, 'reports', 'vitest.json');
    if (!fs.existsSync(report)) {
      console.log(`[ci] ${pkg.name}: no test report (runner failed)`);
      failed += 1;
      continue;
    }
    const result = JSON.parse(fs.readFileSync(report, 'utf8'));
    const packageFailed = result.numFailedTests + (result.success === false && result.numFailedTests === 0 ? 1 : 0);
    console.log(`[ci] ${pkg.name}: ${result.numPassedTests} passed, ${packageFailed} failed`);
    passed += result.numPassedTests;
    failed += packageFailed;
  }
}
if (priorStatus !== 0 && failed === 0) failed = 1;
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(priorStatus !== 0 || failed > 0 ? 1 : 0);
