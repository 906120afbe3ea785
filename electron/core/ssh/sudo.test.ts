import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AppError } from '../../../shared/contract/errors';
import { generateKeyPair, type KeyPair } from '../../testing/keys';
import { createPoolFixture, targetOf, type PoolFixture } from '../../testing/ssh-pool-fixture';
import { startSshd, type Sshd } from '../../testing/sshd';
import { ensureSudoRequiresPassword, ensureTestUser, type TestUser } from '../../testing/test-user';
import { sudoExec } from './sudo';
import type { SshTarget } from './target';

let user: TestUser;
let clientKey: KeyPair;
let server: Sshd;
let f: PoolFixture;
let target: SshTarget;

beforeAll(async () => {
  user = await ensureTestUser();
  await ensureSudoRequiresPassword(user.name);
  server = await startSshd();
  clientKey = await generateKeyPair(server.dir, 'client');
  await server.addAuthorizedKey(clientKey.publicLine);
  f = await createPoolFixture({ trust: [server] });
  target = targetOf(server, user.name, { identityFiles: [clientKey.privatePath], agent: false });
});

afterAll(async () => {
  await f?.close();
  await server?.stop();
});

describe('sudo', () => {
  it('runs as root with the password on stdin, never on a command line, in the log or the output', async () => {
    const commandLines: string[] = [];
    const originalExec = ssh2.Client.prototype.exec;
    const execSpy = vi.spyOn(ssh2.Client.prototype, 'exec').mockImplementation(function (this: ssh2.Client, ...args: unknown[]) {
      commandLines.push(String(args[0]));
      return (originalExec as (...a: unknown[]) => ssh2.Client).apply(this, args);
    });
    const streamed: string[] = [];
    const result = await sudoExec(f.pool, target, ['id', '-u'], {
      password: user.password,
      onStdout: (chunk) => streamed.push(chunk.toString()),
    });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('0\n');
    expect(streamed.join('')).toBe('0\n');
    expect(result.stderr).toBe('');

    execSpy.mockRestore();
    expect(commandLines.some((line) => line.includes('sudo -S'))).toBe(true);
    expect(commandLines.join('\n')).not.toContain(user.password);
    expect(JSON.stringify(f.log.read())).not.toContain(user.password);
  });

  it('passes the caller’s stdin after the password', async () => {
    const result = await sudoExec(f.pool, target, ['cat'], { password: user.password, stdin: 'payload\n' });
    expect(result.stdout).toBe('payload\n');
  });

  it('fails with SUDO and no password in the error when the password is wrong', async () => {
    const wrong = 'wrong-Pa55word-xyz';
    const error = await sudoExec(f.pool, target, ['id', '-u'], { password: wrong }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    const contract = JSON.stringify((error as AppError).toContract());
    expect((error as AppError).code).toBe('SUDO');
    expect(contract).not.toContain(wrong);
    expect(contract).not.toContain(user.password);
    expect(JSON.stringify(f.log.read())).not.toContain(wrong);
  });

  it('fails with SUDO when a password is needed and none was given', async () => {
    const error = await sudoExec(f.pool, target, ['id', '-u']).catch((e: unknown) => e);
    expect((error as AppError).code).toBe('SUDO');
    expect((error as AppError).message).toContain('needs a password');
  });

  it('quotes hostile arguments through sudo too', async () => {
    const hostile = ['$(id)', "it's", 'a;b', 'new\nline', ''];
    const result = await sudoExec(f.pool, target, ['printf', '%s\\n', ...hostile], { password: user.password });
    expect(result.stdout).toBe(hostile.map((value) => `${value}\n`).join(''));
  });
});
