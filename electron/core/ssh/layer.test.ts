import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../testing/keys';
import { startSshd, type Sshd } from '../../testing/sshd';
import { ensureTestUser, type TestUser } from '../../testing/test-user';
import { agentSources, WINDOWS_OPENSSH_AGENT_PIPE } from './agent';
import { exec } from './exec';
import { createSshLayer } from './layer';

let user: TestUser;
let server: Sshd;
let home: string;

beforeAll(async () => {
  user = await ensureTestUser();
  home = await mkdtemp(join(tmpdir(), 'sb-layer-home-'));
  await mkdir(join(home, '.ssh'), { mode: 0o700 });
  const key = await generateKeyPair(home, 'generated');
  await copyFile(key.privatePath, join(home, '.ssh', 'id_ed25519'));
  server = await startSshd({ authorizedKeys: [key.publicLine] });
  await writeFile(join(home, '.ssh', 'known_hosts'), `${server.knownHostsLine()}\n`);
});

afterAll(async () => {
  await server?.stop();
  await rm(home, { recursive: true, force: true });
});

describe('createSshLayer', () => {
  it('uses ~/.ssh/known_hosts and the default identity files, as ssh would', async () => {
    const layer = createSshLayer({ dataDir: join(home, 'data'), homeDir: home, hostKeyMode: 'strict', env: {} });
    try {
      const result = await exec(layer.pool, { host: server.host, port: server.port, user: user.name }, ['id', '-un']);
      expect(result.stdout).toBe(`${user.name}\n`);
      expect(layer.log.read().some((e) => e.message.includes(join(home, '.ssh', 'id_ed25519')))).toBe(true);
    } finally {
      await layer.close();
    }
  });
});

describe('agentSources', () => {
  it('follows SSH_AUTH_SOCK, then the Windows agents, and honours explicit settings', () => {
    expect(agentSources(true, { SSH_AUTH_SOCK: '/run/agent.sock' }, 'linux')).toEqual(['/run/agent.sock']);
    expect(agentSources(undefined, {}, 'linux')).toEqual([]);
    expect(agentSources(true, {}, 'win32')).toEqual([WINDOWS_OPENSSH_AGENT_PIPE, 'pageant']);
    expect(WINDOWS_OPENSSH_AGENT_PIPE).toBe('\\\\.\\pipe\\openssh-ssh-agent');
    expect(agentSources(false, { SSH_AUTH_SOCK: '/x' }, 'linux')).toEqual([]);
    expect(agentSources('/custom.sock', {}, 'win32')).toEqual(['/custom.sock']);
  });
});
