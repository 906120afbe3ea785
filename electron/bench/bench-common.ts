/** Pieces the benchmarks share: timing, medians, the bare ssh2 baseline and the peer tools. */
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import ssh2 from 'ssh2';
import type { Client } from 'ssh2';
import { run, waitFor } from '../testing/process';
import type { KeyPair } from '../testing/keys';
import type { Sshd } from '../testing/sshd';
import type { TestUser } from '../testing/test-user';

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export async function timed(work: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

/** CPU time in ms: this process's (the console), and the simulated hosts' where it can be read. */
export interface CpuUse {
  consoleMs: number;
  hostsMs?: number;
}

/**
 * CPU used by the simulated hosts: every sshd listener and all it starts, exited processes
 * included, read from a cgroup v2 group made for them below this process's own group.
 * (/proc's per-process counters tick in 10 ms, too coarse for the few ms a host spends on a
 * command.) The group enables no controller, so it only counts: the scheduler treats its
 * processes as before.
 */
export class HostsCpu {
  private constructor(private readonly dir: string) {}

  /** Undefined where no such group can be made (no cgroup v2, or controllers enabled below ours). */
  static async create(pids: readonly number[]): Promise<HostsCpu | undefined> {
    const own = /^0::(\/.*)$/m.exec(await readFile('/proc/self/cgroup', 'utf8'))?.[1];
    if (own === undefined) return undefined;
    for (const root of ['/sys/fs/cgroup', '/sys/fs/cgroup/unified']) {
      const parent = join(root, own);
      const controllers = await readFile(join(parent, 'cgroup.subtree_control'), 'utf8').catch(() => undefined);
      if (controllers === undefined || controllers.trim() !== '') continue;
      const dir = join(parent, `switchboard-bench-${process.pid}`);
      if (!(await mkdir(dir).then(() => true, () => false))) continue;
      const group = new HostsCpu(dir);
      try {
        for (const pid of pids) await writeFile(join(dir, 'cgroup.procs'), String(pid));
        await group.usageMs();
        return group;
      } catch {
        // Back where they were, so the group can go and the hosts run on, just unmeasured.
        for (const pid of pids) await writeFile(join(parent, 'cgroup.procs'), String(pid)).catch(() => undefined);
        await rmdir(dir).catch(() => undefined);
      }
    }
    return undefined;
  }

  async usageMs(): Promise<number> {
    const usage = /^usage_usec (\d+)$/m.exec(await readFile(join(this.dir, 'cpu.stat'), 'utf8'))?.[1];
    if (usage === undefined) throw new Error(`no usage_usec in ${this.dir}/cpu.stat`);
    return Number(usage) / 1000;
  }

  /** Removes the group once its processes are gone (stopped sshds may take a moment). */
  async remove(): Promise<void> {
    await waitFor(async () => (await rmdir(this.dir).then(() => true, (error: NodeJS.ErrnoException) => error.code === 'ENOENT')), `cgroup ${this.dir} to be empty`, {
      timeoutMs: 10_000,
    });
  }
}

/** What a piece of work cost in CPU, beside its result. */
export async function cpuDuring<T>(hosts: HostsCpu | undefined, work: () => Promise<T>): Promise<{ value: T; cpu: CpuUse }> {
  const hostsBefore = await hosts?.usageMs();
  const consoleBefore = process.cpuUsage();
  const value = await work();
  const consoleUsed = process.cpuUsage(consoleBefore);
  const cpu: CpuUse = { consoleMs: (consoleUsed.user + consoleUsed.system) / 1000 };
  if (hosts && hostsBefore !== undefined) cpu.hostsMs = (await hosts.usageMs()) - hostsBefore;
  return { value, cpu };
}

export function expectOk(outputs: string[], what: string): void {
  const bad = outputs.filter((out) => out !== 'ok\n').length;
  if (bad > 0) throw new Error(`${what}: ${bad} of ${outputs.length} hosts did not answer "ok"`);
}

/**
 * The baseline: one ssh2 Client per host, all at once, no pool, a plain key comparison for the
 * host key. `command` may differ per host. The warm round's CPU use comes back too (the hosts'
 * only with `hostsCpu`).
 */
export async function bareRound(
  servers: Sshd[],
  user: TestUser,
  key: Buffer,
  hostKey: Buffer,
  command: string | ((index: number) => string) = '/bin/echo ok',
  check: (outputs: string[]) => void = (o) => expectOk(o, 'bare ssh2'),
  hostsCpu?: HostsCpu,
): Promise<{ cold: number; warm: number; warmCpu: CpuUse }> {
  const commandFor = typeof command === 'string' ? () => command : command;
  const clients: Client[] = [];
  const execOn = (client: Client, index: number): Promise<string> =>
    new Promise((resolve, reject) => {
      client.exec(commandFor(index), (error, channel) => {
        if (error) return reject(error);
        let out = '';
        channel.on('data', (chunk: Buffer) => (out += chunk.toString()));
        channel.stderr.resume();
        channel.on('close', () => resolve(out));
      });
    });
  const connectAndExec = (server: Sshd, index: number): Promise<string> =>
    new Promise((resolve, reject) => {
      const client = new ssh2.Client();
      clients[index] = client;
      client.on('error', reject);
      client.on('ready', () => execOn(client, index).then(resolve, reject));
      client.connect({
        host: server.host,
        port: server.port,
        username: user.name,
        privateKey: key,
        hostVerifier: (presented: Buffer) => presented.equals(hostKey),
      });
    });
  try {
    const cold = await timed(async () => check(await Promise.all(servers.map(connectAndExec))));
    const { value: warm, cpu } = await cpuDuring(hostsCpu, () => timed(async () => check(await Promise.all(clients.map(execOn)))));
    return { cold, warm, warmCpu: cpu };
  } finally {
    for (const client of clients) client.end();
  }
}

// Only for the peer tools the benchmark compares against (parallel-ssh, Ansible), on throwaway
// loopback sshds it started itself: Switchboard's own pool checks every host key strictly.
export const quietSsh = ['-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR'];

export async function installed(program: string): Promise<boolean> {
  return (await run('which', [program])).code === 0;
}

export async function ansibleRound(servers: Sshd[], user: TestUser, key: KeyPair, dir: string, forks: number, module: ['raw' | 'command', string] = ['raw', '/bin/echo ok']): Promise<number> {
  const inventory = join(dir, 'inventory.ini');
  await writeFile(
    inventory,
    [
      '[bench]',
      ...servers.map((s, i) => `h${i} ansible_host=${s.host} ansible_port=${s.port}`),
      '[bench:vars]',
      `ansible_user=${user.name}`,
      `ansible_ssh_private_key_file=${key.privatePath}`,
      `ansible_ssh_common_args='${quietSsh.join(' ')}'`,
      '',
    ].join('\n'),
  );
  return timed(async () => {
    const result = await run('ansible', ['bench', '-i', inventory, '-m', module[0], '-a', module[1], '-f', String(forks)], {
      env: { ...process.env, ANSIBLE_HOST_KEY_CHECKING: 'False', ANSIBLE_STDOUT_CALLBACK: 'minimal' },
      timeoutMs: 600_000,
    });
    if (result.code !== 0) throw new Error(`ansible failed: ${result.stdout.slice(-500)} ${result.stderr.slice(-500)}`);
  });
}

export function seconds(ms: number | undefined): string {
  return ms === undefined ? '     -' : `${(ms / 1000).toFixed(3).padStart(6)}s`;
}

export function ratio(a: number | undefined, b: number | undefined): string {
  return a === undefined || b === undefined ? '-' : `${(a / b).toFixed(2)}x`;
}
