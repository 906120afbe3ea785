/** Pieces the benchmarks share: timing, medians, the bare ssh2 baseline and the peer tools. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import ssh2 from 'ssh2';
import type { Client } from 'ssh2';
import { run } from '../testing/process';
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

export function expectOk(outputs: string[], what: string): void {
  const bad = outputs.filter((out) => out !== 'ok\n').length;
  if (bad > 0) throw new Error(`${what}: ${bad} of ${outputs.length} hosts did not answer "ok"`);
}

/** The baseline: one ssh2 Client per host, all at once, no pool, a plain key comparison for the host key. */
export async function bareRound(servers: Sshd[], user: TestUser, key: Buffer, hostKey: Buffer, command = '/bin/echo ok', check: (outputs: string[]) => void = (o) => expectOk(o, 'bare ssh2')): Promise<{ cold: number; warm: number }> {
  const clients: Client[] = [];
  const execOn = (client: Client): Promise<string> =>
    new Promise((resolve, reject) => {
      client.exec(command, (error, channel) => {
        if (error) return reject(error);
        let out = '';
        channel.on('data', (chunk: Buffer) => (out += chunk.toString()));
        channel.stderr.resume();
        channel.on('close', () => resolve(out));
      });
    });
  const connectAndExec = (server: Sshd): Promise<string> =>
    new Promise((resolve, reject) => {
      const client = new ssh2.Client();
      clients.push(client);
      client.on('error', reject);
      client.on('ready', () => execOn(client).then(resolve, reject));
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
    const warm = await timed(async () => check(await Promise.all(clients.map(execOn))));
    return { cold, warm };
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
