import { existsSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AppError } from '../../../shared/contract/errors';
import { parseJumpSpec } from '../../../shared/inventory/address';
import { clusterSchema, hostSchema, type Cluster, type Host } from '../../../shared/inventory/schema';
import { importSshConfigFile } from '../../core/inventory/import/ssh-config';
import { mapLimit } from '../../core/inspect/limit';
import type { HostRunner } from '../../core/hosts/host-runner';
import { ExitCode, UsageError, type CliCommand, type CliIO } from '../command';
import { connectionOptions, connectionUsage, loadClusters, openHosts } from '../context';

interface HostOutcome {
  host: string;
  ok: boolean;
  exitCode: number | null;
  stdout: string;
  stderr: string;
  error: { code: string; message: string } | null;
}

/** `*` and `?` as in ssh_config Host patterns. */
function globMatcher(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, 'i');
}

/** A HOST argument that names no inventory or ssh_config host: `[user@]host[:port]`. */
function adHocHost(spec: string, identityFile: string | undefined): Host {
  const parsed = parseJumpSpec(spec);
  if (!parsed.ok) throw new UsageError(parsed.problem);
  return hostSchema.parse({
    name: parsed.spec.address.replace(/[^A-Za-z0-9._-]/g, '_'),
    address: parsed.spec.address,
    port: parsed.spec.port ?? 22,
    user: parsed.spec.user ?? userInfo().username,
    auth: identityFile ? { method: 'key', identityFile } : { method: 'agent' },
  });
}

async function sshConfigCluster(path: string | undefined): Promise<Cluster | undefined> {
  const file = path ?? join(homedir(), '.ssh', 'config');
  if (!path && !existsSync(file)) return undefined;
  const proposal = await importSshConfigFile(file);
  return clusterSchema.parse(proposal.cluster);
}

/** The hosts HOST arguments name: aliases (globs allowed) of the ssh_config, else literal addresses. */
async function hostsFromArgs(args: string[], sshConfig: string | undefined, identityFile: string | undefined): Promise<Cluster> {
  const config = await sshConfigCluster(sshConfig);
  const hosts: Host[] = [];
  for (const arg of args) {
    const matches = config?.hosts.filter((h) => globMatcher(arg).test(h.name)) ?? [];
    if (matches.length > 0) hosts.push(...matches.filter((m) => !hosts.includes(m)));
    else if (/[*?]/.test(arg)) throw new UsageError(`no Host in the ssh config matches "${arg}"`);
    else hosts.push(adHocHost(arg, identityFile));
  }
  const withKey = identityFile ? hosts.map((h) => ({ ...h, auth: { ...h.auth, identityFile } })) : hosts;
  return { name: 'exec', environment: 'production', stacks: ['generic'], hosts: withKey };
}

export const execCommand: CliCommand = {
  name: 'exec',
  summary: 'Run one command on many hosts through the connection pool',
  usage: `Usage: switchboard exec [options] HOST... -- CMD [ARGS...]
       switchboard exec --inventory FILE [--cluster NAME] [--role ROLE] [options] -- CMD [ARGS...]

Runs CMD with ARGS on every host at once. Each argument is quoted for the remote shell:
what you type is what runs, never re-interpreted. HOST is [user@]host[:port] or a Host
alias of the OpenSSH client config (glob patterns allowed, e.g. 'rc-*').
Progress goes to stderr. Exit code 0 only when every host ran CMD with exit status 0.

Options:
  --ssh-config FILE   OpenSSH client config for aliases (default ~/.ssh/config);
                      HostName, User, Port, IdentityFile, ProxyJump and Include are honoured
  -i, --identity KEY  private key file to try (after the agent's keys)
  --inventory FILE    pick hosts from an inventory (Switchboard, Ansible or ssh_config)
  --cluster NAME      only hosts of this cluster
  --role ROLE         only hosts with this role
  --timeout S         per-host limit in seconds (default 60)
  --json              print [{host, ok, exitCode, stdout, stderr, error}]
${connectionUsage}`,
  async run(argv, io) {
    const split = argv.indexOf('--');
    if (split < 0) throw new UsageError('put -- before the command, e.g. switchboard exec web1 -- uptime');
    const command = argv.slice(split + 1);
    if (command.length === 0) throw new UsageError('no command after --');
    const { values, positionals } = parseArgs({
      args: argv.slice(0, split),
      options: {
        'ssh-config': { type: 'string' },
        identity: { type: 'string', short: 'i' },
        inventory: { type: 'string' },
        cluster: { type: 'string' },
        role: { type: 'string' },
        timeout: { type: 'string' },
        json: { type: 'boolean' },
        ...connectionOptions,
      },
      strict: true,
      allowPositionals: true,
    });
    const timeoutSeconds = values.timeout === undefined ? 60 : Number(values.timeout);
    if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) throw new UsageError(`--timeout must be a positive number of seconds`);
    const targets = await resolveTargets(io, values, positionals);
    if (targets.length === 0) throw new UsageError('no hosts: name HOSTs or give --inventory');

    const context = await openHosts(io, values, targets.map((t) => t.cluster));
    let done = 0;
    try {
      const outcomes = await mapLimit(targets, 128, async ({ cluster, host }): Promise<HostOutcome> => {
        const outcome = await runOn(context.runner, cluster, host, command, timeoutSeconds, io.signal);
        done += 1;
        io.stderr.write(`[${done}/${targets.length}] ${host.name}: ${outcome.ok ? 'ok' : outcome.error ? outcome.error.message : `exit ${outcome.exitCode}`}\n`);
        return outcome;
      });
      if (values.json) io.stdout.write(`${JSON.stringify(outcomes, null, 2)}\n`);
      else for (const o of outcomes) io.stdout.write(formatOutcome(o, targets.length > 1));
      return outcomes.every((o) => o.ok) ? ExitCode.ok : ExitCode.problem;
    } finally {
      await context.close();
    }
  },
};

async function resolveTargets(
  io: CliIO,
  values: { inventory?: string; cluster?: string; role?: string; 'ssh-config'?: string; identity?: string },
  positionals: string[],
): Promise<{ cluster: Cluster; host: Host }[]> {
  if (values.inventory) {
    if (positionals.length > 0) throw new UsageError('give HOSTs or --inventory, not both');
    const clusters = await loadClusters(io, values.inventory, values.cluster);
    return clusters.flatMap((cluster) =>
      cluster.hosts.filter((h) => !values.role || h.roles.includes(values.role as Host['roles'][number])).map((host) => ({ cluster, host })),
    );
  }
  const cluster = await hostsFromArgs(positionals, values['ssh-config'], values.identity);
  return cluster.hosts.map((host) => ({ cluster, host }));
}

async function runOn(
  runner: HostRunner,
  cluster: Cluster,
  host: Host,
  command: string[],
  timeoutSeconds: number,
  signal: AbortSignal,
): Promise<HostOutcome> {
  try {
    const result = await runner.run(cluster, host, command, { timeoutMs: timeoutSeconds * 1000, signal });
    return { host: host.name, ok: result.exitCode === 0, exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr, error: null };
  } catch (error) {
    const code = error instanceof AppError ? error.code : 'INTERNAL';
    const message = error instanceof Error ? error.message : String(error);
    return { host: host.name, ok: false, exitCode: null, stdout: '', stderr: '', error: { code, message } };
  }
}

/** Output as the command printed it; with several hosts each line carries its host, as pssh -i does. */
function formatOutcome(o: HostOutcome, prefix: boolean): string {
  const tag = prefix ? `${o.host}: ` : '';
  const lines = (text: string) => (text === '' ? [] : text.replace(/\n$/, '').split('\n'));
  const all = [...lines(o.stdout), ...lines(o.stderr), ...(o.error ? [`error: ${o.error.message}`] : [])];
  return all.map((line) => `${tag}${line}\n`).join('');
}
