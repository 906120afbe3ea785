import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { parse } from 'yaml';
import { AppError } from '../../../../shared/contract/errors';
import type { InventoryFormat } from '../../../../shared/inventory/import-proposal';
import { INVENTORY_VERSION, type Inventory } from '../../../../shared/inventory/schema';
import { parseInventory } from '../inventory-yaml';
import { importAnsibleFile } from './ansible';
import { looksLikeAnsibleYaml } from './ansible-yaml';
import type { ImportOptions } from './proposal';
import { importSshConfig } from './ssh-config';

// ssh_config(5) keywords seen in real client configs; enough to recognise one.
const SSH_KEYWORDS = new Set(
  [
    'host', 'match', 'include', 'hostname', 'user', 'port', 'identityfile', 'identitiesonly', 'identityagent',
    'proxyjump', 'proxycommand', 'forwardagent', 'forwardx11', 'serveraliveinterval', 'serveralivecountmax',
    'stricthostkeychecking', 'userknownhostsfile', 'globalknownhostsfile', 'loglevel', 'compression',
    'controlmaster', 'controlpath', 'controlpersist', 'addkeystoagent', 'usekeychain', 'localforward',
    'remoteforward', 'dynamicforward', 'ciphers', 'macs', 'kexalgorithms', 'hostkeyalgorithms',
    'pubkeyacceptedkeytypes', 'pubkeyacceptedalgorithms', 'preferredauthentications', 'passwordauthentication',
    'pubkeyauthentication', 'connecttimeout', 'connectionattempts', 'batchmode', 'sendenv', 'setenv',
    'requesttty', 'remotecommand', 'certificatefile', 'hashknownhosts', 'checkhostip', 'addressfamily',
    'bindaddress', 'canonicalizehostname', 'canonicaldomains', 'tcpkeepalive', 'updatehostkeys', 'visualhostkey',
    'gssapiauthentication', 'kbdinteractiveauthentication', 'loglevel', 'exitonforwardfailure', 'ipqos',
  ],
);

function significantLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#') && !line.startsWith(';'));
}

function tryYaml(text: string): unknown {
  try {
    return parse(text, { logLevel: 'silent' });
  } catch {
    return undefined;
  }
}

/**
 * Which kind of inventory a file holds, decided by content, not by name: an admin can
 * point `--inventory` at `~/.ssh/config`, `/etc/ansible/hosts`, an `inventory.yml`
 * or a Switchboard inventory.
 */
export function detectInventoryFormat(text: string): InventoryFormat {
  const lines = significantLines(text);
  if (lines.length === 0) throw new AppError('INVALID_INPUT', 'The inventory file is empty');

  const keyword = (line: string) => /^([A-Za-z]+)(?:\s*=\s*|\s+)\S/.exec(line)?.[1]?.toLowerCase();
  const sshLines = lines.filter((line) => SSH_KEYWORDS.has(keyword(line) ?? '')).length;
  const sshSections = lines.filter((line) => /^(host|match|include)$/.test(keyword(line) ?? '')).length;
  if (sshSections > 0 && sshLines === lines.length) return 'ssh-config';

  const data = tryYaml(text);
  if (typeof data === 'object' && data !== null && !Array.isArray(data)) {
    if ('clusters' in data) return 'switchboard';
    if (looksLikeAnsibleYaml(data)) return 'ansible-yaml';
  }

  const iniHeaders = lines.filter((line) => /^\[[^\]\s]+\]\s*(?:[#;].*)?$/.test(line)).length;
  const hostLines = lines.filter((line) => /^[^\s=#;]+(?:\s+[A-Za-z_][A-Za-z0-9_]*=\S*)*\s*$/.test(line)).length;
  if (iniHeaders > 0 || hostLines === lines.length) return 'ansible-ini';

  if (sshSections > 0 && sshLines >= lines.length * 0.8) return 'ssh-config';
  throw new AppError(
    'INVALID_INPUT',
    'Not a recognised inventory: expected a Switchboard inventory, an Ansible INI or YAML inventory, or an OpenSSH client config',
  );
}

export interface LoadedInventory {
  format: InventoryFormat;
  inventory: Inventory;
  warnings: string[];
}

/**
 * Any supported file -> a Switchboard inventory, for the CLI's `--inventory`. A foreign
 * format becomes one cluster named after the file (or `options.clusterName`).
 */
export async function loadInventoryFile(path: string, options: ImportOptions = {}): Promise<LoadedInventory> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new AppError('NOT_FOUND', `Cannot read inventory ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const format = detectInventoryFormat(text);
  if (format === 'switchboard') return { format, inventory: parseInventory(text, path), warnings: [] };
  const proposal =
    format === 'ssh-config'
      ? await importSshConfig(text, { clusterName: 'ssh-config', ...options })
      : await importAnsibleFile(path, text, format, { clusterName: basename(path, extname(path)), ...options });
  return { format, inventory: { version: INVENTORY_VERSION, clusters: [proposal.cluster] }, warnings: proposal.warnings };
}
