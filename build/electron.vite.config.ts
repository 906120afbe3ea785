import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { chmod } from 'node:fs/promises';
import type { Plugin } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));
const { version } = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { version: string };
const define = { __APP_VERSION__: JSON.stringify(version) };

/** The CLI is the package's `bin`: npm runs it directly, so it must be executable. */
const executableCli: Plugin = {
  name: 'switchboard-executable-cli',
  async writeBundle(options) {
    if (options.dir) await chmod(resolve(options.dir, 'cli.js'), 0o755);
  },
};

export default defineConfig({
  // Main process, CLI and browser-mode server: one Node build, dependencies (ssh2,
  // mongodb, ws, ...) stay external and are loaded from node_modules.
  main: {
    root,
    define,
    plugins: [executableCli],
    build: {
      outDir: resolve(root, 'out/main'),
      externalizeDeps: true,
      rollupOptions: {
        input: {
          main: resolve(root, 'electron/main.ts'),
          cli: resolve(root, 'electron/cli/cli.ts'),
        },
        output: { format: 'es', entryFileNames: '[name].js' },
      },
    },
  },
  // The preload is one self-contained CommonJS file so the window can run sandboxed.
  preload: {
    root,
    build: {
      outDir: resolve(root, 'out/preload'),
      externalizeDeps: false,
      isolatedEntries: true,
      rollupOptions: {
        input: { preload: resolve(root, 'electron/preload.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    define,
    base: './',
    plugins: [react()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      emptyOutDir: true,
      rollupOptions: { input: resolve(root, 'renderer/index.html') },
    },
  },
});
