import { Accounts, type SudoRule, type UserSpec } from './accounts';
import type { HostClock, HostTimezone, LabClock } from './clock';
import { registerBuiltinCommands } from './commands';
import { ContainerRuntime } from './containers';
import { HostNetwork, HttpEndpoints, UnixSockets } from './endpoints';
import { BufferSink, InputSource } from './io';
import { Journal } from './journal';
import { PidAllocator } from './process';
import { LabSshServer, type HostKeyInfo, type SshFaults } from './server';
import { ServiceManager } from './services';
import { CommandRegistry, Shell, type HostMetrics, type ShellHost } from './shell';
import { Vfs } from './vfs';

/**
 * One simulated host: file system, users, service manager, containers, HTTP
 * endpoints, Unix sockets, commands and an SSH server, all on one clock. System
 * simulators extend a host through `services`, `containers`, `http`, `sockets`,
 * `commands` and `vfs`; scenarios switch its faults.
 */

export interface LabHostOptions {
  /** Host name (what `hostname` prints and the journal records). */
  name: string;
  clock: LabClock;
  /** This host's clock is off by this much (an unsynced clock). */
  skewMs?: number;
  timezone?: HostTimezone;
  users?: UserSpec[];
  /** The root file system: size and how much the OS already uses. */
  disk?: { sizeBytes?: number; baseUsedBytes?: number; device?: string };
  metrics?: Partial<Omit<HostMetrics, 'bootedAtMs'>>;
  /** How long the host has been up at creation (default 3 days). */
  uptimeMs?: number;
  /** OpenSSH-format private host key; generated when absent. */
  hostKey?: string;
}

export interface LabHostDescription {
  name: string;
  host: '127.0.0.1';
  port: number;
  hostKey: HostKeyInfo;
  /** The line for a known_hosts file. */
  knownHostsLine: string;
  users: Array<{ name: string; uid: number; sudo: SudoRule; passwordLogin: boolean; keyLogin: boolean }>;
}

export class LabHost implements ShellHost {
  readonly name: string;
  readonly clock: HostClock;
  readonly accounts: Accounts;
  readonly vfs: Vfs;
  readonly journal: Journal;
  readonly pids = new PidAllocator();
  readonly services: ServiceManager;
  readonly containers: ContainerRuntime;
  readonly http = new HttpEndpoints();
  readonly sockets: UnixSockets;
  readonly network: HostNetwork;
  readonly commands = new CommandRegistry();
  readonly metrics: HostMetrics;
  readonly shell: Shell;
  readonly server: LabSshServer;

  constructor(options: LabHostOptions) {
    this.name = options.name;
    this.clock = options.clock.forHost({ skewMs: options.skewMs, timezone: options.timezone });
    this.metrics = {
      loadavg: options.metrics?.loadavg ?? [0.08, 0.12, 0.1],
      memTotalKb: options.metrics?.memTotalKb ?? 8_131_728,
      memAvailableKb: options.metrics?.memAvailableKb ?? 5_734_112,
      users: options.metrics?.users ?? 1,
      bootedAtMs: this.clock.now() - (options.uptimeMs ?? 3 * 86_400_000 + 4 * 3_600_000),
    };
    this.accounts = new Accounts(options.users ?? []);
    this.vfs = new Vfs({ ...options.disk, now: () => this.clock.now() });
    this.journal = new Journal({ clock: this.clock, hostname: () => this.hostname, bootMs: () => this.metrics.bootedAtMs });
    this.services = new ServiceManager({ vfs: this.vfs, journal: this.journal, clock: this.clock, pids: this.pids, accounts: this.accounts });
    this.containers = new ContainerRuntime({ clock: this.clock, pids: this.pids });
    this.sockets = new UnixSockets(this.vfs);
    this.network = new HostNetwork(this.http, () => [this.hostname]);
    registerBuiltinCommands(this.commands);
    this.shell = new Shell(this);
    this.server = new LabSshServer({ shell: this.shell, accounts: this.accounts, vfs: this.vfs, clock: this.clock }, options.hostKey);
    this.#layOutFileSystem();
  }

  get hostname(): string {
    return this.name;
  }

  /** Adds (or replaces) a user and creates the home directory, as `adduser` does. */
  addUser(spec: UserSpec): void {
    const user = this.accounts.addUser(spec);
    if (user.uid === 0 || this.vfs.exists(user.home)) return;
    this.vfs.mkdir(user.home, { parents: true, mode: 0o700 });
    this.vfs.chown(user.home, { uid: user.uid, gid: user.gid });
  }

  /** Starts the SSH server on 127.0.0.1 (port 0 = a free one). */
  async start(port = 0): Promise<LabHostDescription> {
    await this.server.listen(port);
    return this.describe();
  }

  /** Stops the SSH server and every simulated process. */
  async stop(): Promise<void> {
    // Sessions outlive their channels (as under sshd without a terminal): a stopped host ends them.
    for (const process of this.shell.processes.list()) this.shell.processes.signal(process, 9);
    this.services.shutdown();
    this.containers.shutdown();
    await this.server.close();
  }

  describe(): LabHostDescription {
    const hostKey = this.server.hostKey;
    return {
      name: this.name,
      host: '127.0.0.1',
      port: this.server.port,
      hostKey,
      knownHostsLine: `[127.0.0.1]:${this.server.port} ${hostKey.algorithm} ${hostKey.base64}`,
      users: this.accounts.users().map((user) => ({
        name: user.name,
        uid: user.uid,
        sudo: user.sudo,
        passwordLogin: user.password !== undefined,
        keyLogin: user.authorizedKeys.length > 0,
      })),
    };
  }

  setFaults(faults: Partial<SshFaults>): Promise<void> {
    return this.server.setFaults(faults);
  }

  /** The host key changes (as after a reinstall); returns the new one. */
  changeHostKey(): HostKeyInfo {
    return this.server.changeHostKey();
  }

  /** Runs a command line as `user` on this host without SSH (for scenario setup and tests). */
  async run(command: string, user = 'root', stdin = ''): Promise<{ code: number; stdout: string; stderr: string }> {
    const account = this.accounts.user(user);
    if (!account) throw new Error(`No user ${user} on ${this.name}`);
    const stdout = new BufferSink();
    const stderr = new BufferSink();
    const code = await this.shell.run(command, {
      user: account, stdin: InputSource.from(stdin), stdout, stderr, signal: new AbortController().signal,
    });
    return { code, stdout: stdout.text(), stderr: stderr.text() };
  }

  /** A Debian 12 system's skeleton: the directories and files the commands expect. */
  #layOutFileSystem(): void {
    const vfs = this.vfs;
    for (const dir of ['/etc/systemd/system/multi-user.target.wants', '/lib/systemd/system', '/run/systemd/system', '/usr/bin', '/usr/sbin', '/usr/local/bin', '/var/log', '/var/lib', '/opt', '/srv', '/home', '/dev', '/proc']) {
      vfs.mkdir(dir, { parents: true });
    }
    vfs.mkdir('/tmp', { mode: 0o1777 });
    vfs.chmod('/tmp', 0o1777);
    vfs.mkdir('/root', { mode: 0o700 });
    for (const user of this.accounts.users()) {
      if (user.uid === 0) continue;
      vfs.mkdir(user.home, { parents: true, mode: 0o700 });
      vfs.chown(user.home, { uid: user.uid, gid: user.gid });
    }
    vfs.writeFile('/etc/hostname', `${this.name}\n`);
    vfs.writeFile(
      '/etc/os-release',
      'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\n' +
      'VERSION_CODENAME=bookworm\nID=debian\nHOME_URL="https://www.debian.org/"\n',
    );
    vfs.defineGenerated('/dev/null', () => '');
    vfs.chmod('/dev/null', 0o666);
    vfs.defineGenerated('/etc/passwd', () =>
      this.accounts.users().map((u) => `${u.name}:x:${u.uid}:${u.gid}:${u.name}:${u.home}:${u.shell}\n`).join(''));
    vfs.chmod('/etc/passwd', 0o644);
    vfs.defineGenerated('/proc/loadavg', () => {
      const [one, five, fifteen] = this.metrics.loadavg.map((n) => n.toFixed(2));
      return `${one} ${five} ${fifteen} 1/${180 + this.services.units().length * 6} ${this.pids.next()}\n`;
    });
    vfs.defineGenerated('/proc/uptime', () => {
      const up = (this.clock.now() - this.metrics.bootedAtMs) / 1000;
      return `${up.toFixed(2)} ${(up * 2 * 0.93).toFixed(2)}\n`;
    });
    vfs.defineGenerated('/proc/meminfo', () => {
      const { memTotalKb: total, memAvailableKb: available } = this.metrics;
      const free = Math.round(available * 0.45);
      const cached = Math.round(available * 0.4);
      const line = (label: string, kb: number): string => `${`${label}:`.padEnd(16)}${String(kb).padStart(8)} kB\n`;
      return (
        line('MemTotal', total) + line('MemFree', free) + line('MemAvailable', available) + line('Buffers', 98_304) +
        line('Cached', cached) + line('SwapCached', 0) + line('Active', Math.round((total - free) * 0.55)) +
        line('Inactive', Math.round((total - free) * 0.3)) + line('SwapTotal', 0) + line('SwapFree', 0) +
        line('Dirty', 128) + line('Shmem', 12_288)
      );
    });
  }
}
