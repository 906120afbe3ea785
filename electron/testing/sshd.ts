import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fingerprintOf, parsePublicKey } from '../core/ssh/host-key';
import { formatKnownHostsLine } from '../core/ssh/known-hosts-format';
import { generateKeyPair, type KeyPair } from './keys';
import { freePort, isAlive, signalTree, waitFor } from './process';

export const SSHD_BINARY = '/usr/sbin/sshd';
const LOG_LINES_KEPT = 400;

export interface SshdOptions {
  /** OpenSSH's MaxSessions (session channels per connection); sshd's default is 10. */
  maxSessions?: number;
  /** PasswordAuthentication (checked against /etc/shadow; no PAM needed). */
  password?: boolean;
  /** KbdInteractiveAuthentication through PAM (turns UsePAM on; a Debian PAM stack asks "Password:"). */
  keyboardInteractive?: boolean;
  /** Public key lines accepted for every user. */
  authorizedKeys?: string[];
  /** Reuse a host key (e.g. one key for a whole fleet); default: a fresh ed25519 key. */
  hostKey?: KeyPair;
  /** Listen on this port instead of a free one. */
  port?: number;
  logLevel?: 'QUIET' | 'INFO' | 'VERBOSE' | 'DEBUG1' | 'DEBUG3';
  /** Extra sshd_config lines, appended last. */
  extraConfig?: string[];
}

function sshdConfig(dir: string, port: number, hostKeyPath: string, options: SshdOptions): string {
  const yesNo = (value: boolean | undefined): string => (value ? 'yes' : 'no');
  return [
    'ListenAddress 127.0.0.1',
    `Port ${port}`,
    `HostKey ${hostKeyPath}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    // Keys and configs live under /tmp, which StrictModes would reject.
    'StrictModes no',
    `UsePAM ${yesNo(options.keyboardInteractive)}`,
    'PubkeyAuthentication yes',
    `PasswordAuthentication ${yesNo(options.password)}`,
    `KbdInteractiveAuthentication ${yesNo(options.keyboardInteractive)}`,
    'PermitRootLogin prohibit-password',
    // The default 10:30:100 drops concurrent unauthenticated connections at random.
    'MaxStartups 1000:30:2000',
    `MaxSessions ${options.maxSessions ?? 10}`,
    'MaxAuthTries 20',
    'AllowTcpForwarding yes',
    'Subsystem sftp internal-sftp',
    'UseDNS no',
    'PrintMotd no',
    'PrintLastLog no',
    `LogLevel ${options.logLevel ?? 'INFO'}`,
    ...(options.extraConfig ?? []),
    '',
  ].join('\n');
}

/** One real OpenSSH server on 127.0.0.1, owned by the test that started it. */
export class Sshd {
  readonly host = '127.0.0.1';
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private readonly logLines: string[] = [];

  constructor(
    readonly dir: string,
    readonly port: number,
    readonly hostKey: KeyPair,
    private readonly ownsDir: boolean,
  ) {}

  get configPath(): string {
    return join(this.dir, 'sshd_config');
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The host key as the client sees it. */
  get hostKeyFingerprint(): string {
    return fingerprintOf(parsePublicKey(this.hostKey.publicLine).blob);
  }

  /** This server's line for a known_hosts file (`[127.0.0.1]:PORT TYPE KEY`). */
  knownHostsLine(host = this.host): string {
    return formatKnownHostsLine(host, this.port, parsePublicKey(this.hostKey.publicLine));
  }

  /** sshd's own log (-e), newest last. */
  log(): string {
    return this.logLines.join('\n');
  }

  async addAuthorizedKey(publicLine: string): Promise<void> {
    const path = join(this.dir, 'authorized_keys');
    const current = await readFile(path, 'utf8').catch(() => '');
    await writeFile(path, `${current}${publicLine.trim()}\n`, { mode: 0o644 });
  }

  /** Starts the listener and resolves once it answers with an SSH banner. */
  async start(): Promise<void> {
    await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
    const child = spawn(SSHD_BINARY, ['-D', '-e', '-f', this.configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    let partial = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      this.logLines.push(...lines);
      if (this.logLines.length > LOG_LINES_KEPT) this.logLines.splice(0, this.logLines.length - LOG_LINES_KEPT);
    });
    await waitFor(async () => !this.running || (await answersSsh(this.host, this.port)), `sshd on port ${this.port}`, {
      timeoutMs: 15_000,
    });
    if (!this.running) {
      // Let the last stderr lines arrive: they say why (a port taken between probe and bind).
      await new Promise<void>((resolve) => (child.stderr?.readableEnded ? resolve() : child.stderr?.once('end', () => resolve())));
      throw new Error(`sshd on port ${this.port} exited at start:\n${this.log()}`);
    }
  }

  /** Stops the listener and every session process under it, by pid, and deletes its files (final). */
  async stop(): Promise<void> {
    if (this.child?.pid !== undefined && this.running) {
      signalTree(this.child.pid, 'SIGTERM');
      await this.exited;
    }
    if (this.ownsDir) await rm(this.dir, { recursive: true, force: true });
  }

  /** Kills the server and its sessions at once (SIGKILL), as a crashed or rebooted host would. */
  async crash(): Promise<void> {
    const pid = this.child?.pid;
    if (pid === undefined || !this.running) return;
    signalTree(pid, 'SIGKILL');
    await this.exited;
    await waitFor(() => !isAlive(pid), `sshd ${pid} to be gone`);
  }

  /** Starts again on the same port with the same host key (after `crash`, not after `stop`). */
  async restart(): Promise<void> {
    if (this.running) await this.crash();
    await this.start();
  }
}

/** True once something on host:port sends an SSH banner. */
function answersSsh(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let received = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('data', (data) => {
      received += data.toString('latin1');
      if (received.includes('SSH-2.0-')) done(true);
    });
    socket.on('close', () => done(received.includes('SSH-2.0-')));
  });
}

/**
 * Starts a real `sshd -D -e -f CONFIG` on a free loopback port with a temporary
 * host key and config. Needs root (sshd's privilege separation) and /run/sshd.
 */
export async function startSshd(options: SshdOptions = {}): Promise<Sshd> {
  const dir = await mkdtemp(join(tmpdir(), 'sb-sshd-'));
  // Session users (not root) read authorized_keys from here.
  await chmod(dir, 0o755);
  const hostKey = options.hostKey ?? (await generateKeyPair(dir, 'ssh_host_ed25519_key'));
  await writeFile(join(dir, 'authorized_keys'), (options.authorizedKeys ?? []).map((line) => `${line.trim()}\n`).join(''), {
    mode: 0o644,
  });
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort());
    await writeFile(join(dir, 'sshd_config'), sshdConfig(dir, port, hostKey.privatePath, options), { mode: 0o644 });
    const sshd = new Sshd(dir, port, hostKey, true);
    try {
      await sshd.start();
      return sshd;
    } catch (error) {
      // Another process took the free port between our probe and sshd's bind.
      const portTaken = /Bind to port|Address already in use|Cannot bind|exited at start:\n\s*$/i.test(String(error));
      if (!portTaken || options.port !== undefined || attempt >= 5) {
        await rm(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }
}

export interface SshdFleet {
  servers: Sshd[];
  hostKey: KeyPair;
  stop(): Promise<void>;
}

/** Starts `count` servers sharing one host key (faster; each still its own process and port). */
export async function startSshdFleet(count: number, options: Omit<SshdOptions, 'port'> = {}): Promise<SshdFleet> {
  const keyDir = await mkdtemp(join(tmpdir(), 'sb-fleet-key-'));
  const hostKey = options.hostKey ?? (await generateKeyPair(keyDir, 'ssh_host_ed25519_key'));
  const started = await Promise.allSettled(Array.from({ length: count }, () => startSshd({ ...options, hostKey })));
  const servers = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const stop = async (): Promise<void> => {
    await Promise.all(servers.map((server) => server.stop()));
    await rm(keyDir, { recursive: true, force: true });
  };
  const failure = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) {
    await stop();
    throw failure.reason;
  }
  return { servers, hostKey, stop };
}
