import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const cwd = fileURLToPath(new URL('..', import.meta.url));
const eslint = new ESLint({ cwd });

async function layeringErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('the layering rule of ARCHITECTURE.md', () => {
  it.each([
    ['renderer/features/x/Bad.tsx', "import { readFile } from 'node:fs';"],
    ['renderer/features/x/Bad.tsx', "import fs from 'fs';"],
    ['renderer/features/x/Bad.tsx', "import { ipcRenderer } from 'electron';"],
    ['renderer/features/x/Bad.tsx', "import { Client } from 'ssh2';"],
    ['renderer/features/x/Bad.tsx', "import { createCore } from '../../../electron/core/app-core';"],
    ['shared/contract/bad.ts', "import { join } from 'node:path';"],
    ['shared/contract/bad.ts', "import React from 'react';"],
    ['shared/contract/bad.ts', "import { createCore } from '../../electron/core/app-core';"],
    ['electron/core/ssh/bad.ts', "import { app } from 'electron';"],
    ['electron/cli/bad.ts', "import { safeStorage } from 'electron';"],
    ['electron/lab/bad.ts', "import { App } from '../../renderer/app/App';"],
    ['electron/core/bad.ts', "import { x } from '../platform/secrets';"],
  ])('refuses %s: %s', async (file, code) => {
    expect(await layeringErrors(file, `${code}\nexport {};\n`)).toHaveLength(1);
  });

  it.each([
    ['renderer/features/x/Good.tsx', "import { z } from 'zod';\nimport { calls } from '../../../shared/contract';"],
    ['shared/contract/good.ts', "import { z } from 'zod';\nimport { AppError } from './errors';"],
    ['electron/core/ssh/good.ts', "import { Client } from 'ssh2';\nimport { readFile } from 'node:fs/promises';"],
    ['electron/main.ts', "import { app } from 'electron';\nimport { createCore } from './core/app-core';"],
  ])('allows %s', async (file, code) => {
    expect(await layeringErrors(file, `${code}\nexport {};\n`)).toEqual([]);
  });
});
