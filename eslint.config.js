// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import { builtinModules } from 'node:module';
import globals from 'globals';

/**
 * The layering table of ARCHITECTURE.md, as lint rules: a wrong import fails `npm test`.
 *   shared/                             -> only shared/ and pure libraries (zod)
 *   electron/core, lab, cli, serve.ts   -> shared/, Node, npm libraries; never `electron`
 *   electron/main.ts, preload.ts, platform/ -> the above plus `electron`
 *   renderer/                           -> shared/, the DOM, React; never Node, never `electron`
 */
const nodeBuiltins = builtinModules.filter((name) => !name.startsWith('_'));
const escapeRegex = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const nodeBuiltinRegex = `^(node:.*|(${nodeBuiltins.map(escapeRegex).join('|')})(/.*)?)$`;

const layer = (message, patterns) => ({
  'no-restricted-imports': ['error', { patterns: patterns.map((regex) => ({ regex, message })) }],
});

export const layeringRules = {
  shared: layer('shared/ is pure TypeScript: it may import only shared/ and zod (see ARCHITECTURE.md).', [
    '^(?!\\.{1,2}/|zod(/|$)).*',
    '^(\\.\\./)+(electron|renderer|e2e|build)(/|$)',
  ]),
  core: layer('electron/core, lab, cli and serve.ts run without Electron: never import electron, the Electron entry points or renderer/.', [
    '^electron(/.*)?$',
    '^(\\.\\./)+renderer(/|$)',
    '(^|/)(main|preload)$',
    '(^|/)platform(/|$)',
  ]),
  electronEntry: layer('The Electron entry points never import renderer/ code.', ['^(\\.\\./)+renderer(/|$)']),
  renderer: layer('renderer/ talks to the main process only through the contract: no Node, no electron, no main-process code.', [
    nodeBuiltinRegex,
    '^(electron|ssh2|mongodb|ws|write-file-atomic|bson|mingo|ssh-config)(/.*)?$',
    '^(\\.\\./)+electron(/|$)',
  ]),
};

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'e2e/artifacts/**', 'test-results/**', 'playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  { files: ['**/*.{js,mjs}'], languageOptions: { globals: globals.node } },
  { files: ['shared/**/*.ts'], ignores: ['shared/**/*.test.ts'], rules: layeringRules.shared },
  {
    files: ['electron/core/**/*.ts', 'electron/lab/**/*.ts', 'electron/cli/**/*.ts', 'electron/bench/**/*.ts', 'electron/testing/**/*.ts', 'electron/serve.ts'],
    rules: layeringRules.core,
  },
  { files: ['electron/main.ts', 'electron/preload.ts', 'electron/platform/**/*.ts'], rules: layeringRules.electronEntry },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...layeringRules.renderer,
      ...reactHooks.configs.recommended.rules,
      // Advice for the React Compiler, which this project does not use.
      'react-hooks/incompatible-library': 'off',
    },
  },
);
