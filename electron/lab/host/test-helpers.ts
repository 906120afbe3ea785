import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import type { ClientChannel, SFTPWrapper } from 'ssh2';
import { generateEd25519KeyPair } from './keys';
import type { LabHostDescription } from './lab-host';

/**
 * Real clients for tests against lab hosts: the ssh2 library's client and OpenSSH's
 * `ssh`, both with strict host-key checking against the lab host's key.
 */

export interface ClientKey {
  privateKey: string;
  /** The authorized_keys line. */
  publicLine: string;
}

export function generateClientKey(comment = 'lab-test'): ClientKey {
  const pair = generateEd25519KeyPair(comment);
  return { privateKey: pair.private, publicLine: pair.public };
}

export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export type Login = { username: string; privateKey: string } | { username: string; password: string };

/** An authenticated ssh2 connection that only trusts `host`'s current key. */
export async function connect(host: LabHostDescription, login: Login): Promise<InstanceType<typeof ssh2.Client>> {
  const expected = Buffer.from(host.hostKey.base64, 'base64');
  const client = new ssh2.Client();
  await new Promise<void>((resolve, reject) => {
    client.once('ready', () => resolve());
    client.once('error', reject);
    client.connect({
      host: host.host,
      port: host.port,
      ...login,
      hostVerifier: (key: Buffer) => key.equals(expected),
      readyTimeout: 10_000,
    });
  });
  return client;
}

export function exec(client: InstanceType<typeof ssh2.Client>, command: string, stdin?: string): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    client.exec(command, (error, channel) => {
      if (error) {
        reject(error);
        return;
      }
      collect(channel, stdin).then(resolve, reject);
    });
  });
}

function collect(channel: ClientChannel, stdin?: string): Promise<ExecResult> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let code: number | null = null;
    channel.on('data', (data: Buffer) => (stdout += data.toString('utf8')));
    channel.stderr.on('data', (data: Buffer) => (stderr += data.toString('utf8')));
    channel.on('exit', (status: number | null) => (code = status));
    channel.on('close', () => resolve({ code, stdout, stderr }));
    if (stdin !== undefined) channel.write(stdin);
    channel.end();
  });
}

export function sftp(client: InstanceType<typeof ssh2.Client>): Promise<SFTPWrapper> {
  return new Promise((resolve, reject) => client.sftp((error, session) => (error ? reject(error) : resolve(session))));
}

/** Polls `probe` until `accept` holds or the deadline passes (no sleeps: each probe is a round trip). */
export async function pollUntil<T>(probe: () => Promise<T>, accept: (value: T) => boolean, deadlineMs = 10_000): Promise<T[]> {
  const seen: T[] = [];
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    seen.push(value);
    if (accept(value)) return seen;
    if (Date.now() > deadline) throw new Error(`condition not reached; last value: ${JSON.stringify(value)}`);
  }
}

/** A private directory with an OpenSSH identity file and a known_hosts file for `ssh`. */
export class OpenSshClientFiles {
  readonly dir: string;
  readonly identity: string;
  readonly knownHosts: string;

  constructor(key: ClientKey) {
    this.dir = mkdtempSync(join(tmpdir(), 'lab-ssh-'));
    this.identity = join(this.dir, 'id_ed25519');
    this.knownHosts = join(this.dir, 'known_hosts');
    writeFileSync(this.identity, key.privateKey, { mode: 0o600 });
    writeFileSync(this.knownHosts, '', { mode: 0o600 });
  }

  trust(hosts: LabHostDescription[]): void {
    writeFileSync(this.knownHosts, hosts.map((h) => `${h.knownHostsLine}\n`).join(''), { mode: 0o600 });
  }

  /** Runs OpenSSH's `ssh` with strict host key checking; resolves with its exit code and output. */
  run(host: LabHostDescription, user: string, command: string, stdin = ''): Promise<ExecResult> {
    const args = [
      '-F', '/dev/null',
      '-p', String(host.port),
      '-i', this.identity,
      '-o', `UserKnownHostsFile=${this.knownHosts}`,
      '-o', 'StrictHostKeyChecking=yes',
      '-o', 'BatchMode=yes',
      '-o', 'IdentitiesOnly=yes',
      '-o', 'ConnectTimeout=10',
      `${user}@${host.host}`,
      command,
    ];
    return new Promise((resolve, reject) => {
      const child = spawn('ssh', args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, SSH_AUTH_SOCK: '' } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (data: Buffer) => (stdout += data.toString('utf8')));
      child.stderr.on('data', (data: Buffer) => (stderr += data.toString('utf8')));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(stdin);
    });
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
