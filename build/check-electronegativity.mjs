// Runs Electronegativity over the app's sources and fails on any finding.
// Electronegativity exits 0 even when it finds problems, so its SARIF output is parsed.
// A finding we accept is suppressed in the code with `eng-disable CHECK_NAME` and a reason.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const cli = require.resolve('@doyensec/electronegativity/dist/index.js');
const electronVersion = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;

// Scan sources only (not build output), in a staging copy.
const stage = mkdtempSync(join(tmpdir(), 'switchboard-eneg-'));
try {
  for (const dir of ['electron', 'renderer', 'shared']) cpSync(join(root, dir), join(stage, dir), { recursive: true });
  cpSync(join(root, 'package.json'), join(stage, 'package.json'));
  const sarifFile = join(stage, 'electronegativity.sarif');
  const run = spawnSync(process.execPath, [cli, '-i', stage, '-e', electronVersion, '-r', '-v', 'false', '-o', sarifFile], {
    encoding: 'utf8',
    env: { ...process.env, LANG: 'en_US.UTF-8' },
  });
  if (run.status !== 0) {
    process.stderr.write(run.stdout + run.stderr);
    throw new Error(`electronegativity exited with ${run.status}`);
  }
  const sarif = JSON.parse(readFileSync(sarifFile, 'utf8'));
  const results = sarif.runs.flatMap((r) => r.results ?? []);
  for (const result of results) {
    const location = result.locations?.[0]?.physicalLocation;
    console.error(
      `${result.ruleId} (${result.level}) ${location?.artifactLocation?.uri ?? '?'}:${location?.region?.startLine ?? '?'} ${result.message?.text ?? ''}`,
    );
  }
  if (results.length > 0) {
    console.error(`Electronegativity: ${results.length} finding(s). Fix them, or suppress an accepted one with "eng-disable CHECK" and a reason.`);
    process.exitCode = 1;
  } else {
    console.log('Electronegativity: no findings.');
  }
} finally {
  rmSync(stage, { recursive: true, force: true });
}
