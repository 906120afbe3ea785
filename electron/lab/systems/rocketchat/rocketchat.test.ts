import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import type ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { findCluster, findHost } from '../../../../shared/inventory/schema';
import { parseHaproxyStat } from '../../../../shared/stacks/parsers';
import type { CommandProbe } from '../../../../shared/stacks/profile';
import { rocketchatProbes, scanRocketChatLog } from '../../../../shared/stacks/profiles/rocketchat';
import { connect, exec, pollUntil, type ExecResult } from '../../host/test-helpers';
import { startLab, type LabHandle } from '../../lab';
import type { Scenario } from '../../scenario';
import { buildRocketChatSystem, isRocketChatSystem, type RocketChatLabSystem } from '.';

/**
 * The Rocket.Chat system on its own: nodes as Docker containers, HAProxy's check transitions and
 * admin states, mongod as the lab MongoDB's listener. Time scale 0.1 so that HAProxy's 2 s check
 * interval (200 ms here) leaves its in-between states visible to a poller.
 */

const twoDockerNodes: Scenario = {
  name: 'test-rocketchat-docker',
  description: 'two Docker nodes, no license',
  build: async (context) => [await buildRocketChatSystem(context, { nodes: 2, runAs: 'docker', license: 'none', presenceTags: ['7.0.0'] })],
};

let dir: string;
let lab: LabHandle;
let rc: RocketChatLabSystem;
const clients = new Map<string, ssh2.Client>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lab-rocketchat-'));
  lab = await startLab({ scenario: twoDockerNodes, timeScale: 0.1, dir });
  const system = lab.system('rocketchat');
  if (!isRocketChatSystem(system)) throw new Error('no Rocket.Chat system');
  rc = system;
});

afterAll(async () => {
  for (const client of clients.values()) client.end();
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

async function probe<F>(hostName: string, commandProbe: CommandProbe<F>): Promise<F> {
  const cluster = findCluster({ version: 1, clusters: lab.clusters }, 'rocketchat')!;
  const target = { cluster, host: findHost(cluster, hostName)! };
  const result = await run(hostName, commandProbe.command(target)!);
  const parsed = commandProbe.parse(result.stdout, result.code, target);
  if (parsed.status !== 'ok') throw new Error(`${commandProbe.id}: ${JSON.stringify(parsed)}`);
  return parsed.value;
}

async function serverStatus(): Promise<Record<string, string>> {
  const result = await run('haproxy', 'echo "show stat" | socat stdio /run/haproxy/admin.sock');
  const rows = parseHaproxyStat(result.stdout, result.code ?? undefined);
  if (rows.status !== 'ok') throw new Error(JSON.stringify(rows));
  return Object.fromEntries(rows.value.filter((row) => row.kind === 'server').map((row) => [row.server, row.status.raw]));
}

describe('Rocket.Chat nodes in Docker (simulation)', () => {
  test('the node runs as container rocketchat; the console inspects it with docker inspect', async () => {
    const state = await probe('rc1', rocketchatProbes.service);
    expect(state.manager).toBe('docker');
    expect(state.manager === 'docker' && state.container.image).toBe('registry.rocket.chat/rocketchat/rocket.chat:7.0.0');
    const ps = await run('rc1', "docker ps --format '{{.Names}}'");
    expect(ps.stdout.split('\n').filter(Boolean).sort()).toEqual(['presence-1', 'rocketchat']);
  });

  test('docker restart: the node logs its start banner and decides read-only again, in docker logs', async () => {
    expect(rc.nodes[0]!.restricted).toBe(false);
    expect((await run('rc1', 'docker restart rocketchat')).stdout).toBe('rocketchat\n');
    await pollUntil(() => run('rc1', 'curl -s -o /dev/null -w "%{http_code}" http://localhost:3000/api/info'), (result) => result.stdout === '200');
    const log = await probe('rc1', rocketchatProbes.log);
    expect(log.source).toBe('docker');
    expect(scanRocketChatLog(log.lines)).toMatchObject({ restriction: 'applied', version: '7.0.0' });
    expect(rc.nodes[0]!.restricted).toBe(true);
    // rc2 was not restarted: its memory still holds the decision it made three days ago.
    expect(rc.nodes[1]!.restricted).toBe(false);
  });
});

describe('HAProxy (simulation)', () => {
  test('a stopped node goes UP n/3, then DOWN; back, it goes DOWN n/2, then UP', async () => {
    await pollUntil(serverStatus, (status) => status.rc2 === 'UP');
    expect((await run('rc2', 'docker stop rocketchat')).code).toBe(0);
    const goingDown = await pollUntil(serverStatus, (status) => status.rc2 === 'DOWN');
    const downward = goingDown.map((status) => status.rc2);
    expect(downward.every((status) => /^(UP( [12]\/3)?|DOWN)$/.test(status!))).toBe(true);
    expect(downward.some((status) => /^UP [12]\/3$/.test(status!))).toBe(true);
    expect(goingDown.at(-1)!.rc1).toBe('UP');

    expect((await run('rc2', 'docker start rocketchat')).code).toBe(0);
    const comingUp = await pollUntil(serverStatus, (status) => status.rc2 === 'UP', 30_000);
    expect(comingUp.map((status) => status.rc2).every((status) => /^(DOWN( 1\/2)?|UP)$/.test(status!))).toBe(true);
    const journal = await run('haproxy', 'journalctl -u haproxy -n 20 --no-pager');
    expect(journal.stdout).toMatch(/Server rocketchat_back\/rc2 is DOWN, reason: Layer4 connection problem, info: "Connection refused"/);
    expect(journal.stdout).toMatch(/Server rocketchat_back\/rc2 is UP, reason: Layer7 check passed, code: 200/);
  });

  test('maint takes a server out of the frontend; with every server out, the frontend answers 503', async () => {
    const socket = (command: string) => run('haproxy', `echo ${JSON.stringify(command)} | socat stdio /run/haproxy/admin.sock`);
    expect((await socket('disable server rocketchat_back/rc1')).stdout).toBe('\n');
    expect((await serverStatus()).rc1).toBe('MAINT');
    // Only rc2 serves now.
    for (let i = 0; i < 3; i += 1) expect((await run('haproxy', 'curl -s http://localhost/api/info')).stdout).toBe('{"version":"7.0","success":true}');
    expect((await socket('set server rocketchat_back/rc2 state maint')).stdout).toBe('\n');
    const refused = await run('haproxy', `curl -s -w '\\n%{http_code}' http://localhost/api/info`);
    expect(refused.stdout).toBe('<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>\n\n503');
    expect((await socket('enable server rocketchat_back/rc1; set server rocketchat_back/rc2 state ready')).stdout).toBe('\n\n');
    expect(await serverStatus()).toMatchObject({ rc1: expect.stringMatching(/^UP/), rc2: expect.stringMatching(/^UP/) });
    expect((await socket('show stats')).stdout).toMatch(/^Unknown command, but maybe one of the following ones is a better match:\n/);
    expect((await socket('set server rc1 state ready')).stdout).toBe("Require 'backend/server'.\n\n");
    expect((await socket('set server nope/rc1 state ready')).stdout).toBe('No such backend.\n\n');
  });

  test('the socket belongs to root:haproxy with mode 660, like Debian runs it', async () => {
    const listing = await run('haproxy', 'ls -l /run/haproxy/admin.sock');
    expect(listing.stdout).toMatch(/^srw-rw---- 1 root haproxy 0 /);
  });
});

describe('the MongoDB host (simulation)', () => {
  test('stopping mongod closes the lab MongoDB; starting it opens it again with the data kept', async () => {
    const client = new MongoClient(rc.mongoUrl, { serverSelectionTimeoutMS: 1_000 });
    try {
      const siteUrl = async () => (await client.db().collection<{ _id: string; value: unknown }>('rocketchat_settings').findOne({ _id: 'Site_Url' }))?.value;
      expect(await siteUrl()).toBe('https://chat.lab.example');
      expect((await run('mongodb', 'sudo systemctl stop mongod')).code).toBe(0);
      await expect(siteUrl()).rejects.toThrow();
      expect((await run('mongodb', 'sudo systemctl start mongod')).code).toBe(0);
      const values = await pollUntil(() => siteUrl().catch(() => undefined), (value) => value !== undefined);
      expect(values.at(-1)).toBe('https://chat.lab.example');
      expect((await run('mongodb', 'cat /var/log/mongodb/mongod.log')).stdout).toMatch(/"msg":"Waiting for connections"/);
    } finally {
      await client.close();
    }
  });
});
