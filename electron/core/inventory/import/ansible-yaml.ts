import { AppError } from '../../../../shared/contract/errors';
import { parseYamlText } from '../inventory-yaml';
import { AnsibleModelBuilder, expandHostPattern, splitHostPort, type AnsibleModel, type Vars } from './ansible-model';

const GROUP_KEYS = new Set(['hosts', 'vars', 'children']);

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True when parsed YAML has the shape of an Ansible YAML inventory (`all: {hosts, children, vars}`). */
export function looksLikeAnsibleYaml(data: unknown): boolean {
  if (!isMapping(data)) return false;
  const groups = Object.values(data);
  return (
    groups.length > 0 &&
    groups.every((group) => group === null || (isMapping(group) && Object.keys(group).every((key) => GROUP_KEYS.has(key)))) &&
    groups.some((group) => isMapping(group) && ('hosts' in group || 'children' in group))
  );
}

/**
 * Ansible's YAML inventory (plugins/inventory/yaml.py): top-level keys are groups
 * (usually just `all`), each with optional `hosts` (pattern -> variables), `vars` and
 * `children` (nested groups of the same shape). Parsed with the `yaml` package.
 */
export function parseAnsibleYaml(text: string): AnsibleModel {
  const data = parseYamlText(text, 'Ansible inventory');
  if (!isMapping(data)) throw new AppError('INVALID_INPUT', 'An Ansible YAML inventory is a mapping of groups (e.g. "all:")');
  const builder = new AnsibleModelBuilder();
  const fail = (path: string, why: string): never => {
    throw new AppError('INVALID_INPUT', `Ansible inventory ${path}: ${why}`);
  };

  const walk = (name: string, definition: unknown, path: string) => {
    builder.group(name);
    if (definition === null || definition === undefined) return;
    if (!isMapping(definition)) fail(path, 'a group is a mapping with hosts, vars and children');
    const group = definition as Record<string, unknown>;
    for (const key of Object.keys(group)) if (!GROUP_KEYS.has(key)) fail(`${path}.${key}`, 'unexpected key (expected hosts, vars or children)');
    if (group.vars !== undefined && group.vars !== null) {
      if (!isMapping(group.vars)) fail(`${path}.vars`, 'vars is a mapping');
      builder.addGroupVars(name, group.vars as Vars);
    }
    if (group.hosts !== undefined && group.hosts !== null) {
      if (!isMapping(group.hosts)) fail(`${path}.hosts`, 'hosts is a mapping of host names (to their variables or nothing)');
      for (const [pattern, vars] of Object.entries(group.hosts as Record<string, unknown>)) {
        if (vars !== null && !isMapping(vars)) fail(`${path}.hosts.${pattern}`, 'host variables are a mapping');
        const { host, port } = splitHostPort(pattern);
        const hostVars: Vars = { ...(vars as Vars | null) };
        if (port !== undefined) hostVars.ansible_port ??= port;
        for (const expanded of expandHostPattern(host)) builder.addHost(name, expanded, hostVars);
      }
    }
    if (group.children !== undefined && group.children !== null) {
      if (!isMapping(group.children)) fail(`${path}.children`, 'children is a mapping of groups');
      for (const [child, childDefinition] of Object.entries(group.children as Record<string, unknown>)) {
        builder.addChild(name, child);
        walk(child, childDefinition, `${path}.children.${child}`);
      }
    }
  };

  for (const [name, definition] of Object.entries(data)) {
    if (name !== 'all') builder.addChild('all', name);
    walk(name, definition, name);
  }
  return builder.model;
}
