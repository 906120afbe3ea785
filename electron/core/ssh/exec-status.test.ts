import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, type KeyPair } from '../../testing/keys';
import { createPoolFixture, targetOf } from '../../testing/ssh-pool-fixture';
import { startSshd, type Sshd } from '../../testing/sshd';
import { ensureTestUser, type TestUser } from '../../testing/test-user';
import { exec } from './exec';

let dir: string;
let key: KeyPair;
let user: TestUser;
let sshd: Sshd;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sb-exec-status-'));
  user = await ensureTestUser();
  key = await generateKeyPair(dir, 'id_ed25519');
  sshd = await startSshd({ authorizedKeys: [key.publicLine] });
});
afterAll(async () => {
  await sshd?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('exec exit status', () => {
  // A command that exits at once on a fresh connection used to lose its exit-status
  // (it arrived before the listener): about one run in fifteen reported exitCode null.
  it('is never lost for a command that exits immediately on a fresh connection', async () => {
    const codes: Array<number | null> = [];
    for (let i = 0; i < 40; i++) {
      const fixture = await createPoolFixture({ trust: [sshd], policy: 'strict' });
      try {
        const result = await exec(fixture.pool, targetOf(sshd, user.name, { identityFiles: [key.privatePath], agent: false }), ['sh', '-c', `exit ${i % 3}`]);
        codes.push(result.exitCode);
      } finally {
        await fixture.close();
      }
    }
    expect(codes).toEqual(Array.from({ length: 40 }, (_, i) => i % 3));
  });
});
