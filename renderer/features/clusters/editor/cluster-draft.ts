import type {
  Cluster,
  ClusterForm,
  Environment,
  HostAuth,
  HostForm,
  Role,
  SecretRef,
  Stack,
} from '../../../../shared/inventory/schema';

/**
 * What the cluster editor edits: every input as the admin typed it (ports and jump
 * lists as text), turned into the schema's `ClusterForm` only on save. Fields the
 * editor does not show (services, labels, ...) ride along in `original` untouched.
 */

/** A password or token: the reference already in the secret store, and what the admin typed to replace it. */
export interface SecretDraft {
  stored: SecretRef | undefined;
  typed: string;
}

export type AuthMethod = HostAuth['method'];

export interface HostDraft {
  /** Stable React key; not saved. */
  key: string;
  original: HostForm | undefined;
  name: string;
  address: string;
  port: string;
  user: string;
  roles: Role[];
  authMethod: AuthMethod;
  identityFile: string;
  password: SecretDraft;
  /** ProxyJump chain as typed: comma-separated, outermost first. */
  jump: string;
}

export interface MongoDraft {
  url: string;
  username: string;
  password: SecretDraft;
  tunnelVia: string;
}

export interface RocketchatDraft {
  adminUser: string;
  adminUserId: string;
  authToken: SecretDraft;
  siteUrl: string;
}

export interface ClusterDraft {
  original: ClusterForm | undefined;
  name: string;
  environment: Environment;
  stacks: Stack[];
  hosts: HostDraft[];
  mongo: MongoDraft;
  rocketchat: RocketchatDraft;
}

let nextHostKey = 1;
const hostKey = () => `host-${nextHostKey++}`;

const noSecret = (): SecretDraft => ({ stored: undefined, typed: '' });
const secretFrom = (stored: SecretRef | undefined): SecretDraft => ({ stored, typed: '' });

export function newHostDraft(): HostDraft {
  return {
    key: hostKey(),
    original: undefined,
    name: '',
    address: '',
    port: '22',
    user: '',
    roles: [],
    authMethod: 'agent',
    identityFile: '',
    password: noSecret(),
    jump: '',
  };
}

export function newClusterDraft(): ClusterDraft {
  return {
    original: undefined,
    name: '',
    environment: 'staging',
    stacks: ['generic'],
    hosts: [newHostDraft()],
    mongo: { url: '', username: '', password: noSecret(), tunnelVia: '' },
    rocketchat: { adminUser: '', adminUserId: '', authToken: noSecret(), siteUrl: '' },
  };
}

function hostDraftFrom(host: Cluster['hosts'][number]): HostDraft {
  return {
    key: hostKey(),
    original: host,
    name: host.name,
    address: host.address,
    port: String(host.port),
    user: host.user,
    roles: [...host.roles],
    authMethod: host.auth.method,
    identityFile: host.auth.identityFile ?? '',
    password: secretFrom(host.auth.password),
    jump: (host.jump ?? []).join(', '),
  };
}

export function draftFromCluster(cluster: Cluster): ClusterDraft {
  return {
    original: cluster,
    name: cluster.name,
    environment: cluster.environment,
    stacks: [...cluster.stacks],
    hosts: cluster.hosts.map(hostDraftFrom),
    mongo: {
      url: cluster.mongo?.url ?? '',
      username: cluster.mongo?.username ?? '',
      password: secretFrom(cluster.mongo?.password),
      tunnelVia: cluster.mongo?.tunnelVia ?? '',
    },
    rocketchat: {
      adminUser: cluster.rocketchat?.adminUser ?? '',
      adminUserId: cluster.rocketchat?.adminUserId ?? '',
      authToken: secretFrom(cluster.rocketchat?.authToken),
      siteUrl: cluster.rocketchat?.siteUrl ?? '',
    },
  };
}

/** Stands in for a typed secret while validating, before it has been stored. */
const PENDING_SECRET: SecretRef = { secret: 'pending-secret' };

type SecretResolver = (secret: SecretDraft) => SecretRef | undefined;

/** Validation view: a typed secret counts as present. */
const assumeStored: SecretResolver = (secret) => (secret.typed ? PENDING_SECRET : secret.stored);
/** Save view: only what is in the secret store counts. */
const storedOnly: SecretResolver = (secret) => secret.stored;

const optionalText = (text: string) => (text.trim() === '' ? undefined : text.trim());

/** Sets a key only when there is a value, so an untouched optional field stays absent from the file. */
function withOptional<T extends object>(target: T, values: Record<string, unknown>): T {
  const out: Record<string, unknown> = { ...(target as Record<string, unknown>) };
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) delete out[key];
    else out[key] = value;
  }
  return out as T;
}

function parsePort(text: string): number | undefined {
  const trimmed = text.trim();
  // Not a number stays NaN, so the schema reports "a port is a number" next to the field.
  return trimmed === '' ? undefined : /^\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
}

export function splitJumpList(text: string): string[] {
  return text
    .split(',')
    .map((hop) => hop.trim())
    .filter((hop) => hop !== '');
}

function hostFromDraft(draft: HostDraft, secret: SecretResolver): HostForm {
  const originalAuth = draft.original?.auth;
  const sameMethod = originalAuth?.method === draft.authMethod;
  const auth: HostAuth = withOptional<HostAuth>(
    { method: draft.authMethod },
    {
      identityFile: draft.authMethod === 'key' ? optionalText(draft.identityFile) : undefined,
      passphrase: draft.authMethod === 'key' && sameMethod ? originalAuth?.passphrase : undefined,
      password: draft.authMethod === 'password' ? secret(draft.password) : undefined,
    },
  );
  const jump = splitJumpList(draft.jump);
  return withOptional<HostForm>(
    { ...draft.original, name: draft.name.trim(), address: draft.address.trim(), user: draft.user.trim(), roles: draft.roles, auth },
    { port: parsePort(draft.port), jump: jump.length > 0 ? jump : undefined },
  );
}

function mongoFromDraft(draft: MongoDraft, original: ClusterForm['mongo'], secret: SecretResolver): ClusterForm['mongo'] {
  const mongo = withOptional({ ...original }, {
    url: optionalText(draft.url),
    username: optionalText(draft.username),
    password: secret(draft.password),
    tunnelVia: optionalText(draft.tunnelVia),
  });
  return Object.keys(mongo).length > 0 ? mongo : undefined;
}

function rocketchatFromDraft(
  draft: RocketchatDraft,
  original: ClusterForm['rocketchat'],
  secret: SecretResolver,
): ClusterForm['rocketchat'] {
  const rocketchat = withOptional({ ...original }, {
    adminUser: optionalText(draft.adminUser),
    adminUserId: optionalText(draft.adminUserId),
    authToken: secret(draft.authToken),
    siteUrl: optionalText(draft.siteUrl),
  });
  return Object.keys(rocketchat).length > 0 ? rocketchat : undefined;
}

function buildCluster(draft: ClusterDraft, secret: SecretResolver): ClusterForm {
  return withOptional<ClusterForm>(
    { ...draft.original, name: draft.name.trim(), environment: draft.environment, stacks: draft.stacks, hosts: draft.hosts.map((h) => hostFromDraft(h, secret)) },
    {
      mongo: mongoFromDraft(draft.mongo, draft.original?.mongo, secret),
      rocketchat: rocketchatFromDraft(draft.rocketchat, draft.original?.rocketchat, secret),
      // Only a lab cluster may be simulated: moving one out of the lab makes it a real cluster.
      simulated: draft.environment === 'lab' ? draft.original?.simulated : undefined,
    },
  );
}

/** The cluster as it will be saved, with typed secrets standing in as references (for validation). */
export function clusterForValidation(draft: ClusterDraft): ClusterForm {
  return buildCluster(draft, assumeStored);
}

/** The cluster to save; call after `storeTypedSecrets`, so no typed secret is left. */
export function clusterToSave(draft: ClusterDraft): ClusterForm {
  return buildCluster(draft, storedOnly);
}

/** Typed secrets that the saved cluster will use (a host's password only with password auth). */
function secretsInUse(draft: ClusterDraft): SecretDraft[] {
  return [
    ...draft.hosts.filter((host) => host.authMethod === 'password').map((host) => host.password),
    draft.mongo.password,
    draft.rocketchat.authToken,
  ];
}

export function hasTypedSecrets(draft: ClusterDraft): boolean {
  return secretsInUse(draft).some((secret) => secret.typed !== '');
}

/**
 * Sends every typed secret in use to the secret store and returns the draft holding
 * only the references, so the plain values are dropped as soon as they are stored.
 */
export async function storeTypedSecrets(draft: ClusterDraft, store: (value: string) => Promise<SecretRef>): Promise<ClusterDraft> {
  const inUse = new Set(secretsInUse(draft));
  const settle = async (secret: SecretDraft): Promise<SecretDraft> =>
    inUse.has(secret) && secret.typed !== '' ? { stored: await store(secret.typed), typed: '' } : secret;
  const hosts: HostDraft[] = [];
  for (const host of draft.hosts) hosts.push({ ...host, password: await settle(host.password) });
  return {
    ...draft,
    hosts,
    mongo: { ...draft.mongo, password: await settle(draft.mongo.password) },
    rocketchat: { ...draft.rocketchat, authToken: await settle(draft.rocketchat.authToken) },
  };
}
