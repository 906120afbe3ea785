import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { AppError } from '../../../../shared/contract/errors';
import { addressProblem, parseJumpSpec, userProblem } from '../../../../shared/inventory/address';
import type { ImportProposal } from '../../../../shared/inventory/import-proposal';
import { inferStacks, isRole, type HostForm } from '../../../../shared/inventory/schema';
import { parseYamlText } from '../inventory-yaml';
import { parseAnsibleIni } from './ansible-ini';
import type { AnsibleModel, Vars } from './ansible-model';
import { parseAnsibleYaml } from './ansible-yaml';
import {
  claimName,
  expandHome,
  finishProposal,
  resolveImportOptions,
  toName,
  withoutDanglingJumps,
  type ImportOptions,
  type ResolvedImportOptions,
} from './proposal';
import { jumpFromSshArgs } from './ssh-args';

/** Variables from `group_vars/` and `host_vars/` beside the inventory file. */
export interface VarsFiles {
  groups: Map<string, Vars>;
  hosts: Map<string, Vars>;
}

const SSH_CONNECTIONS = new Set(['ssh', 'smart', 'paramiko', 'paramiko_ssh', 'ansible.builtin.ssh', 'ansible.builtin.paramiko_ssh']);
/** The variables the importer reads; a Jinja template in one of them cannot be carried over. */
const CONNECTION_VARS = [
  'ansible_connection',
  'ansible_host',
  'ansible_ssh_host',
  'ansible_user',
  'ansible_ssh_user',
  'ansible_port',
  'ansible_ssh_port',
  'ansible_ssh_private_key_file',
  'ansible_private_key_file',
  'ansible_ssh_common_args',
  'ansible_ssh_extra_args',
];
const SECRET_VARS = [
  'ansible_password',
  'ansible_ssh_pass',
  'ansible_ssh_password',
  'ansible_become_password',
  'ansible_become_pass',
  'ansible_ssh_private_key_passphrase',
];

/** Groups from the most general to the most specific, as Ansible merges their variables. */
function groupDepths(model: AnsibleModel): Map<string, number> {
  const parents = new Map<string, string[]>();
  for (const group of model.groups.values()) {
    for (const child of group.children) parents.set(child, [...(parents.get(child) ?? []), group.name]);
  }
  const depths = new Map<string, number>([['all', 0]]);
  const depthOf = (name: string, visiting: Set<string>): number => {
    const known = depths.get(name);
    if (known !== undefined) return known;
    if (visiting.has(name)) throw new AppError('INVALID_INPUT', `Ansible group "${name}" is its own ancestor`);
    visiting.add(name);
    const own = parents.get(name)?.filter((parent) => parent !== name) ?? [];
    const depth = 1 + Math.max(0, ...own.map((parent) => depthOf(parent, visiting)));
    visiting.delete(name);
    depths.set(name, depth);
    return depth;
  };
  for (const name of model.groups.keys()) depthOf(name, new Set());
  return depths;
}

/** Every group a host belongs to, directly or through `children`, `all` included. */
function groupsOfHosts(model: AnsibleModel): Map<string, Set<string>> {
  const members = new Map<string, Set<string>>();
  const collect = (groupName: string, ancestors: string[]) => {
    const group = model.groups.get(groupName);
    if (!group || ancestors.includes(groupName)) return;
    const line = [...ancestors, groupName];
    for (const host of group.hosts) {
      const groups = members.get(host) ?? new Set(['all']);
      line.forEach((name) => groups.add(name));
      members.set(host, groups);
    }
    for (const child of group.children) collect(child, line);
  };
  for (const name of model.groups.keys()) collect(name, []);
  // `ungrouped` holds exactly the hosts that are in no other group.
  for (const groups of members.values()) {
    if ([...groups].every((group) => group === 'all' || group === 'ungrouped')) groups.add('ungrouped');
    else groups.delete('ungrouped');
  }
  return members;
}

function priority(vars: Vars | undefined): number {
  const value = Number(vars?.ansible_group_priority ?? 1);
  return Number.isFinite(value) ? value : 1;
}

/**
 * The Ansible model -> a cluster proposal. Variables are merged in Ansible's order:
 * inventory group vars (parents before children; same depth by priority then name),
 * then group_vars/ files, then inventory host vars, then host_vars/ files. Groups
 * named like a Switchboard role become roles; other groups become labels.
 */
export function ansibleModelToProposal(
  model: AnsibleModel,
  format: 'ansible-ini' | 'ansible-yaml',
  settings: ResolvedImportOptions,
  files: VarsFiles = { groups: new Map(), hosts: new Map() },
  warnings: string[] = [],
): ImportProposal {
  const depths = groupDepths(model);
  const membership = groupsOfHosts(model);
  const hostsInOrder = [...model.hostVars.keys()];
  const taken = new Set<string>();
  const nameOf = new Map(hostsInOrder.map((host) => [host, claimName(toName(host), taken)]));

  const hosts: HostForm[] = [];
  for (const inventoryName of hostsInOrder) {
    const name = nameOf.get(inventoryName) ?? inventoryName;
    const skip = (why: string) => warnings.push(`Host ${JSON.stringify(inventoryName)} skipped: ${why}`);
    const groups = [...(membership.get(inventoryName) ?? new Set(['all']))].sort(
      (a, b) =>
        (depths.get(a) ?? 0) - (depths.get(b) ?? 0) ||
        priority(model.groups.get(a)?.vars) - priority(model.groups.get(b)?.vars) ||
        a.localeCompare(b),
    );
    const vars: Vars = Object.assign(
      {},
      ...groups.map((group) => model.groups.get(group)?.vars),
      ...groups.map((group) => files.groups.get(group)),
      model.hostVars.get(inventoryName),
      files.hosts.get(inventoryName),
    );

    const templated = CONNECTION_VARS.find((key) => typeof vars[key] === 'string' && (vars[key] as string).includes('{{'));
    if (templated) {
      skip(`${templated} is a Jinja template, which Switchboard does not evaluate`);
      continue;
    }
    const text = (...keys: string[]): string | undefined => {
      const value = keys.map((key) => vars[key]).find((v) => typeof v === 'string' || typeof v === 'number');
      return value === undefined ? undefined : String(value);
    };

    const connection = text('ansible_connection');
    if (connection !== undefined && !SSH_CONNECTIONS.has(connection)) {
      skip(`ansible_connection=${connection} is not SSH`);
      continue;
    }
    const address = text('ansible_host', 'ansible_ssh_host') ?? inventoryName;
    const addressIssue = addressProblem(address);
    if (addressIssue) {
      skip(addressIssue);
      continue;
    }
    const user = text('ansible_user', 'ansible_ssh_user') ?? settings.localUser;
    const userIssue = userProblem(user);
    if (userIssue) {
      skip(userIssue);
      continue;
    }
    const portText = text('ansible_port', 'ansible_ssh_port') ?? '22';
    const port = /^\d+$/.test(portText) ? Number(portText) : NaN;
    if (!(port >= 1 && port <= 65535)) {
      skip(`invalid ansible_port ${JSON.stringify(portText)}`);
      continue;
    }

    const roles = groups.filter(isRole);
    const labelGroups = groups.filter((group) => group !== 'all' && group !== 'ungrouped' && !isRole(group));
    const host: HostForm = { name, address, port, user, roles: roles.length > 0 ? roles : ['generic'], auth: { method: 'agent' } };
    if (labelGroups.length > 0) host.labels = Object.fromEntries(labelGroups.map((group) => [toName(group, 'group'), 'true']));

    const keyFile = text('ansible_ssh_private_key_file', 'ansible_private_key_file');
    if (keyFile !== undefined) host.auth = { method: 'key', identityFile: expandHome(keyFile, settings.home) };
    const secrets = SECRET_VARS.filter((key) => vars[key] !== undefined);
    if (secrets.length > 0) {
      warnings.push(`Host ${inventoryName}: ${secrets.join(', ')} not imported; enter it in Switchboard so it is stored encrypted`);
    }

    const args = [text('ansible_ssh_common_args'), text('ansible_ssh_extra_args')].filter((arg) => arg !== undefined);
    const jump = args.map((arg) => jumpFromSshArgs(arg)).find((result) => result !== undefined);
    if (jump && !jump.ok) {
      skip(jump.problem);
      continue;
    }
    if (jump) {
      warnings.push(...jump.notes.map((note) => `Host ${inventoryName}: ${note}`));
      const hops = jump.jump.map((hop) => nameOf.get(hop) ?? hop);
      const bad = hops.map((hop) => (taken.has(hop) ? undefined : parseJumpSpec(hop))).find((parsed) => parsed && !parsed.ok);
      if (bad && !bad.ok) {
        skip(bad.problem);
        continue;
      }
      if (hops.includes(name)) {
        warnings.push(`Host ${inventoryName}: a jump through itself (from group variables) was dropped`);
      }
      const own = hops.filter((hop) => hop !== name);
      if (own.length > 0) host.jump = own;
    }
    hosts.push(host);
  }
  if (hostsInOrder.length === 0) warnings.push('The inventory lists no hosts');

  const kept = withoutDanglingJumps(hosts, taken, warnings);
  return finishProposal(
    format,
    {
      name: toName(settings.clusterName, 'ansible'),
      environment: settings.environment,
      stacks: inferStacks(kept.flatMap((host) => host.roles ?? [])),
      hosts: kept,
    },
    warnings,
  );
}

export function parseAnsible(text: string, format: 'ansible-ini' | 'ansible-yaml'): AnsibleModel {
  return format === 'ansible-ini' ? parseAnsibleIni(text) : parseAnsibleYaml(text);
}

/** Imports Ansible inventory text (no group_vars/host_vars: there is no directory to look in). */
export function importAnsible(text: string, format: 'ansible-ini' | 'ansible-yaml', options: ImportOptions = {}): ImportProposal {
  return ansibleModelToProposal(parseAnsible(text, format), format, resolveImportOptions(options, 'ansible'));
}

/** Imports an Ansible inventory file together with the group_vars/ and host_vars/ beside it. */
export async function importAnsibleFile(
  path: string,
  text: string,
  format: 'ansible-ini' | 'ansible-yaml',
  options: ImportOptions = {},
): Promise<ImportProposal> {
  const model = parseAnsible(text, format);
  const warnings: string[] = [];
  const dir = dirname(path);
  const files: VarsFiles = { groups: new Map(), hosts: new Map() };
  for (const group of model.groups.keys()) {
    const vars = await readVarsEntry(join(dir, 'group_vars', group), warnings);
    if (vars) files.groups.set(group, vars);
  }
  for (const host of model.hostVars.keys()) {
    const vars = await readVarsEntry(join(dir, 'host_vars', host), warnings);
    if (vars) files.hosts.set(host, vars);
  }
  const defaultName = basename(path, extname(path));
  return ansibleModelToProposal(model, format, resolveImportOptions(options, defaultName), files, warnings);
}

const VARS_EXTENSIONS = ['', '.yml', '.yaml', '.json'];

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (info) => info.isDirectory(),
    () => false,
  );
}

/** Ansible's host_group_vars plugin: `NAME`, `NAME.yml|.yaml|.json`, or every such file under the directory `NAME/`. */
async function readVarsEntry(base: string, warnings: string[]): Promise<Vars | undefined> {
  const paths: string[] = [];
  if (await isDirectory(base)) {
    const walk = async (dir: string) => {
      for (const entry of (await readdir(dir)).sort()) {
        if (entry.startsWith('.')) continue;
        const full = join(dir, entry);
        if (await isDirectory(full)) await walk(full);
        else if (VARS_EXTENSIONS.includes(extname(entry))) paths.push(full);
      }
    };
    await walk(base);
  } else {
    for (const extension of VARS_EXTENSIONS) {
      const candidate = `${base}${extension}`;
      if (await stat(candidate).then((info) => info.isFile(), () => false)) paths.push(candidate);
    }
  }
  if (paths.length === 0) return undefined;
  const merged: Vars = {};
  for (const path of paths) {
    const text = await readFile(path, 'utf8');
    if (text.startsWith('$ANSIBLE_VAULT')) {
      warnings.push(`${path} is encrypted with ansible-vault and was not read`);
      continue;
    }
    const data = parseYamlText(text, path);
    if (data === null || data === undefined) continue;
    if (typeof data !== 'object' || Array.isArray(data)) {
      warnings.push(`${path} is not a mapping of variables and was not read`);
      continue;
    }
    Object.assign(merged, data);
  }
  return merged;
}
