import { z } from 'zod';
import { addressProblem, describeValue, hasControlChar, parseJumpSpec, userProblem } from './address';

/**
 * The inventory: clusters, their hosts and how to reach them. One YAML format serves
 * as the app's saved store and as the CLI's `--inventory` file. Secrets never appear
 * in it: where a password or token is needed, the file holds `{ secret: ID }`, an id
 * into the secret store (Electron safeStorage or the passphrase vault).
 */

export const environments = ['production', 'staging', 'lab'] as const;
export const stacks = ['generic', 'rocketchat', 'presence', 'wukongim', 'vernemq', 'voms'] as const;
export const roles = [
  'mongodb',
  'haproxy',
  'rocketchat',
  'presence',
  'wukongim',
  'vernemq',
  'voms',
  'postgresql',
  'redis',
  'nats',
  'caddy',
  'generic',
] as const;
export const authMethods = ['agent', 'key', 'password'] as const;

export type Environment = (typeof environments)[number];
export type Stack = (typeof stacks)[number];
export type Role = (typeof roles)[number];

export function isRole(name: string): name is Role {
  return (roles as readonly string[]).includes(name);
}

/** Which stack profile a role belongs to; used to propose `stacks` for imported clusters. */
const stackOfRole: Record<Role, Stack> = {
  mongodb: 'rocketchat',
  haproxy: 'rocketchat',
  rocketchat: 'rocketchat',
  presence: 'presence',
  wukongim: 'wukongim',
  vernemq: 'vernemq',
  voms: 'voms',
  postgresql: 'voms',
  redis: 'voms',
  nats: 'voms',
  caddy: 'voms',
  generic: 'generic',
};

/** `generic` plus the stacks the given roles imply, in the canonical order. */
export function inferStacks(hostRoles: Iterable<Role>): Stack[] {
  const found = new Set<Stack>(['generic']);
  for (const role of hostRoles) found.add(stackOfRole[role]);
  return stacks.filter((stack) => found.has(stack));
}

const NAME = /^[\p{L}\p{N}][\p{L}\p{N}._-]{0,63}$/u;
const NAME_RULE = '1-64 letters, digits, ".", "_" or "-", starting with a letter or digit';

export const nameSchema = z
  .string()
  .refine((name) => NAME.test(name), { error: (issue) => `${describeValue(String(issue.input))} is not a valid name (${NAME_RULE})` });

const plainText = (max: number) =>
  z
    .string()
    .max(max)
    .refine((text) => !hasControlChar(text), { error: 'must not contain control characters (e.g. newlines)' });

/** A file path on the admin's machine (a key, a known_hosts file); `~` is expanded when used. */
const localPath = plainText(4096).min(1, { error: 'a path is required' });

/** One argv element of a command run on a host (quoted with shellQuote when sent). */
const argvElement = plainText(1024).min(1, { error: 'an argument cannot be empty' });

export const secretRefSchema = z.strictObject(
  {
    secret: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,128}$/, { error: 'a secret id has 1-128 letters, digits, "_" or "-"' }),
  },
  {
    error: (issue) =>
      issue.code === 'invalid_type'
        ? 'secrets are never stored in the inventory: store the value in the secret store and reference it as { secret: ID }'
        : undefined,
  },
);
export type SecretRef = z.infer<typeof secretRefSchema>;

export const addressSchema = z.string().superRefine((value, ctx) => {
  const problem = addressProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

export const userSchema = z.string().superRefine((value, ctx) => {
  const problem = userProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const portSchema = z
  .number({ error: 'a port is a number' })
  .int({ error: 'a port is a whole number' })
  .min(1, { error: 'a port is between 1 and 65535' })
  .max(65535, { error: 'a port is between 1 and 65535' });

export const authSchema = z
  .strictObject({
    method: z.enum(authMethods),
    identityFile: localPath.optional(),
    password: secretRefSchema.optional(),
    passphrase: secretRefSchema.optional(),
  })
  .superRefine((auth, ctx) => {
    if (auth.method === 'key' && !auth.identityFile) {
      ctx.addIssue({ code: 'custom', path: ['identityFile'], message: 'key authentication needs an identityFile' });
    }
  });
export type HostAuth = z.infer<typeof authSchema>;

const UNIT = /^[A-Za-z0-9:_.\\@-]{1,256}$/;
const CONTAINER = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

const systemdService = z.strictObject({
  name: nameSchema,
  kind: z.literal('systemd'),
  unit: z.string().regex(UNIT, { error: 'not a valid systemd unit name' }).refine((u) => !u.startsWith('-'), {
    error: 'a unit name cannot start with "-"',
  }),
});
const dockerService = z.strictObject({
  name: nameSchema,
  kind: z.literal('docker'),
  container: z.string().regex(CONTAINER, { error: 'not a valid container name or id' }),
});
/** A service reached through a wrapper, e.g. `kubectl exec -n chat rc-0 --` run on a bastion. */
const wrappedService = z.strictObject({
  name: nameSchema,
  kind: z.literal('wrapped'),
  wrapper: z
    .array(argvElement)
    .min(1, { error: 'a wrapper needs at least a program name' })
    .refine((argv) => !argv[0]?.startsWith('-'), { error: 'a wrapper starts with a program name, not an option' }),
  /** A systemd unit inside the wrapped environment. */
  unit: z.string().regex(UNIT, { error: 'not a valid systemd unit name' }).optional(),
  /** The service's own control program inside it, as argv (e.g. ['vmq-admin'] or ['./wukongim', '--config', 'wk.yaml']). */
  command: z.array(argvElement).min(1).optional(),
});
export const serviceRunSchema = z.discriminatedUnion('kind', [systemdService, dockerService, wrappedService]);
export type ServiceRun = z.infer<typeof serviceRunSchema>;

const labelKey = z.string().regex(/^[\p{L}\p{N}][\p{L}\p{N}._/-]{0,62}$/u, { error: 'a label key has 1-63 letters, digits, ".", "_", "/" or "-"' });
const labelsSchema = z.record(labelKey, plainText(256));

export const hostSchema = z.strictObject({
  /** The host's name inside its cluster (what the UI shows); unique within the cluster. */
  name: nameSchema,
  address: addressSchema,
  port: portSchema.default(22),
  user: userSchema,
  roles: z.array(z.enum(roles)).default([]),
  auth: authSchema.default({ method: 'agent' }),
  /** ProxyJump chain, outermost first: each `[user@]host[:port]` or the name of another host of the cluster. */
  jump: z
    .array(plainText(300).min(1, { error: 'a jump host cannot be empty' }).refine((hop) => !/\s/.test(hop), { error: 'a jump host cannot contain spaces' }))
    .optional(),
  services: z.array(serviceRunSchema).optional(),
  labels: labelsSchema.optional(),
  knownHostsFile: localPath.optional(),
});
export type Host = z.infer<typeof hostSchema>;

const MONGO_URL = /^mongodb(\+srv)?:\/\/([^/?#]*)([/?#].*)?$/;

export const mongoSchema = z.strictObject({
  /** A connection string without credentials: the user goes in `username`, the password in the secret store. */
  url: plainText(2048)
    .superRefine((url, ctx) => {
      const match = MONGO_URL.exec(url);
      if (!match) ctx.addIssue({ code: 'custom', message: 'a MongoDB URL starts with mongodb:// or mongodb+srv://' });
      else if (match[2]?.includes('@')) {
        ctx.addIssue({
          code: 'custom',
          message: 'credentials are never stored in the URL: put the user in mongo.username and the password in the secret store (mongo.password)',
        });
      } else if (/\s/.test(url)) ctx.addIssue({ code: 'custom', message: 'a MongoDB URL cannot contain spaces' });
    })
    .optional(),
  username: plainText(256).min(1).optional(),
  password: secretRefSchema.optional(),
  /** Reach MongoDB through an SSH tunnel from this host of the cluster. */
  tunnelVia: nameSchema.optional(),
  /** MongoDB's address as seen from `tunnelVia` (default: taken from the URL). */
  remoteHost: addressSchema.optional(),
  remotePort: portSchema.optional(),
});
export type MongoSettings = z.infer<typeof mongoSchema>;

export const rocketchatSchema = z.strictObject({
  adminUser: plainText(256).min(1).optional(),
  adminUserId: plainText(256).min(1).optional(),
  authToken: secretRefSchema.optional(),
  password: secretRefSchema.optional(),
  siteUrl: z
    .url({ protocol: /^https?$/, error: 'a site URL starts with http:// or https://' })
    .refine((url) => !/^https?:\/\/[^/?#]*@/i.test(url), { error: 'credentials are never stored in the site URL' })
    .optional(),
});
export type RocketchatSettings = z.infer<typeof rocketchatSchema>;

export const clusterSchema = z
  .strictObject({
    name: nameSchema,
    environment: z.enum(environments),
    stacks: z.array(z.enum(stacks)).min(1, { error: 'a cluster runs at least one stack (use "generic" for plain hosts)' }),
    /** A lab cluster simulated by Switchboard; always shown with a "simulation" label. */
    simulated: z.boolean().optional(),
    hosts: z.array(hostSchema),
    mongo: mongoSchema.optional(),
    rocketchat: rocketchatSchema.optional(),
  })
  .superRefine((cluster, ctx) => {
    if (cluster.simulated && cluster.environment !== 'lab') {
      ctx.addIssue({ code: 'custom', path: ['simulated'], message: 'only a lab cluster can be simulated' });
    }
    const names = new Map<string, number>();
    cluster.hosts.forEach((host, index) => {
      const first = names.get(host.name);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['hosts', index, 'name'], message: `duplicate host name "${host.name}" (also hosts[${first}])` });
      } else names.set(host.name, index);
    });
    cluster.hosts.forEach((host, index) => {
      (host.jump ?? []).forEach((hop, hopIndex) => {
        if (hop === host.name) {
          ctx.addIssue({ code: 'custom', path: ['hosts', index, 'jump', hopIndex], message: 'a host cannot jump through itself' });
          return;
        }
        if (names.has(hop)) return;
        const parsed = parseJumpSpec(hop);
        if (!parsed.ok) {
          ctx.addIssue({
            code: 'custom',
            path: ['hosts', index, 'jump', hopIndex],
            message: `not a host of this cluster, and not [user@]host[:port]: ${parsed.problem}`,
          });
        }
      });
    });
    const cycle = findJumpCycle(cluster.hosts);
    if (cycle) {
      ctx.addIssue({ code: 'custom', path: ['hosts', cycle.index, 'jump'], message: `jump hosts form a loop: ${cycle.names.join(' -> ')}` });
    }
    if (cluster.mongo?.tunnelVia !== undefined && !names.has(cluster.mongo.tunnelVia)) {
      ctx.addIssue({ code: 'custom', path: ['mongo', 'tunnelVia'], message: `"${cluster.mongo.tunnelVia}" is not a host of this cluster` });
    }
  });
export type Cluster = z.infer<typeof clusterSchema>;
/** What the UI's cluster form edits: the schema's input, where defaults (port 22, agent auth) may be left out. */
export type ClusterForm = z.input<typeof clusterSchema>;
export type HostForm = z.input<typeof hostSchema>;

export const INVENTORY_VERSION = 1;

export const inventorySchema = z
  .strictObject({
    version: z.literal(INVENTORY_VERSION, { error: `unsupported inventory version (this Switchboard reads version ${INVENTORY_VERSION})` }),
    clusters: z.array(clusterSchema),
  })
  .superRefine((inventory, ctx) => {
    const seen = new Map<string, number>();
    inventory.clusters.forEach((cluster, index) => {
      const first = seen.get(cluster.name);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['clusters', index, 'name'], message: `duplicate cluster name "${cluster.name}" (also clusters[${first}])` });
      } else seen.set(cluster.name, index);
    });
  });
export type Inventory = z.infer<typeof inventorySchema>;

export function emptyInventory(): Inventory {
  return { version: INVENTORY_VERSION, clusters: [] };
}

/** Follows jump references between hosts of one cluster; returns the first loop found. */
function findJumpCycle(hosts: readonly Host[]): { index: number; names: string[] } | undefined {
  const byName = new Map(hosts.map((host, index) => [host.name, { host, index }]));
  const done = new Set<string>();
  const visit = (name: string, path: string[]): string[] | undefined => {
    if (path.includes(name)) return [...path.slice(path.indexOf(name)), name];
    if (done.has(name)) return undefined;
    const entry = byName.get(name);
    for (const hop of entry?.host.jump ?? []) {
      if (hop === name || !byName.has(hop)) continue;
      const loop = visit(hop, [...path, name]);
      if (loop) return loop;
    }
    done.add(name);
    return undefined;
  };
  for (const [name, { index }] of byName) {
    const loop = visit(name, []);
    if (loop) return { index, names: loop };
  }
  return undefined;
}

export function findCluster(inventory: Inventory, name: string): Cluster | undefined {
  return inventory.clusters.find((cluster) => cluster.name === name);
}

export function findHost(cluster: Cluster, name: string): Host | undefined {
  return cluster.hosts.find((host) => host.name === name);
}

/** Every secret id a cluster (or a whole inventory) refers to. */
export function collectSecretIds(clusters: readonly Cluster[]): Set<string> {
  const ids = new Set<string>();
  const add = (ref: SecretRef | undefined) => {
    if (ref) ids.add(ref.secret);
  };
  for (const cluster of clusters) {
    add(cluster.mongo?.password);
    add(cluster.rocketchat?.authToken);
    add(cluster.rocketchat?.password);
    for (const host of cluster.hosts) {
      add(host.auth.password);
      add(host.auth.passphrase);
    }
  }
  return ids;
}

/** A cluster as the clusters list shows it. */
export const clusterSummarySchema = z.object({
  name: z.string(),
  environment: z.enum(environments),
  stacks: z.array(z.enum(stacks)),
  simulated: z.boolean(),
  hostCount: z.number().int(),
});
export type ClusterSummary = z.infer<typeof clusterSummarySchema>;

export function summarizeCluster(cluster: Cluster): ClusterSummary {
  return {
    name: cluster.name,
    environment: cluster.environment,
    stacks: cluster.stacks,
    simulated: cluster.simulated === true,
    hostCount: cluster.hosts.length,
  };
}
