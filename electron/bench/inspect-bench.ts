/**
 * Inspect benchmark (not a test: it prints numbers, asserts nothing).
 *
 *   inspect-bench [N ...] [--rounds R] [--peer-rounds P] [--forks F]
 *
 * For each N (default 10 50 100) it starts N real OpenSSH servers on loopback and times
 * the generic-host inspection (every probe of every host: one script per host) as the CLI
 * runs it: the first full picture on a fresh pool (cold) and a refresh on the warm
 * connections. As the floor, a bare ssh2 loop running one command per host in the same
 * run; where installed, `ansible all -m command -a 'cat /proc/loadavg' -f F`.
 *
 * To tell where the time goes, the bare loop also runs the inspection's own probe script
 * (the same work on the hosts, without the console's pool, parsing and rules), and each warm
 * round reads the CPU used by the console and by the hosts (every sshd and all it starts,
 * through a cgroup: see HostsCpu).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cluster } from '../../shared/inventory/schema';
import { genericProfile } from '../../shared/stacks/profiles/generic';
import { PoolHostRunner } from '../core/hosts/pool-runner';
import { defaultInspectLimits, hostScript, InspectEngine } from '../core/inspect/engine';
import { splitSections } from '../../shared/stacks/parsers';
import { createLogger } from '../core/log/logger';
import type { SecretStore } from '../core/inventory/secrets';
import { parsePublicKey } from '../core/ssh/host-key';
import { HostKeyVerifier } from '../core/ssh/host-verifier';
import { KnownHostsStore } from '../core/ssh/known-hosts';
import { SshDebugLog } from '../core/ssh/log';
import { SshPool } from '../core/ssh/pool';
import { wrapCommand } from '../core/ssh/exec';
import { generateKeyPair, type KeyPair } from '../testing/keys';
import { run } from '../testing/process';
import { startSshdFleet, type Sshd, type SshdFleet } from '../testing/sshd';
import { ensureTestUser, type TestUser } from '../testing/test-user';
import { ansibleRound, bareRound, cpuDuring, HostsCpu, installed, median, ratio, seconds, timed, type CpuUse } from './bench-common';

const noSecrets: SecretStore = {
  status: async () => ({ backend: 'vault', state: 'unlocked' }),
  get: async () => {
    throw new Error('the benchmark uses no secrets');
  },
  set: async () => 'unused',
  delete: async () => undefined,
};

function clusterOf(servers: Sshd[], user: TestUser, key: KeyPair): Cluster {
  return {
    name: 'bench',
    environment: 'lab',
    stacks: ['generic'],
    hosts: servers.map((s, i) => ({
      name: `h${i}`,
      address: s.host,
      port: s.port,
      user: user.name,
      roles: ['generic'],
      auth: { method: 'key', identityFile: key.privatePath },
    })),
  };
}

/** One CLI-like inspection: a fresh pool, the first full picture, then a refresh on warm connections. */
async function inspectRound(cluster: Cluster, knownHosts: string, hostsCpu: HostsCpu | undefined): Promise<{ cold: number; warm: number; warmCpu: CpuUse }> {
  const log = new SshDebugLog();
  const pool = new SshPool({ hostKeys: new HostKeyVerifier(new KnownHostsStore({ storePath: knownHosts }), { mode: 'strict' }, log), log, env: {} });
  const engine = new InspectEngine({ runner: new PoolHostRunner(pool, noSecrets), profiles: [genericProfile], log: createLogger() });
  const check = (result: Awaited<ReturnType<InspectEngine['inspect']>>) => {
    const failed = result.snapshot.hosts.filter((h) => !h.reach.ok || Object.values(h.facts).some((f) => f.status !== 'ok'));
    if (failed.length > 0) throw new Error(`${failed.length} hosts without a full picture, e.g. ${JSON.stringify(failed[0]?.reach)}`);
  };
  try {
    const cold = await timed(async () => check(await engine.inspect(cluster)));
    const { value: warm, cpu } = await cpuDuring(hostsCpu, () => timed(async () => check(await engine.inspect(cluster))));
    return { cold, warm, warmCpu: cpu };
  } finally {
    await pool.closeAll();
  }
}

/**
 * The bare loop running what the inspection runs on each host: its probe script, wrapped as
 * the pool's exec wraps every command. Checks that every section came back complete.
 */
function sameScriptOnBareLoop(cluster: Cluster): { command: (index: number) => string; check: (outputs: string[]) => void } {
  const scripts = cluster.hosts.map((host) => hostScript({ cluster, host }, genericProfile.probes, defaultInspectLimits.probeTimeoutSeconds));
  return {
    command: (index) => wrapCommand(['sh', '-c', (scripts[index] as (typeof scripts)[number]).script]),
    check: (outputs) => {
      const bad = outputs.filter((output, i) => {
        const { nonce, sections } = scripts[i] as (typeof scripts)[number];
        const split = splitSections(output, nonce, sections.map((s) => s.name));
        return split.sections.some((s) => s.state !== 'complete' || s.exitCode !== 0);
      }).length;
      if (bad > 0) throw new Error(`bare ssh2 with the probe script: ${bad} hosts without every section`);
    },
  };
}

function perHost(cpu: CpuUse[], n: number, which: keyof CpuUse): string {
  const known = cpu.map((c) => c[which]).filter((ms): ms is number => ms !== undefined);
  return known.length === 0 ? 'n/a' : `${(median(known) / n).toFixed(2)} ms`;
}

let runningFleet: { fleet: SshdFleet; hostsCpu?: HostsCpu } | undefined;

async function benchSize(n: number, rounds: number, peerRounds: number, forks: number, user: TestUser, key: KeyPair, dir: string): Promise<void> {
  process.stderr.write(`Starting ${n} sshd...\n`);
  const fleet = await startSshdFleet(n, { authorizedKeys: [key.publicLine], maxSessions: 10 });
  runningFleet = { fleet };
  let hostsCpu: HostsCpu | undefined;
  try {
    hostsCpu = await HostsCpu.create(fleet.servers.map((s) => s.pid as number));
    if (hostsCpu) runningFleet.hostsCpu = hostsCpu;
    const knownHosts = join(dir, `known_hosts_${n}`);
    await writeFile(knownHosts, fleet.servers.map((s) => `${s.knownHostsLine()}\n`).join(''));
    const cluster = clusterOf(fleet.servers, user, key);
    const privateKey = readFileSync(key.privatePath);
    const hostKey = parsePublicKey(fleet.hostKey.publicLine).blob;
    const loadavg = (outputs: string[]) => {
      const bad = outputs.filter((o) => !/^\d+\.\d+ /.test(o)).length;
      if (bad > 0) throw new Error(`bare ssh2: ${bad} hosts gave no loadavg`);
    };
    const kinds = ['inspect', 'bare', 'script'] as const;
    const samples = () => ({ cold: [] as number[], warm: [] as number[], warmCpu: [] as CpuUse[] });
    const results: Record<(typeof kinds)[number], ReturnType<typeof samples>> = { inspect: samples(), bare: samples(), script: samples() };
    const { inspect: ours, bare, script } = results;
    for (let round = 0; round < rounds; round++) {
      // Each kind goes first in turn, so none always runs on a machine the others just warmed.
      const order = kinds.map((_, i) => kinds[(i + round) % kinds.length]!);
      for (const which of order) {
        let result: { cold: number; warm: number; warmCpu: CpuUse };
        if (which === 'inspect') result = await inspectRound(cluster, knownHosts, hostsCpu);
        else if (which === 'bare') result = await bareRound(fleet.servers, user, privateKey, hostKey, 'cat /proc/loadavg', loadavg, hostsCpu);
        else {
          const same = sameScriptOnBareLoop(cluster);
          result = await bareRound(fleet.servers, user, privateKey, hostKey, same.command, same.check, hostsCpu);
        }
        const into = results[which];
        into.cold.push(result.cold);
        into.warm.push(result.warm);
        into.warmCpu.push(result.warmCpu);
      }
      process.stderr.write(`  round ${round + 1}/${rounds} done\n`);
    }
    let ansible: number | undefined;
    if (await installed('ansible')) {
      const times: number[] = [];
      for (let round = 0; round < peerRounds; round++) {
        times.push(await ansibleRound(fleet.servers, user, key, dir, forks, ['command', 'cat /proc/loadavg']));
      }
      ansible = median(times);
    }
    const [oc, ow, bc, bw, sc, sw] = [ours.cold, ours.warm, bare.cold, bare.warm, script.cold, script.warm].map(median);
    const lines = [
      `N = ${n} hosts (median of ${rounds} rounds; generic-host profile: ${genericProfile.probes.length} probes in one script per host)`,
      `  switchboard inspect  first picture ${seconds(oc)}   refresh ${seconds(ow)}`,
      `  bare ssh2 loop       cold          ${seconds(bc)}   warm    ${seconds(bw)}   (one command per host)`,
      `  inspect / bare:      cold ${ratio(oc, bc)} (target <= 1.30x)   warm ${ratio(ow, bw)} (target <= 1.50x)`,
      `  bare ssh2 loop       cold          ${seconds(sc)}   warm    ${seconds(sw)}   (inspect's probe script per host)`,
      `  inspect / script:    cold ${ratio(oc, sc)}   warm ${ratio(ow, sw)}   (the console's share: pool, parsing, rules)`,
      `  script / bare:       cold ${ratio(sc, bc)}   warm ${ratio(sw, bw)}   (the hosts' share: the probes' own work)`,
      `  warm round, CPU per host      hosts (sshd, shell, probes)   console`,
      ...(
        [
          ['switchboard inspect', ours],
          ['bare loop, probe script', script],
          ['bare loop, one command', bare],
        ] as const
      ).map(([label, kind]) => `    ${label.padEnd(26)}  ${perHost(kind.warmCpu, n, 'hostsMs').padStart(9)}                   ${perHost(kind.warmCpu, n, 'consoleMs').padStart(9)}`),
    ];
    if (ansible !== undefined) {
      lines.push(`  ansible -m command -f ${forks}   ${seconds(ansible)}   (ansible / inspect first picture: ${ratio(ansible, oc)})`);
    }
    process.stdout.write(`${lines.join('\n')}\n\n`);
  } finally {
    runningFleet = undefined;
    await fleet.stop();
    await hostsCpu?.remove();
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (name: string, fallback: number) => {
    const i = args.indexOf(name);
    if (i < 0) return fallback;
    const value = Number(args.splice(i, 2)[1]);
    if (!Number.isInteger(value) || value < 1) throw new Error(`${name} needs a positive integer`);
    return value;
  };
  const rounds = option('--rounds', 5);
  const peerRounds = option('--peer-rounds', 3);
  const forks = option('--forks', 50);
  const sizes = args.length > 0 ? args.map(Number) : [10, 50, 100];
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`Unknown arguments: ${args.join(' ')}`);
  const user = await ensureTestUser();
  const dir = await mkdtemp(join(tmpdir(), 'sb-inspect-bench-'));
  process.once('SIGINT', () => {
    const stopping = runningFleet;
    void Promise.all([stopping?.fleet.stop().then(() => stopping.hostsCpu?.remove()), rm(dir, { recursive: true, force: true })]).finally(() => process.exit(130));
  });
  try {
    const key = await generateKeyPair(dir, 'bench-client');
    const { stdout: load } = await run('cat', ['/proc/loadavg']);
    process.stdout.write(`inspect-bench: node ${process.version}, load ${load.trim()}\n\n`);
    for (const n of sizes) await benchSize(n, rounds, peerRounds, forks, user, key, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`inspect-bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
