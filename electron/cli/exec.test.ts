import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, type KeyPair } from '../testing/keys';
import { startSshd, type Sshd } from '../testing/sshd';
import { ensureTestUser, type TestUser } from '../testing/test-user';
import { runCliCaptured } from './cli-harness';

let dir: string;
let key: KeyPair;
let user: TestUser;
let first: Sshd;
let second: Sshd;
let knownHosts: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sb-cli-exec-'));
  user = await ensureTestUser();
  key = await generateKeyPair(dir, 'id_ed25519');
  [first, second] = await Promise.all([startSshd({ authorizedKeys: [key.publicLine] }), startSshd({ authorizedKeys: [key.publicLine] })]);
  knownHosts = join(dir, 'known_hosts');
  await writeFile(knownHosts, `${first.knownHostsLine()}\n${second.knownHostsLine()}\n`);
});

afterAll(async () => {
  await Promise.all([first?.stop(), second?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

const cli = (args: string[]) => runCliCaptured(args, { cwd: dir });

const base = () => ['exec', '--data-dir', join(dir, 'data'), '-i', key.privatePath];

describe('switchboard exec (against real sshd)', () => {
  it('runs one command on many hosts, quoting every argument exactly', async () => {
    const hostile = ["a b", "c'd", '$(id)', '`id`', 'x;y', 'line1\nline2', '中文', ''];
    const result = await cli([
      ...base(),
      '--known-hosts', knownHosts, '--json',
      `${user.name}@127.0.0.1:${first.port}`, `${user.name}@127.0.0.1:${second.port}`,
      '--', 'printf', '%s|', ...hostile,
    ]);
    expect(result.code).toBe(0);
    const outcomes = JSON.parse(result.out) as Array<{ host: string; ok: boolean; exitCode: number; stdout: string }>;
    expect(outcomes).toHaveLength(2);
    for (const o of outcomes) {
      expect(o).toMatchObject({ ok: true, exitCode: 0 });
      expect(o.stdout).toBe(`${hostile.join('|')}|`);
    }
    expect(result.err).toContain('[2/2]');
  });

  it('exits 2 when any host fails, and says which', async () => {
    const result = await cli([...base(), '--known-hosts', knownHosts, '--json', `${user.name}@127.0.0.1:${first.port}`, '--', 'sh', '-c', 'exit 3']);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.out)).toMatchObject([{ ok: false, exitCode: 3, error: null }]);
  });

  it('refuses an unknown host key, naming its fingerprint, unless --accept-new', async () => {
    const empty = join(dir, 'empty_known_hosts');
    await writeFile(empty, '');
    const refused = await cli([...base(), '--known-hosts', empty, '--json', `${user.name}@127.0.0.1:${first.port}`, '--', 'true']);
    expect(refused.code).toBe(2);
    const [outcome] = JSON.parse(refused.out) as Array<{ error: { code: string; message: string } }>;
    expect(outcome?.error.code).toBe('SSH_HOST_KEY_UNKNOWN');
    expect(outcome?.error.message).toContain(first.hostKeyFingerprint);
    expect(await readFile(empty, 'utf8')).toBe('');

    const accepted = await cli([...base(), '--known-hosts', empty, '--accept-new', `${user.name}@127.0.0.1:${first.port}`, '--', 'true']);
    expect(accepted.code).toBe(0);
    expect(await readFile(empty, 'utf8')).toContain(first.knownHostsLine().split(' ').slice(1).join(' '));
  });

  it('picks hosts by ssh_config alias globs, with their HostName, Port and User', async () => {
    const config = join(dir, 'ssh_config');
    await writeFile(
      config,
      [
        `Host web-a`, `  HostName 127.0.0.1`, `  Port ${first.port}`,
        `Host web-b`, `  HostName 127.0.0.1`, `  Port ${second.port}`,
        `Host db`, `  HostName 127.0.0.1`, `  Port 1`,
        `Host *`, `  User ${user.name}`, `  IdentityFile ${key.privatePath}`, '',
      ].join('\n'),
    );
    const result = await cli([...base(), '--known-hosts', knownHosts, '--ssh-config', config, '--json', 'web-*', '--', 'echo', 'hi']);
    expect(result.code, result.out + result.err).toBe(0);
    expect((JSON.parse(result.out) as Array<{ host: string }>).map((o) => o.host).sort()).toEqual(['web-a', 'web-b']);
  });

  it('refuses a hostile host name before connecting anywhere', async () => {
    const result = await cli([...base(), '--known-hosts', knownHosts, 'root@a;rm -rf /', '--', 'true']);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/cannot contain|is refused/);
  });

  it('needs -- before the command', async () => {
    expect((await cli(['exec', 'host', 'uptime'])).code).toBe(1);
  });
});
