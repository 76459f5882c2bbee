// Runs every compiled test file (dist/**/*.test.js) with node's test runner,
// streams the spec report, and ends with the plain `N passed, N failed` line CI reads.
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';

function findTests(dir) {
  const out = [];
  for (const entry of readdirSync(dir)) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...findTests(full));
    else if (entry.endsWith('.test.js')) out.push(full);
  }
  return out;
}

const filter = process.argv[2];
const files = findTests('dist').filter((f) => !filter || f.includes(filter)).sort();
let passed = 0;
let failed = 0;
const stream = run({ files, concurrency: Math.max(2, availableParallelism()), timeout: 5 * 60_000 });
stream.on('test:pass', (event) => { if (event.details?.type !== 'suite') passed += 1; });
stream.on('test:fail', (event) => { if (event.details?.type !== 'suite') failed += 1; });
stream.compose(spec).pipe(process.stdout);
stream.on('end', () => {
  // Give the reporter a tick to flush before the summary line.
  setImmediate(() => {
    process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
    process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
  });
});
