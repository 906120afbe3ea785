import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { clusterSchema, type Cluster, type ClusterForm } from '../../../shared/inventory/schema';
import { LabClock } from '../host/clock';
import type { LabHost, LabHostDescription } from '../host/lab-host';
import { connect, exec, pollUntil, type ExecResult } from '../host/test-helpers';
import type { Finding } from '../../../shared/stacks/findings';
import type { ClusterSnapshot, HostSnapshot, StackProfile } from '../../../shared/stacks/profile';
import type { LabContext, LabSystem } from '../scenario';
import { generateEd25519KeyPair } from './rocketchat/hosts';

/**
 * For tests of simulated systems: a lab context with a fresh login and a small time scale,
 * the system's hosts started over real SSH (ssh2 client, strict host-key check), and the
 * inventory cluster with the listening ports filled in, as the orchestrator does.
 */

export interface SystemUnderTest {
  context: LabContext;
  system: LabSystem;
  /** The cluster as the orchestrator writes it: ports filled in, validated by the inventory schema. */
  cluster: Cluster;
  /** Runs a command line over SSH as the login user on the named host. */
  run(hostName: string, command: string): Promise<ExecResult>;
  host(hostName: string): LabHost;
  description(hostName: string): LabHostDescription;
  stop(): Promise<void>;
}

export function testContext(timeScale = 0.002): { context: LabContext; dispose: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'lab-system-'));
  const key = generateEd25519KeyPair('admin@lab');
  const identityFile = join(dir, 'id_ed25519');
  writeFileSync(identityFile, key.private, { mode: 0o600 });
  const context: LabContext = {
    clock: new LabClock({ timeScale }),
    dir,
    mongo: () => Promise.reject(new Error('these systems do not use MongoDB')),
    login: { user: 'admin', password: 'lab-admin-password', publicKeyLine: key.public, identityFile },
  };
  return { context, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function startSystem(build: (context: LabContext) => Promise<LabSystem>, timeScale?: number): Promise<SystemUnderTest> {
  const { context, dispose } = testContext(timeScale);
  const system = await build(context);
  const descriptions = new Map<string, LabHostDescription>();
  for (const host of system.hosts) descriptions.set(host.name, await host.start());
  await system.started?.();
  const form: ClusterForm = {
    ...system.cluster,
    hosts: system.cluster.hosts.map((entry) => ({
      ...entry,
      port: descriptions.get(entry.name)!.port,
      auth: { method: 'key', identityFile: context.login.identityFile },
    })),
  };
  const cluster = clusterSchema.parse(form);
  const privateKey = readFileSync(context.login.identityFile, 'utf8');
  const clients = new Map<string, InstanceType<typeof ssh2.Client>>();
  const clientFor = async (name: string) => {
    let client = clients.get(name);
    if (!client) {
      client = await connect(descriptions.get(name)!, { username: context.login.user, privateKey });
      clients.set(name, client);
    }
    return client;
  };
  return {
    context,
    system,
    cluster,
    run: async (name, command) => exec(await clientFor(name), command),
    host: (name) => system.hosts.find((host) => host.name === name)!,
    description: (name) => descriptions.get(name)!,
    stop: async () => {
      for (const client of clients.values()) client.end();
      await system.stop?.();
      for (const host of system.hosts) await host.stop();
      dispose();
    },
  };
}

/** Polls a command over SSH until its result is accepted (no sleeps: each probe is a round trip). */
export async function pollCommand(
  sut: SystemUnderTest,
  hostName: string,
  command: string,
  accept: (result: ExecResult) => boolean,
  deadlineMs = 20_000,
): Promise<ExecResult> {
  const seen = await pollUntil(() => sut.run(hostName, command), accept, deadlineMs);
  return seen.at(-1)!;
}

/**
 * One inspection round as the console makes it: every probe of the profiles on every host (over
 * SSH, stdout and stderr together), parsed, then the profiles' diagnosis rules.
 */
export async function diagnose(sut: SystemUnderTest, profiles: readonly StackProfile[]): Promise<{ snapshot: ClusterSnapshot; findings: Finding[] }> {
  const hosts: HostSnapshot[] = [];
  for (const host of sut.cluster.hosts) {
    const snapshot: HostSnapshot = { host, reach: { ok: true }, facts: {}, raw: {}, probedAt: new Date().toISOString() };
    for (const probe of profiles.flatMap((profile) => profile.probes)) {
      const target = { cluster: sut.cluster, host };
      const command = probe.command(target);
      if (command === undefined) continue;
      const result = await sut.run(host.name, command);
      const output = result.stdout + result.stderr;
      snapshot.raw[probe.id] = { output, exitCode: result.code };
      snapshot.facts[probe.id] = probe.parse(output, result.code, target);
    }
    hosts.push(snapshot);
  }
  const snapshot: ClusterSnapshot = { cluster: sut.cluster, hosts, adminNow: Date.now() };
  return { snapshot, findings: profiles.flatMap((profile) => profile.rules.flatMap((rule) => rule(snapshot))) };
}
