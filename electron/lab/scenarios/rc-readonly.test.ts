import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import type ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { findCluster, findHost } from '../../../shared/inventory/schema';
import { shellCommand } from '../../../shared/shell/quote';
import { parseHaproxyStat } from '../../../shared/stacks/parsers';
import { presenceProbes } from '../../../shared/stacks/profiles/presence';
import { rocketchatMongoProbes, rocketchatProbes, scanRocketChatLog } from '../../../shared/stacks/profiles/rocketchat';
import type { CommandProbe, ProbeTarget } from '../../../shared/stacks/profile';
import { connect, exec, pollUntil, type ExecResult } from '../host/test-helpers';
import { startLab, type LabHandle } from '../lab';
import { isRocketChatSystem, type RocketChatLabSystem } from '../systems/rocketchat';

/**
 * rc-readonly with real clients: the official MongoDB driver, an ssh2 client and OpenSSH's `ssh`
 * against the lab hosts, `curl` and `socat` run on them, and the console's own probes and parsers
 * reading what they print.
 */

let dir: string;
let lab: LabHandle;
let rc: RocketChatLabSystem;
let mongo: MongoClient;
const clients = new Map<string, ssh2.Client>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lab-rc-readonly-'));
  lab = await startLab({ scenario: 'rc-readonly', timeScale: 0.01, dir });
  const system = lab.system('rocketchat');
  if (!isRocketChatSystem(system)) throw new Error('no Rocket.Chat system');
  rc = system;
  mongo = new MongoClient(rc.mongoUrl);
  await mongo.connect();
});

afterAll(async () => {
  for (const client of clients.values()) client.end();
  await mongo?.close();
  await lab?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function run(hostName: string, command: string): Promise<ExecResult> {
  let client = clients.get(hostName);
  if (!client) {
    client = await connect(lab.host(hostName).describe(), { username: lab.login.user, privateKey: readFileSync(lab.login.identityFile, 'utf8') });
    clients.set(hostName, client);
  }
  return exec(client, command);
}

function openssh(hostName: string, command: string): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('ssh', ['-F', lab.sshConfigPath, '-o', 'BatchMode=yes', hostName, command], { env: { ...process.env, SSH_AUTH_SOCK: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => (stdout += data.toString('utf8')));
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function target(hostName: string): ProbeTarget {
  const cluster = findCluster({ version: 1, clusters: lab.clusters }, 'rocketchat')!;
  return { cluster, host: findHost(cluster, hostName)! };
}

/** Runs one of the console's probes on a lab host and parses the output with its parser. */
async function probe<F>(hostName: string, commandProbe: CommandProbe<F>): Promise<F> {
  const command = commandProbe.command(target(hostName));
  if (command === undefined) throw new Error(`${commandProbe.id} has nothing to run on ${hostName}`);
  const result = await run(hostName, command);
  const parsed = commandProbe.parse(result.stdout, result.code, target(hostName));
  if (parsed.status !== 'ok') throw new Error(`${commandProbe.id} on ${hostName}: ${JSON.stringify(parsed)}`);
  return parsed.value;
}

/** An authenticated call on a node's own port, with curl; returns the HTTP status and JSON body. */
async function api(hostName: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const argv = ['curl', '-s', '-w', '\n%{http_code}', '-X', method, '-H', `X-User-Id: ${rc.admin.userId}`, '-H', `X-Auth-Token: ${rc.admin.authToken}`];
  if (body !== undefined) argv.push('-H', 'Content-Type: application/json', '-d', JSON.stringify(body));
  argv.push(`http://localhost:3000${path}`);
  const result = await run(hostName, shellCommand(argv));
  const cut = result.stdout.lastIndexOf('\n');
  return { status: Number(result.stdout.slice(cut + 1)), body: JSON.parse(result.stdout.slice(0, cut)) as Record<string, unknown> };
}

const postMessage = (hostName: string) => api(hostName, 'POST', '/api/v1/chat.postMessage', { channel: '#general', text: `hello from ${hostName}` });
const license = (name: string): string => readFileSync(join(dir, 'licenses', `${name}.lic`), 'utf8').trim();
const nodes = ['rc1', 'rc2', 'rc3', 'rc4'];

async function settings() {
  const probeSpec = rocketchatMongoProbes.settings;
  const documents = await mongo.db().collection(probeSpec.collection).find(probeSpec.filter as never, { projection: probeSpec.projection }).toArray();
  const parsed = probeSpec.parse(documents);
  if (parsed.status !== 'ok') throw new Error(JSON.stringify(parsed));
  return parsed.value;
}

describe('rc-readonly (simulation)', () => {
  test('writes the sample licenses next to the inventory', () => {
    expect(lab.files.map((file) => file.slice(dir.length + 1)).sort()).toEqual(
      ['expired', 'over-limit', 'truncated', 'valid', 'wrong-site'].map((name) => `licenses/${name}.lic`),
    );
    expect(license('valid')).toMatch(/^RCV3_/);
  });

  test('MongoDB holds no valid license, a zero countdown and, once the TTL removed the runs before the restart, one instance per node', async () => {
    expect(await settings()).toEqual({ siteUrl: 'https://chat.lab.example', licenseStatus: 'Invalid', airGappedDays: 0 });
    const collection = mongo.db().collection('instances');
    const seen = await pollUntil(() => collection.find({}).toArray(), (documents) => documents.length === 4, 20_000);
    const instances = seen.at(-1)!;
    expect(instances.map((instance) => (instance.extraInformation as { host: string }).host).sort()).toEqual(['10.10.0.11', '10.10.0.12', '10.10.0.13', '10.10.0.14']);
    for (const instance of instances) {
      expect(typeof instance._id).toBe('string');
      expect(instance._updatedAt).toBeInstanceOf(Date);
    }
  });

  test('/api/info answers major.minor through curl on the node', async () => {
    const info = await probe('rc1', rocketchatProbes.info);
    expect(info).toMatchObject({ version: '7.0', precision: 'major.minor' });
    const health = await probe('rc2', rocketchatProbes.health);
    expect(health.healthy).toBe(true);
  });

  test('every node came back from the restart read-only, by its own decision, and refuses writes', async () => {
    for (const name of nodes) {
      const refused = await postMessage(name);
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ success: false, errorType: 'restricted-workspace' });
      expect(String(refused.body.error)).toContain('read-only');
      const scan = scanRocketChatLog((await probe(name, rocketchatProbes.log)).lines);
      expect(scan).toMatchObject({ restriction: 'applied', version: '7.0.0' });
    }
  });

  test('licenses.add refuses a truncated license, and expired, wrong-site or over-limit ones leave the node read-only', async () => {
    const truncated = await api('rc3', 'POST', '/api/v1/licenses.add', { license: license('truncated') });
    expect(truncated).toEqual({ status: 400, body: { success: false, error: 'Invalid license' } });
    for (const name of ['expired', 'wrong-site', 'over-limit']) {
      // Rocket.Chat answers 200 when the format decrypts; the node then finds the license invalid.
      const added = await api('rc3', 'POST', '/api/v1/licenses.add', { license: license(name) });
      expect(added).toEqual({ status: 200, body: { success: true } });
      expect((await postMessage('rc3')).status).toBe(400);
      expect((await settings()).licenseStatus).toBe('Invalid');
    }
    const info = await api('rc3', 'GET', '/api/v1/licenses.info');
    expect(info.body.license).not.toHaveProperty('license');
  });

  test('licenses.add needs the admin credentials', async () => {
    const anonymous = await run('rc1', shellCommand(['curl', '-s', '-w', '\n%{http_code}', '-X', 'POST', '-d', '{"license":"x"}', 'http://localhost:3000/api/v1/licenses.add']));
    expect(anonymous.stdout).toBe('{"status":"error","message":"You must be logged in to do this."}\n401');
  });

  test('a valid license lifts read-only on the node that received it only; a restart lifts it on another', async () => {
    const added = await api('rc1', 'POST', '/api/v1/licenses.add', { license: license('valid') });
    expect(added).toEqual({ status: 200, body: { success: true } });
    expect((await postMessage('rc1')).status).toBe(200);
    expect(await settings()).toMatchObject({ licenseStatus: 'Valid', airGappedDays: -1 });
    const info = await api('rc1', 'GET', '/api/v1/licenses.info');
    expect(info.body.license).toMatchObject({ license: { information: { id: 'lab-valid', offline: true } }, trial: false });
    expect(scanRocketChatLog((await probe('rc1', rocketchatProbes.log)).lines).restriction).toBe('removed');

    // The database says Valid, but rc2's memory still says read-only.
    expect((await postMessage('rc2')).status).toBe(400);
    const restart = await run('rc2', 'sudo systemctl restart rocketchat');
    expect(restart.code).toBe(0);
    await pollUntil(() => run('rc2', 'curl -s -o /dev/null -w "%{http_code}" http://localhost:3000/api/info'), (result) => result.stdout === '200');
    expect((await postMessage('rc2')).status).toBe(200);
    expect(scanRocketChatLog((await probe('rc2', rocketchatProbes.log)).lines).restriction).toBeUndefined();
    for (const name of ['rc3', 'rc4']) expect((await postMessage(name)).status).toBe(400);
  });

  test('presence runs in two containers, one on another version tag, each with /health', async () => {
    const first = await probe('rc1', presenceProbes.service);
    const second = await probe('rc2', presenceProbes.service);
    expect(first.manager === 'docker' && first.container.image).toBe('rocketchat/presence-service:7.0.0');
    expect(second.manager === 'docker' && second.container.image).toBe('rocketchat/presence-service:6.13.1');
    expect((await probe('rc2', presenceProbes.health)).healthy).toBe(true);
    const ps = await run('rc1', "docker ps --format '{{json .}}'");
    expect(ps.stdout).toContain('"Names":"presence-1"');
  });

  test('HAProxy: show stat over OpenSSH and socat lists four UP servers; drain shows, and a restart forgets it', async () => {
    const show = 'echo "show stat" | socat stdio /run/haproxy/admin.sock';
    const servers = async () => {
      const result = await openssh('haproxy', show);
      expect(result.code).toBe(0);
      const rows = parseHaproxyStat(result.stdout, 0);
      if (rows.status !== 'ok') throw new Error(JSON.stringify(rows));
      return Object.fromEntries(rows.value.filter((row) => row.kind === 'server').map((row) => [`${row.proxy}/${row.server}`, row.status.raw]));
    };
    expect(await servers()).toEqual({ 'rocketchat_back/rc1': 'UP', 'rocketchat_back/rc2': 'UP', 'rocketchat_back/rc3': 'UP', 'rocketchat_back/rc4': 'UP' });

    const drained = await openssh('haproxy', 'echo "set server rocketchat_back/rc2 state drain" | socat stdio /run/haproxy/admin.sock');
    expect(drained).toMatchObject({ code: 0, stdout: '\n' });
    expect((await servers())['rocketchat_back/rc2']).toBe('DRAIN');
    const typo = await openssh('haproxy', 'echo "set server rocketchat_back/rc9 state drain" | socat stdio /run/haproxy/admin.sock');
    expect(typo.stdout).toBe('No such server.\n\n');
    const badState = await openssh('haproxy', 'echo "set server rocketchat_back/rc1 state down" | socat stdio /run/haproxy/admin.sock');
    expect(badState.stdout).toBe("'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n\n");

    // The console's own probe reads the same socket.
    const rows = await probe('haproxy', rocketchatProbes.haproxyStat);
    expect(rows.find((row) => row.server === 'rc2')?.status.base).toBe('DRAIN');

    expect((await run('haproxy', 'sudo systemctl restart haproxy')).code).toBe(0);
    const after = await pollUntil(servers, (statuses) => Object.keys(statuses).length === 4);
    expect(after.at(-1)!['rocketchat_back/rc2']).toBe('UP');
  });

  test('the HAProxy frontend serves /api/info from the nodes', async () => {
    const result = await run('haproxy', 'curl -s http://localhost/api/info');
    expect(result.stdout).toBe('{"version":"7.0","success":true}');
  });

  test('a stopped node stops heartbeating, HAProxy marks it DOWN and its instance expires after 60 s of lab time', async () => {
    expect((await run('rc4', 'sudo systemctl stop rocketchat')).code).toBe(0);
    const instances = mongo.db().collection('instances');
    const seen = await pollUntil(() => instances.find({}).toArray(), (docs) => docs.length === 3, 20_000);
    const remaining = seen.at(-1)!.map((doc) => (doc.extraInformation as { host: string }).host).sort();
    expect(remaining).toEqual(['10.10.0.11', '10.10.0.12', '10.10.0.13']);
    const polls = await pollUntil(
      () => probe('haproxy', rocketchatProbes.haproxyStat),
      (rows) => rows.find((row) => row.server === 'rc4')?.status.raw === 'DOWN',
    );
    expect(polls.at(-1)!.find((row) => row.server === 'rc4')).toMatchObject({ checkStatus: 'L4CON', columns: { last_chk: 'Connection refused' } });
  });
});
