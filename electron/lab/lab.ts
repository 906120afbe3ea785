import { randomBytes } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AppError } from '../../shared/contract/errors';
import { INVENTORY_VERSION, inventorySchema, type Cluster, type ClusterForm, type Role } from '../../shared/inventory/schema';
import { serializeInventory } from '../core/inventory/inventory-yaml';
import { VaultSecretStore } from '../core/inventory/secrets';
import { LabClock } from './host/clock';
import type { LabHost, LabHostDescription } from './host/lab-host';
import { HostFaults, isFaultKind, unknownFault, type FaultKind } from './faults';
import { LabMongoServer } from './mongo/server';
import type { LabContext, LabLogin, LabSystem, Scenario } from './scenario';
import { findScenario, scenarios } from './scenarios';
import { generateEd25519KeyPair } from './systems/rocketchat/hosts';

/**
 * The rehearsal lab's orchestrator. `startLab` runs one scenario: it starts the lab clock at
 * the chosen time scale, makes a login (an ed25519 key and a password every lab host accepts),
 * builds the scenario's systems, starts every host's SSH server (each on its own port with its
 * own host key) and the lab MongoDB when a system needs it, and writes what the console and
 * OpenSSH need to reach them into the run directory:
 *
 *   inventory.yaml   the console's inventory (clusters `rocketchat`, `wukongim`, ... simulated, lab)
 *   known_hosts      every host's key as `[127.0.0.1]:PORT ssh-ed25519 ...`
 *   ssh_config       one `Host` block per lab host, for `ssh -F`
 *   id_ed25519(.pub) the login key (0600)
 *   secrets.vault    the lab's secrets (e.g. the Rocket.Chat admin token), encrypted with a
 *                    passphrase made for this run: `--data-dir DIR` with
 *                    SWITCHBOARD_VAULT_PASSPHRASE=<vaultPassphrase> unlocks it
 *
 * Everything it starts is a SIMULATION and is labelled so.
 */

export interface StartLabOptions {
  scenario: string | Scenario;
  variant?: string;
  /** Multiplies every simulated delay (1 = realistic pacing; 0.01 for tests). */
  timeScale?: number;
  /** The run directory (created if missing). */
  dir: string;
}

export interface LabHostEntry {
  name: string;
  cluster: string;
  roles: Role[];
  host: '127.0.0.1';
  port: number;
  user: string;
  identityFile: string;
}

export interface LabHandle {
  readonly simulation: true;
  readonly scenario: string;
  readonly variant: string | undefined;
  readonly dir: string;
  readonly inventoryPath: string;
  readonly knownHostsPath: string;
  readonly sshConfigPath: string;
  /** The lab MongoDB's URL, when the scenario runs one. */
  readonly mongoUrl: string | undefined;
  /** Unlocks `DIR/secrets.vault`; undefined when the scenario stores no secrets. */
  readonly vaultPassphrase: string | undefined;
  /** Files the scenario left for the admin (absolute paths), e.g. sample licenses. */
  readonly files: string[];
  readonly hosts: LabHostEntry[];
  readonly clock: LabClock;
  readonly login: LabLogin;
  /** The clusters as written to the inventory. */
  readonly clusters: Cluster[];
  stop(): Promise<void>;
  /** Switches a fault on a host, by its name (or `cluster/name` when names repeat). */
  fault(hostName: string, kind: FaultKind | string, on: boolean): Promise<void>;
  /** The simulated system behind an inventory cluster (`rocketchat`, `wukongim`, ...). */
  system(clusterName: string): LabSystem | undefined;
  /** The simulated host, by name (or `cluster/name`). */
  host(hostName: string): LabHost;
}

/** A system may declare secrets: values by the id its cluster refers to with `{ secret: id }`. */
interface SystemSecrets {
  secrets?: Record<string, string>;
}

export async function startLab(options: StartLabOptions): Promise<LabHandle> {
  const scenario = typeof options.scenario === 'string' ? findScenario(options.scenario) : options.scenario;
  if (!scenario) {
    throw new AppError('NOT_FOUND', `No lab scenario "${String(options.scenario)}" (scenarios: ${scenarios.map((s) => s.name).join(', ')})`);
  }
  if (options.variant !== undefined && !(options.variant in (scenario.variants ?? {}))) {
    const known = Object.keys(scenario.variants ?? {});
    throw new AppError('INVALID_INPUT', `Scenario ${scenario.name} has no variant "${options.variant}" (variants: ${known.join(', ') || 'none'})`);
  }
  const dir = resolve(options.dir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const clock = new LabClock({ timeScale: options.timeScale ?? 1 });
  const login = await writeLogin(dir);

  let mongo: Promise<{ server: LabMongoServer; url: string }> | undefined;
  const labEpochMs = clock.now() - clock.labNow();
  const context: LabContext = {
    clock,
    dir,
    login,
    // The lab MongoDB keeps lab time, so the 60 s expiry of silent instances scales too.
    mongo: () => {
      mongo ??= (async () => {
        const server = new LabMongoServer({ now: () => new Date(labEpochMs + clock.labNow()) });
        const { url } = await server.start();
        return { server, url };
      })();
      return mongo;
    },
  };

  const systems: LabSystem[] = [];
  const stopAll = async (): Promise<void> => {
    for (const system of systems) await system.stop?.().catch(() => undefined);
    for (const system of systems) for (const host of system.hosts) await host.stop().catch(() => undefined);
    if (mongo) await (await mongo.catch(() => undefined))?.server.stop();
  };
  try {
    systems.push(...(await scenario.build(context, { variant: options.variant })));
    const descriptions = new Map<LabHost, LabHostDescription>();
    for (const system of systems) for (const host of system.hosts) descriptions.set(host, await host.start());
    for (const system of systems) await system.started?.();

    const knownHostsPath = join(dir, 'known_hosts');
    const vault = await storeSecrets(dir, systems);
    const clusters = systems.map((system) => labCluster(system, descriptions, login, knownHostsPath, vault.ids));
    const inventory = inventorySchema.parse({ version: INVENTORY_VERSION, clusters });
    const inventoryPath = join(dir, 'inventory.yaml');
    await writeFile(inventoryPath, `# Switchboard rehearsal lab: a SIMULATION (scenario ${scenario.name}).\n${serializeInventory(inventory)}`, { mode: 0o600 });
    await writeFile(knownHostsPath, [...descriptions.values()].map((d) => `${d.knownHostsLine}\n`).join(''), { mode: 0o600 });

    const entries = systems.flatMap((system) =>
      system.hosts.map((host): LabHostEntry => {
        const cluster = inventory.clusters.find((c) => c.name === system.cluster.name)!;
        const entry = cluster.hosts.find((h) => h.name === host.name);
        return {
          name: host.name,
          cluster: system.cluster.name,
          roles: entry?.roles ?? [],
          host: '127.0.0.1',
          port: descriptions.get(host)!.port,
          user: login.user,
          identityFile: login.identityFile,
        };
      }),
    );
    const sshConfigPath = join(dir, 'ssh_config');
    await writeFile(sshConfigPath, sshConfig(entries, knownHostsPath), { mode: 0o600 });

    const byName = hostIndex(systems);
    const faults = new Map<LabHost, HostFaults>();
    const findHost = (name: string): LabHost => {
      const found = byName.get(name);
      if (!found) throw new AppError('NOT_FOUND', `No lab host "${name}" (hosts: ${[...byName.keys()].join(', ')})`);
      return found;
    };
    const mongoUrl = mongo ? (await mongo).url : undefined;
    let stopped: Promise<void> | undefined;
    return {
      simulation: true,
      scenario: scenario.name,
      variant: options.variant,
      dir,
      inventoryPath,
      knownHostsPath,
      sshConfigPath,
      mongoUrl,
      vaultPassphrase: vault.passphrase,
      files: systems.flatMap((system) => (system.files ?? []).map((file) => join(dir, file))),
      hosts: entries,
      clock,
      login,
      clusters: inventory.clusters,
      stop: () => (stopped ??= stopAll()),
      fault: async (hostName, kind, on) => {
        if (!isFaultKind(kind)) throw unknownFault(kind);
        const host = findHost(hostName);
        let switches = faults.get(host);
        if (!switches) {
          switches = new HostFaults(host);
          faults.set(host, switches);
        }
        await switches.set(kind, on);
      },
      system: (clusterName) => systems.find((system) => system.cluster.name === clusterName),
      host: findHost,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** The login every lab host accepts: a fresh ed25519 key (files 0600) and a random password. */
async function writeLogin(dir: string): Promise<LabLogin> {
  const pair = generateEd25519KeyPair('switchboard-lab');
  const identityFile = join(dir, 'id_ed25519');
  await writeFile(identityFile, pair.private, { mode: 0o600 });
  await chmod(identityFile, 0o600);
  await writeFile(`${identityFile}.pub`, `${pair.public}\n`, { mode: 0o600 });
  return { user: 'ops', password: randomBytes(18).toString('base64url'), publicKeyLine: pair.public, identityFile };
}

/**
 * Stores the systems' secrets in a vault in the run directory, under a passphrase made for
 * this run; returns the vault's ids by the ids the systems' clusters use.
 */
async function storeSecrets(dir: string, systems: LabSystem[]): Promise<{ passphrase: string | undefined; ids: Map<string, string> }> {
  const declared = systems.flatMap((system) => Object.entries((system as LabSystem & SystemSecrets).secrets ?? {}));
  const ids = new Map<string, string>();
  if (declared.length === 0) return { passphrase: undefined, ids };
  const passphrase = randomBytes(18).toString('base64url');
  const vault = new VaultSecretStore(dir);
  await vault.unlock(passphrase);
  try {
    for (const [reference, value] of declared) ids.set(reference, await vault.set(value));
  } finally {
    vault.lock();
  }
  return { passphrase, ids };
}

/** A system's cluster with its hosts' real ports, the login and key, and vault ids for its secrets. */
function labCluster(
  system: LabSystem,
  descriptions: Map<LabHost, LabHostDescription>,
  login: LabLogin,
  knownHostsPath: string,
  secretIds: Map<string, string>,
): ClusterForm {
  const form: ClusterForm = {
    ...system.cluster,
    environment: 'lab',
    simulated: true,
    hosts: system.cluster.hosts.map((entry) => {
      const host = system.hosts.find((candidate) => candidate.name === entry.name);
      const description = host && descriptions.get(host);
      if (!description) throw new AppError('INTERNAL', `Lab cluster ${system.cluster.name} names a host "${entry.name}" it does not run`);
      return {
        ...entry,
        address: '127.0.0.1',
        port: description.port,
        user: login.user,
        auth: { method: 'key', identityFile: login.identityFile },
        knownHostsFile: knownHostsPath,
      };
    }),
  };
  return replaceSecretRefs(form, secretIds);
}

/** Replaces `{ secret: reference }` anywhere in the cluster by the vault's id for it. */
function replaceSecretRefs<T>(value: T, ids: Map<string, string>): T {
  if (Array.isArray(value)) return value.map((item: unknown) => replaceSecretRefs(item, ids)) as T;
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 1 && keys[0] === 'secret' && typeof record.secret === 'string') {
    const id = ids.get(record.secret);
    if (id === undefined) throw new AppError('INTERNAL', `A lab cluster refers to secret "${record.secret}" that no system declared`);
    return { secret: id } as T;
  }
  return Object.fromEntries(keys.map((key) => [key, replaceSecretRefs(record[key], ids)])) as T;
}

/** Hosts by name, and by `cluster/name` (the only way to reach a host whose name repeats). */
function hostIndex(systems: LabSystem[]): Map<string, LabHost> {
  const index = new Map<string, LabHost>();
  const counts = new Map<string, number>();
  for (const system of systems) for (const host of system.hosts) counts.set(host.name, (counts.get(host.name) ?? 0) + 1);
  for (const system of systems) {
    for (const host of system.hosts) {
      index.set(`${system.cluster.name}/${host.name}`, host);
      if (counts.get(host.name) === 1) index.set(host.name, host);
    }
  }
  return index;
}

/** An OpenSSH client configuration for `ssh -F DIR/ssh_config HOST`. */
function sshConfig(entries: LabHostEntry[], knownHostsPath: string): string {
  const header = '# Switchboard rehearsal lab (SIMULATION): ssh -F this-file HOST\n';
  return (
    header +
    entries
      .map((entry) =>
        [
          `Host ${entry.name}`,
          `  HostName ${entry.host}`,
          `  Port ${entry.port}`,
          `  User ${entry.user}`,
          `  IdentityFile ${entry.identityFile}`,
          '  IdentitiesOnly yes',
          `  UserKnownHostsFile ${knownHostsPath}`,
          '  StrictHostKeyChecking yes',
          '',
        ].join('\n'),
      )
      .join('\n')
  );
}
