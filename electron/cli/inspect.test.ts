import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../testing/process';
import { generateKeyPair, type KeyPair } from '../testing/keys';
import { startSshd, type Sshd } from '../testing/sshd';
import { ensureTestUser, type TestUser } from '../testing/test-user';
import { runCliCaptured } from './cli-harness';

let dir: string;
let key: KeyPair;
let user: TestUser;
let sshd: Sshd;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sb-cli-inspect-'));
  user = await ensureTestUser();
  key = await generateKeyPair(dir, 'id_ed25519');
  sshd = await startSshd({ authorizedKeys: [key.publicLine] });
  await writeFile(join(dir, 'known_hosts'), `${sshd.knownHostsLine()}\n`);
});

afterAll(async () => {
  await sshd?.stop();
  await rm(dir, { recursive: true, force: true });
});

const cli = (args: string[]) => runCliCaptured(args, { cwd: dir });

async function inventory(extraHost: string): Promise<string> {
  const path = join(dir, `inventory-${Math.random().toString(16).slice(2)}.yaml`);
  const host = (name: string, port: number) =>
    [`      - name: ${name}`, `        address: 127.0.0.1`, `        port: ${port}`, `        user: ${user.name}`, `        roles: [generic]`,
      `        auth: { method: key, identityFile: ${key.privatePath} }`].join('\n');
  await writeFile(path, ['version: 1', 'clusters:', '  - name: plain', '    environment: staging', '    stacks: [generic]', '    hosts:', host('here', sshd.port), extraHost, ''].join('\n'));
  return path;
}

describe('switchboard inspect (against real sshd)', () => {
  it("prints each node's facts and exits 0 when there is no P1", async () => {
    const path = await inventory('');
    const result = await cli(['inspect', '--inventory', path, '--known-hosts', join(dir, 'known_hosts'), '--data-dir', join(dir, 'data'), '--json']);
    const json = JSON.parse(result.out) as { clusters: Array<{ hosts: Array<{ name: string; reach: { ok: boolean }; facts: Record<string, { status: string }> }>; findings: Array<{ severity: string }> }> };
    const here = json.clusters[0]!.hosts[0]!;
    expect(here.reach.ok).toBe(true);
    expect(here.facts['host.loadavg']?.status).toBe('ok');
    expect(here.facts['host.disk']?.status).toBe('ok');
    expect(json.clusters[0]!.findings.some((f) => f.severity === 'P1')).toBe(false);
    expect(result.code).toBe(0);
  });

  it('exits 2 with a P1 finding for a host that refuses connections, and prints it in text', async () => {
    const closed = await freePort();
    const path = await inventory(
      [`      - name: gone`, `        address: 127.0.0.1`, `        port: ${closed}`, `        user: ${user.name}`, `        roles: [generic]`].join('\n'),
    );
    const result = await cli(['inspect', '--inventory', path, '--known-hosts', join(dir, 'known_hosts'), '--data-dir', join(dir, 'data')]);
    expect(result.code).toBe(2);
    expect(result.out).toContain('P1  gone cannot be reached over SSH  [host.unreachable]');
    expect(result.out).toMatch(/Evidence:\n\s+\| SSH_CONNECT/);
  });

  it('is a usage error without --inventory, and names the clusters when --cluster is wrong', async () => {
    expect((await cli(['inspect'])).code).toBe(1);
    const path = await inventory('');
    const wrong = await cli(['inspect', '--inventory', path, '--cluster', 'nope']);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain('clusters: plain');
  });
});
