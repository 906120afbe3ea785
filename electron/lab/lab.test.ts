import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'node:net';
import { MongoClient } from 'mongodb';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AppError } from '../../shared/contract/errors';
import { parseInventory } from '../core/inventory/inventory-yaml';
import { VaultSecretStore } from '../core/inventory/secrets';
import { connect, exec, pollUntil, sftp, type ExecResult } from './host/test-helpers';
import { startLab, type LabHandle } from './lab';
import type { Scenario } from './scenario';
import { buildRocketChatSystem, isRocketChatSystem } from './systems/rocketchat';

/**
 * The orchestrator, driven like an admin drives it: the inventory and vault it writes are read
 * by the console's own loaders, OpenSSH logs into its hosts with the key, known_hosts and
 * ssh_config it wrote, and the faults are seen through real clients.
 */

/** The Rocket.Chat part of `healthy`, on its own: the orchestrator is what is tested here. */
const rocketchatHealthy: Scenario = {
  name: 'test-rocketchat-healthy',
  description: 'Rocket.Chat with a valid license',
  build: async (context) => [await buildRocketChatSystem(context, { license: 'valid', presenceTags: ['7.0.0', '7.0.0'] })],
};

let dir: string;
let lab: LabHandle;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lab-orchestrator-'));
  lab = await startLab({ scenario: rocketchatHealthy, timeScale: 0.01, dir });
});

afterAll(async () => {
  await lab?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function openssh(args: string[]): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('ssh', ['-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10', ...args], { env: { ...process.env, SSH_AUTH_SOCK: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => (stdout += data.toString('utf8')));
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `ssh -i KEY -o UserKnownHostsFile=... -o StrictHostKeyChecking=yes -p PORT user@127.0.0.1 COMMAND`. */
function sshTo(hostName: string, command: string): Promise<ExecResult> {
  const entry = lab.hosts.find((host) => host.name === hostName)!;
  return openssh([
    '-F', '/dev/null',
    '-i', entry.identityFile,
    '-o', 'IdentitiesOnly=yes',
    '-o', `UserKnownHostsFile=${lab.knownHostsPath}`,
    '-o', 'StrictHostKeyChecking=yes',
    '-p', String(entry.port),
    `${entry.user}@${entry.host}`,
    command,
  ]);
}

async function ssh2Client(hostName: string): Promise<ssh2.Client> {
  return connect(lab.host(hostName).describe(), { username: lab.login.user, privateKey: readFileSync(lab.login.identityFile, 'utf8') });
}

describe('startLab (simulation)', () => {
  test('writes an inventory the console reads: simulated lab clusters, every host on 127.0.0.1 with the lab key', () => {
    const inventory = parseInventory(readFileSync(lab.inventoryPath, 'utf8'), lab.inventoryPath);
    expect(inventory.clusters.map((cluster) => cluster.name)).toContain('rocketchat');
    for (const cluster of inventory.clusters) {
      expect(cluster).toMatchObject({ environment: 'lab', simulated: true });
      for (const host of cluster.hosts) {
        const entry = lab.hosts.find((candidate) => candidate.name === host.name && candidate.cluster === cluster.name);
        expect(host).toMatchObject({ address: '127.0.0.1', port: entry?.port, user: 'ops', auth: { method: 'key', identityFile: join(dir, 'id_ed25519') } });
      }
    }
    const rocketchat = inventory.clusters.find((cluster) => cluster.name === 'rocketchat')!;
    expect(rocketchat.hosts.map((host) => host.name)).toEqual(['rc1', 'rc2', 'rc3', 'rc4', 'haproxy', 'mongodb']);
    expect(rocketchat.mongo?.url).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\/rocketchat\?directConnection=true$/);
    expect(statSync(lab.login.identityFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(lab.knownHostsPath, 'utf8').trim().split('\n')).toHaveLength(lab.hosts.length);
  });

  test('keeps the Rocket.Chat admin token out of the inventory, in a vault the printed passphrase opens', async () => {
    const text = readFileSync(lab.inventoryPath, 'utf8');
    const system = lab.system('rocketchat');
    if (!isRocketChatSystem(system)) throw new Error('no Rocket.Chat system');
    expect(text).not.toContain(system.admin.authToken);
    const reference = parseInventory(text).clusters.find((cluster) => cluster.name === 'rocketchat')!.rocketchat!.authToken!;
    const vault = new VaultSecretStore(dir);
    await vault.unlock(lab.vaultPassphrase!);
    expect(await vault.get(reference.secret)).toBe(system.admin.authToken);
    vault.lock();
  });

  test("OpenSSH logs in with the lab key and known_hosts (strict), and with the lab's ssh_config", async () => {
    const direct = await sshTo('rc1', 'hostname');
    expect(direct).toMatchObject({ code: 0, stdout: 'rc1\n' });
    const viaConfig = await openssh(['-F', lab.sshConfigPath, 'haproxy', 'curl -s http://localhost/api/info']);
    expect(viaConfig).toMatchObject({ code: 0, stdout: '{"version":"7.0","success":true}' });
  });

  test('the healthy control case: every node writable, the license valid, HAProxy sees every node UP', async () => {
    const system = lab.system('rocketchat');
    if (!isRocketChatSystem(system)) throw new Error('no Rocket.Chat system');
    expect(system.nodes.map((node) => node.restricted)).toEqual([false, false, false, false]);
    expect(system.haproxy.serverStatus()).toEqual({ rc1: 'UP', rc2: 'UP', rc3: 'UP', rc4: 'UP' });
    const mongo = new MongoClient(system.mongoUrl);
    try {
      const status = await mongo.db().collection<{ _id: string; value: unknown }>('rocketchat_settings').findOne({ _id: 'Enterprise_License_Status' });
      expect(status?.value).toBe('Valid');
    } finally {
      await mongo.close();
    }
    const posted = await sshTo(
      'rc3',
      `curl -s -X POST -H 'X-User-Id: ${system.admin.userId}' -H 'X-Auth-Token: ${system.admin.authToken}' -H 'Content-Type: application/json' -d '{"channel":"#general","text":"hi"}' http://localhost:3000/api/v1/chat.postMessage`,
    );
    expect(JSON.parse(posted.stdout)).toMatchObject({ success: true, message: { msg: 'hi', rid: 'GENERAL' } });
  });

  test('fault refuse: the SSH port refuses connections until switched off', async () => {
    await lab.fault('rc2', 'refuse', true);
    const refused = await sshTo('rc2', 'true');
    expect(refused.code).toBe(255);
    expect(refused.stderr).toMatch(/Connection refused/);
    await lab.fault('rc2', 'refuse', false);
    expect((await sshTo('rc2', 'true')).code).toBe(0);
  });

  test('fault rekey: OpenSSH refuses the changed host key; switching it off restores the original', async () => {
    await lab.fault('rc4', 'rekey', true);
    const changed = await sshTo('rc4', 'true');
    expect(changed.code).toBe(255);
    expect(changed.stderr).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED/);
    await lab.fault('rc4', 'rekey', false);
    expect((await sshTo('rc4', 'hostname')).stdout).toBe('rc4\n');
  });

  test('fault hang: a command prints its output and does not exit', async () => {
    const client = await ssh2Client('mongodb');
    try {
      await lab.fault('mongodb', 'hang', true);
      const hung = await new Promise<{ stdout: string; exited: () => boolean; close: () => void }>((resolve, reject) => {
        client.exec('echo started', (error, channel) => {
          if (error) return reject(error);
          let stdout = '';
          let exited = false;
          channel.on('exit', () => (exited = true));
          channel.on('data', (data: Buffer) => {
            stdout += data.toString('utf8');
            if (stdout.includes('started')) resolve({ stdout, exited: () => exited, close: () => channel.close() });
          });
        });
      });
      await lab.fault('mongodb', 'hang', false);
      // A later command, on its own connection, runs to its end while the first is still hanging.
      expect((await sshTo('mongodb', 'echo done')).stdout).toBe('done\n');
      expect(hung.stdout).toContain('started');
      expect(hung.exited()).toBe(false);
      hung.close();
    } finally {
      client.end();
    }
  });

  test('fault slow: the host delays every command by the slow-host delay', async () => {
    await lab.fault('rc1', 'slow', true);
    expect(lab.host('rc1').server.faults.slowMs).toBeGreaterThan(0);
    expect((await sshTo('rc1', 'echo slow')).stdout).toBe('slow\n');
    await lab.fault('rc1', 'slow', false);
    expect(lab.host('rc1').server.faults.slowMs).toBe(0);
  });

  test('fault flap: the health endpoint alternates between 500 and 200, and HAProxy follows', async () => {
    const client = await ssh2Client('rc2');
    try {
      await lab.fault('rc2', 'flap', true);
      const health = () => exec(client, `curl -s -o /dev/null -w '%{http_code}' http://localhost:3000/health`);
      const seen = new Set<string>();
      await pollUntil(health, (result) => {
        seen.add(result.stdout);
        return seen.has('500') && seen.has('200');
      }, 20_000);
      // The rest of the API keeps answering.
      expect((await exec(client, 'curl -s http://localhost:3000/api/info')).stdout).toBe('{"version":"7.0","success":true}');
      const haproxy = await ssh2Client('haproxy');
      try {
        await pollUntil(() => exec(haproxy, 'echo "show stat" | socat stdio /run/haproxy/admin.sock'), (result) => /\nrocketchat_back,rc2,(?:[^,]*,){15}DOWN/.test(result.stdout), 20_000);
      } finally {
        haproxy.end();
      }
      await lab.fault('rc2', 'flap', false);
      expect((await health()).stdout).toBe('200');
    } finally {
      client.end();
    }
  });

  test('fault disk-full: an SFTP upload fails for lack of space, and works again once switched off', async () => {
    const client = await ssh2Client('rc3');
    try {
      const session = await sftp(client);
      const upload = (name: string) =>
        new Promise<Error | undefined>((resolve) => session.writeFile(`/tmp/${name}`, Buffer.alloc(64 * 1024, 1), (error) => resolve(error ?? undefined)));
      await lab.fault('rc3', 'disk-full', true);
      expect(await upload('full.bin')).toBeInstanceOf(Error);
      const df = await exec(client, 'df -P /');
      expect(df.stdout).toMatch(/ 100% \/\n/);
      await lab.fault('rc3', 'disk-full', false);
      expect(await upload('fits.bin')).toBeUndefined();
    } finally {
      client.end();
    }
  });

  test('names what it does not know', async () => {
    await expect(lab.fault('rc1', 'meltdown', true)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(lab.fault('nope', 'refuse', true)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(startLab({ scenario: 'no-such-scenario', dir: join(dir, 'x') })).rejects.toBeInstanceOf(AppError);
    await expect(startLab({ scenario: 'rc-readonly', variant: 'nope', dir: join(dir, 'y') })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  test('stop closes every port it opened', async () => {
    const sshPort = lab.hosts[0]!.port;
    const mongoPort = Number(new URL(lab.mongoUrl!).port);
    await lab.stop();
    for (const port of [sshPort, mongoPort]) {
      const refused = await new Promise<boolean>((resolve) => {
        const socket = createConnection({ host: '127.0.0.1', port });
        socket.once('connect', () => {
          socket.destroy();
          resolve(false);
        });
        socket.once('error', () => resolve(true));
      });
      expect(refused).toBe(true);
    }
  });
});
