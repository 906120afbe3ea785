// Builds one benchmark from electron/bench/ with rolldown (dependencies stay external,
// ssh2 has native parts) and runs it with node, passing the remaining arguments.
//   node build/run-bench.mjs ssh-bench [args...]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { build } from 'rolldown';

const root = fileURLToPath(new URL('..', import.meta.url));
const [name, ...args] = process.argv.slice(2);
const input = join(root, 'electron', 'bench', `${name}.ts`);
if (!name || !existsSync(input)) {
  console.error(`Usage: node build/run-bench.mjs <name> [args]; <name>.ts must exist in electron/bench/`);
  process.exit(1);
}
const outDir = join(root, 'out', 'bench');
await build({
  input,
  platform: 'node',
  external: [/^[^./]/],
  output: { dir: outDir, format: 'esm', entryFileNames: '[name].mjs' },
  logLevel: 'warn',
});
const run = spawnSync(process.execPath, [join(outDir, `${name}.mjs`), ...args], { stdio: 'inherit' });
process.exit(run.status ?? 1);
