import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import ssh2 from 'ssh2';
import type { AuthContext, Connection, ParsedKey, ServerChannel } from 'ssh2';
import { credentialsOf, type Accounts, type HostUser } from './accounts';
import type { HostClock } from './clock';
import { InputSource, type OutputSink } from './io';
import { generateEd25519KeyPair } from './keys';
import { serveSftp } from './sftp';
import { loginEnvironment, type Shell } from './shell';
import type { Vfs } from './vfs';

/**
 * A lab host's SSH server (the ssh2 library's server side) on 127.0.0.1: its own host
 * key, public-key and password logins, exec requests run by the host's shell with
 * streaming output, stdin and exit status, and the SFTP subsystem on the VFS.
 * Faults switch at runtime: refused connections, commands that hang, slow commands,
 * and a host key that changes.
 */

export interface SshFaults {
  /** The port refuses connections (nothing listens). */
  refuse: boolean;
  /** Commands print the start of their output, then never exit. */
  hang: boolean;
  /** Lab milliseconds of delay before each command and SFTP session. */
  slowMs: number;
}

export interface HostKeyInfo {
  /** `ssh-ed25519` */
  algorithm: string;
  /** Base64 of the public key blob, as in known_hosts. */
  base64: string;
  /** `SHA256:...` as `ssh-keygen -lf` and OpenSSH print it. */
  fingerprint: string;
}

export interface LabSshServerDeps {
  shell: Shell;
  accounts: Accounts;
  vfs: Vfs;
  clock: HostClock;
}

const acceptedEnv = /^(LANG|LC_[A-Z]+)$/;

export function generateHostKey(): string {
  return generateEd25519KeyPair().private;
}

export function hostKeyInfo(privateKey: string): HostKeyInfo {
  const parsed = parseOne(privateKey);
  const blob = parsed.getPublicSSH();
  return {
    algorithm: parsed.type,
    base64: blob.toString('base64'),
    fingerprint: `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`,
  };
}

function parseOne(key: string | Buffer): ParsedKey {
  const parsed = ssh2.utils.parseKey(key);
  if (parsed instanceof Error) throw parsed;
  return Array.isArray(parsed) ? (parsed[0] as ParsedKey) : parsed;
}

export class LabSshServer {
  readonly #deps: LabSshServerDeps;
  #hostKey: string;
  #ssh: InstanceType<typeof ssh2.Server>;
  #listener: NetServer | undefined;
  #port = 0;
  readonly #sockets = new Set<Socket>();
  readonly #onClose = new Set<() => void>();
  #faults: SshFaults = { refuse: false, hang: false, slowMs: 0 };

  constructor(deps: LabSshServerDeps, hostKey: string = generateHostKey()) {
    this.#deps = deps;
    this.#hostKey = hostKey;
    this.#ssh = this.#buildServer();
  }

  get port(): number {
    return this.#port;
  }

  get hostKey(): HostKeyInfo {
    return hostKeyInfo(this.#hostKey);
  }

  /** The host's private key (OpenSSH format), for writing a lab's state to disk. */
  get hostPrivateKey(): string {
    return this.#hostKey;
  }

  get faults(): SshFaults {
    return { ...this.#faults };
  }

  /** Listens on 127.0.0.1 (port 0 = a free one). Resolves with the port. */
  async listen(port = 0): Promise<number> {
    const listener = createServer((socket) => this.#accept(socket));
    await new Promise<void>((resolve, reject) => {
      listener.once('error', reject);
      listener.listen(port, '127.0.0.1', () => {
        listener.off('error', reject);
        resolve();
      });
    });
    this.#listener = listener;
    this.#port = (listener.address() as AddressInfo).port;
    return this.#port;
  }

  /** Stops listening and drops every connection. */
  async close(): Promise<void> {
    for (const release of this.#onClose) release();
    this.#onClose.clear();
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    await this.#stopListening();
  }

  /** Switches faults on or off; `refuse` closes the port until it is switched off again. */
  async setFaults(faults: Partial<SshFaults>): Promise<void> {
    const refuse = faults.refuse ?? this.#faults.refuse;
    this.#faults = { ...this.#faults, ...faults };
    if (refuse && this.#listener) await this.#stopListening();
    else if (!refuse && !this.#listener && this.#port !== 0) await this.listen(this.#port);
  }

  /** A new host key for every connection from now on (what a reinstalled host looks like). */
  changeHostKey(privateKey: string = generateHostKey()): HostKeyInfo {
    this.#hostKey = privateKey;
    this.#ssh = this.#buildServer();
    return this.hostKey;
  }

  async #stopListening(): Promise<void> {
    const listener = this.#listener;
    this.#listener = undefined;
    if (!listener) return;
    await new Promise<void>((resolve) => listener.close(() => resolve()));
  }

  #accept(socket: Socket): void {
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    this.#ssh.injectSocket(socket);
  }

  #buildServer(): InstanceType<typeof ssh2.Server> {
    const server = new ssh2.Server({ hostKeys: [this.#hostKey] }, (client) => this.#onClient(client));
    server.on('error', () => undefined);
    return server;
  }

  #onClient(client: Connection): void {
    let user: HostUser | undefined;
    client.on('error', () => undefined);
    client.on('authentication', (context) => this.#authenticate(context, (who) => (user = who)));
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        const clientEnv: Record<string, string> = {};
        session.on('env', (accept, reject, info) => {
          if (acceptedEnv.test(info.key)) {
            clientEnv[info.key] = info.val;
            accept?.();
          } else reject?.();
        });
        session.on('pty', (accept) => accept?.());
        session.on('window-change', (accept) => accept?.());
        session.on('shell', (_accept, reject) => reject());
        session.on('exec', (accept, _reject, info) => {
          const channel = accept();
          void this.#exec(channel, info.command, user!, clientEnv, client);
        });
        session.on('sftp', (accept) => {
          const sftp = accept();
          // ssh2's server never answers the client's EOF or CLOSE on an SFTP channel (mscdex/ssh2#1153);
          // sshd does (RFC 4254 5.3: sftp-server exits at EOF, the channel closes), and clients wait for it.
          sftp.on('end', () => sftp.end());
          const run = (): void =>
            serveSftp(sftp, { vfs: this.#deps.vfs, accounts: this.#deps.accounts, clock: this.#deps.clock, user: user!, cred: credentialsOf(user!) });
          if (this.#faults.slowMs > 0) void this.#deps.clock.sleep(this.#faults.slowMs).then(run);
          else run();
        });
      });
    });
  }

  /** Answers one authentication attempt; calls `loggedIn` when it succeeds. */
  #authenticate(context: AuthContext, loggedIn: (user: HostUser) => void): void {
    const methods: Array<'publickey' | 'password' | 'keyboard-interactive'> = ['publickey', 'password', 'keyboard-interactive'];
    const user = this.#deps.accounts.user(context.username);
    if (!user) {
      context.reject(methods);
      return;
    }
    switch (context.method) {
      case 'publickey': {
        const key = user.authorizedKeys
          .map((line) => {
            try {
              return parseOne(line);
            } catch {
              return undefined;
            }
          })
          .find((candidate) => candidate !== undefined && candidate.getPublicSSH().equals(context.key.data));
        if (!key) {
          context.reject(methods);
          return;
        }
        // Without a signature the client only asks whether the key would do.
        if (context.signature && context.blob && key.verify(context.blob, context.signature, context.hashAlgo) !== true) {
          context.reject(methods);
          return;
        }
        if (context.signature) loggedIn(user);
        context.accept();
        return;
      }
      case 'password':
        if (samePassword(context.password, user.password)) {
          loggedIn(user);
          context.accept();
        } else context.reject(methods);
        return;
      case 'keyboard-interactive':
        context.prompt([{ prompt: 'Password: ', echo: false }], (answers) => {
          if (samePassword(answers[0] ?? '', user.password)) {
            loggedIn(user);
            context.accept();
          } else context.reject(methods);
        });
        return;
      default:
        context.reject(methods);
    }
  }

  async #exec(channel: ServerChannel, command: string, user: HostUser, clientEnv: Record<string, string>, client: Connection): Promise<void> {
    const stdin = new InputSource();
    channel.on('data', (data: Buffer) => stdin.push(data));
    channel.on('end', () => stdin.end());
    const abort = new AbortController();
    let closed = false;
    const onClose = (): void => {
      closed = true;
      abort.abort(new Error('channel closed'));
    };
    channel.on('close', onClose);
    this.#onClose.add(onClose);
    const finish = (code: number): void => {
      this.#onClose.delete(onClose);
      if (closed) return;
      channel.exit(code);
      channel.end();
    };

    if (/\/(nologin|false)$/.test(user.shell)) {
      channel.write('This account is currently not available.\n');
      finish(1);
      return;
    }
    if (this.#faults.slowMs > 0) {
      try {
        await this.#deps.clock.sleep(this.#faults.slowMs, abort.signal);
      } catch {
        return;
      }
    }
    const hang = this.#faults.hang;
    const direct = {
      stdout: { write: (chunk: string | Buffer) => { if (!closed) channel.write(chunk); } } satisfies OutputSink,
      stderr: { write: (chunk: string | Buffer) => { if (!closed) channel.stderr.write(chunk); } } satisfies OutputSink,
    };
    const held = new HangingOutput(direct.stdout);
    const address = (client as unknown as { _sock?: Socket })._sock;
    const env = {
      ...loginEnvironment(user),
      MAIL: `/var/mail/${user.name}`,
      SSH_CLIENT: `127.0.0.1 ${address?.remotePort ?? 0} ${this.#port}`,
      SSH_CONNECTION: `127.0.0.1 ${address?.remotePort ?? 0} 127.0.0.1 ${this.#port}`,
      ...clientEnv,
    };
    let code: number;
    try {
      code = await this.#deps.shell.run(command, {
        user,
        stdin,
        stdout: hang ? held : direct.stdout,
        stderr: hang ? { write: () => undefined } : direct.stderr,
        signal: abort.signal,
        env,
      });
    } catch (error) {
      direct.stderr.write(`lab: ${error instanceof Error ? error.message : String(error)}\n`);
      code = 1;
    }
    // A hanging host: the first line got out, the rest and the exit status never will.
    if (hang) return;
    finish(code);
  }
}

/** Lets the first line of output through, swallows the rest. */
class HangingOutput implements OutputSink {
  readonly #target: OutputSink;
  #open = true;

  constructor(target: OutputSink) {
    this.#target = target;
  }

  write(chunk: string | Buffer): void {
    if (!this.#open) return;
    const text = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    const newline = text.indexOf(0x0a);
    if (newline < 0) {
      this.#target.write(text);
      return;
    }
    this.#target.write(text.subarray(0, newline + 1));
    this.#open = false;
  }
}

function samePassword(given: string, expected: string | undefined): boolean {
  if (expected === undefined) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
