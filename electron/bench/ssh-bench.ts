/**
 * SSH fan-out benchmark (not a test: it prints numbers, asserts nothing).
 *
 *   ssh-bench [N ...] [--rounds R] [--peer-rounds P] [--forks F]
 *
 * For each N (default 10 50 100) it starts N real OpenSSH servers on loopback and
 * reports median wall times of a cold round (connect + one command per host) and a
 * warm round (one command per host on open connections), for the pool and for a
 * bare ssh2 loop, and a cold round for parallel-ssh and `ansible -m raw` when they
 * are installed. Needs root (the servers run as root; the commands run as a test
 * user with /bin/sh, so no shell rc file is measured). MaxStartups is raised on
 * the servers so that concurrent connects are not dropped. Every tool runs the same
 * external program, `/bin/echo ok` (a shell builtin would favour whoever skips exec).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exec } from '../core/ssh/exec';
import { parsePublicKey } from '../core/ssh/host-key';
import { HostKeyVerifier } from '../core/ssh/host-verifier';
import { KnownHostsStore } from '../core/ssh/known-hosts';
import { SshDebugLog } from '../core/ssh/log';
import { SshPool } from '../core/ssh/pool';
import type { SshTarget } from '../core/ssh/target';
import { generateKeyPair, type KeyPair } from '../testing/keys';
import { ansibleRound, bareRound, expectOk, installed, median, quietSsh, ratio, seconds, timed } from './bench-common';
import { run } from '../testing/process';
import { startSshdFleet, type Sshd, type SshdFleet } from '../testing/sshd';
import { ensureTestUser, type TestUser } from '../testing/test-user';

interface Options {
  sizes: number[];
  rounds: number;
  peerRounds: number;
  forks: number;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { sizes: [], rounds: 5, peerRounds: 3, forks: 50 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const value = (): number => {
      const parsed = Number(argv[++i]);
      if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`${arg} needs a positive integer`);
      return parsed;
    };
    if (arg === '--rounds') options.rounds = value();
    else if (arg === '--peer-rounds') options.peerRounds = value();
    else if (arg === '--forks') options.forks = value();
    else if (/^\d+$/.test(arg)) options.sizes.push(Number(arg));
    else throw new Error(`Unknown argument: ${arg}`);
  }
  if (options.sizes.length === 0) options.sizes = [10, 50, 100];
  return options;
}

/** Our pool: a fresh pool per round, checking host keys against a store like the app does. */
async function poolRound(servers: Sshd[], user: TestUser, key: KeyPair, knownHosts: string): Promise<{ cold: number; warm: number }> {
  const log = new SshDebugLog();
  const store = new KnownHostsStore({ storePath: knownHosts });
  const pool = new SshPool({ hostKeys: new HostKeyVerifier(store, { mode: 'strict' }, log), log, env: {} });
  const targets: SshTarget[] = servers.map((server) => ({
    host: server.host,
    port: server.port,
    user: user.name,
    auth: { identityFiles: [key.privatePath], agent: false },
  }));
  const round = async (): Promise<void> => {
    const results = await Promise.all(targets.map((target) => exec(pool, target, ['/bin/echo', 'ok'])));
    expectOk(results.map((r) => r.stdout), 'pool');
  };
  try {
    const cold = await timed(round);
    const warm = await timed(round);
    return { cold, warm };
  } finally {
    await pool.closeAll();
  }
}

async function parallelSshRound(servers: Sshd[], user: TestUser, key: KeyPair, dir: string, forks: number, kex?: string): Promise<number> {
  const hostsFile = join(dir, 'pssh-hosts');
  await writeFile(hostsFile, servers.map((s) => `${s.host}:${s.port}\n`).join(''));
  const sshArgs = [...quietSsh, '-i', key.privatePath, ...(kex ? ['-o', `KexAlgorithms=${kex}`] : [])];
  return timed(async () => {
    const result = await run('parallel-ssh', ['-h', hostsFile, '-l', user.name, '-p', String(forks), '-t', '120', '-x', sshArgs.join(' '), '/bin/echo', 'ok'], {
      timeoutMs: 600_000,
    });
    if (result.code !== 0) throw new Error(`parallel-ssh failed: ${result.stdout.slice(-500)} ${result.stderr.slice(-500)}`);
  });
}

/** The servers running now, stopped (by pid) if the benchmark is interrupted. */
let runningFleet: SshdFleet | undefined;

async function benchSize(n: number, options: Options, user: TestUser, key: KeyPair, dir: string): Promise<void> {
  process.stderr.write(`Starting ${n} sshd...\n`);
  const fleet: SshdFleet = await startSshdFleet(n, { authorizedKeys: [key.publicLine], maxSessions: 10 });
  runningFleet = fleet;
  try {
    const knownHosts = join(dir, `known_hosts_${n}`);
    await writeFile(knownHosts, fleet.servers.map((s) => `${s.knownHostsLine()}\n`).join(''));
    const privateKey = readFileSync(key.privatePath);
    const hostKeyBlob = parsePublicKey(fleet.hostKey.publicLine).blob;

    const pool = { cold: [] as number[], warm: [] as number[] };
    const bare = { cold: [] as number[], warm: [] as number[] };
    for (let round = 0; round < options.rounds; round++) {
      // Alternate the order so neither side always runs on a warmer machine.
      const order = round % 2 === 0 ? ['pool', 'bare'] : ['bare', 'pool'];
      for (const which of order) {
        const result =
          which === 'pool'
            ? await poolRound(fleet.servers, user, key, knownHosts)
            : await bareRound(fleet.servers, user, privateKey, hostKeyBlob);
        const into = which === 'pool' ? pool : bare;
        into.cold.push(result.cold);
        into.warm.push(result.warm);
      }
      process.stderr.write(`  round ${round + 1}/${options.rounds} done\n`);
    }

    const peers: Record<string, number | undefined> = {};
    if (await installed('parallel-ssh')) {
      const times: number[] = [];
      const curve: number[] = [];
      for (let round = 0; round < options.peerRounds; round++) {
        times.push(await parallelSshRound(fleet.servers, user, key, dir, options.forks));
        curve.push(await parallelSshRound(fleet.servers, user, key, dir, options.forks, 'curve25519-sha256'));
      }
      peers['parallel-ssh'] = median(times);
      peers['parallel-ssh (curve25519)'] = median(curve);
    }
    if (await installed('ansible')) {
      const times: number[] = [];
      for (let round = 0; round < options.peerRounds; round++) times.push(await ansibleRound(fleet.servers, user, key, dir, options.forks));
      peers['ansible -m raw'] = median(times);
    }

    const poolCold = median(pool.cold);
    const poolWarm = median(pool.warm);
    const bareCold = median(bare.cold);
    const bareWarm = median(bare.warm);
    const lines = [
      `N = ${n} hosts (median of ${options.rounds} rounds; peers ${options.peerRounds}, -p/-f ${options.forks})`,
      `  pool            cold ${seconds(poolCold)}   warm ${seconds(poolWarm)}`,
      `  bare ssh2 loop  cold ${seconds(bareCold)}   warm ${seconds(bareWarm)}`,
      ...Object.entries(peers).map(([name, ms]) => `  ${name.padEnd(26)} cold ${seconds(ms)}`),
      `  pool / bare:    cold ${ratio(poolCold, bareCold)} (target <= 1.20x)   warm ${ratio(poolWarm, bareWarm)} (target <= 1.15x)`,
    ];
    const ansible = peers['ansible -m raw'];
    if (ansible !== undefined) lines.push(`  ansible -m raw / pool cold: ${ratio(ansible, poolCold)} (target >= 4x)`);
    const pssh = peers['parallel-ssh'];
    if (pssh !== undefined) lines.push(`  parallel-ssh / pool cold:   ${ratio(pssh, poolCold)}`);
    process.stdout.write(`${lines.join('\n')}\n\n`);
  } finally {
    runningFleet = undefined;
    await fleet.stop();
  }
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const user = await ensureTestUser();
  const dir = await mkdtemp(join(tmpdir(), 'sb-ssh-bench-'));
  process.once('SIGINT', () => {
    process.stderr.write('Interrupted; stopping servers...\n');
    void Promise.all([runningFleet?.stop(), rm(dir, { recursive: true, force: true })]).finally(() => process.exit(130));
  });
  try {
    const key = await generateKeyPair(dir, 'bench-client');
    const { stdout: load } = await run('cat', ['/proc/loadavg']);
    process.stdout.write(`ssh-bench: node ${process.version}, load ${load.trim()}\n\n`);
    for (const n of options.sizes) await benchSize(n, options, user, key, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`ssh-bench failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exitCode = 1;
});
