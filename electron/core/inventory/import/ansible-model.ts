import { AppError } from '../../../../shared/contract/errors';

/**
 * What both Ansible inventory dialects (INI and YAML) describe: groups with hosts,
 * variables and child groups, plus variables per host. The two parsers fill this
 * model; `ansible.ts` turns it into a cluster.
 */
export type Vars = Record<string, unknown>;

export interface AnsibleGroup {
  name: string;
  hosts: string[];
  vars: Vars;
  children: string[];
}

export interface AnsibleModel {
  groups: Map<string, AnsibleGroup>;
  /** Host variables, merged over every line that mentions the host (the last value wins). */
  hostVars: Map<string, Vars>;
}

export class AnsibleModelBuilder {
  readonly model: AnsibleModel = { groups: new Map(), hostVars: new Map() };

  constructor() {
    this.group('all');
    this.group('ungrouped');
  }

  group(name: string): AnsibleGroup {
    let group = this.model.groups.get(name);
    if (!group) {
      group = { name, hosts: [], vars: {}, children: [] };
      this.model.groups.set(name, group);
    }
    return group;
  }

  addHost(groupName: string, host: string, vars: Vars): void {
    const group = this.group(groupName);
    if (!group.hosts.includes(host)) group.hosts.push(host);
    this.model.hostVars.set(host, { ...this.model.hostVars.get(host), ...vars });
  }

  addChild(parentName: string, childName: string): void {
    this.group(childName);
    const parent = this.group(parentName);
    if (!parent.children.includes(childName)) parent.children.push(childName);
  }

  addGroupVars(groupName: string, vars: Vars): void {
    Object.assign(this.group(groupName).vars, vars);
  }
}

const MAX_EXPANDED_HOSTS = 10_000;

/**
 * Expands Ansible's host ranges as its `expand_hostname_range` does: `web[01:03]`
 * (zero padding kept), `db-[a:c]`, strides `[0:10:5]`, several ranges in one name.
 */
export function expandHostPattern(pattern: string): string[] {
  const out = expandInto(pattern);
  if (out.length > MAX_EXPANDED_HOSTS) {
    throw new AppError('INVALID_INPUT', `Host range ${pattern} expands to more than ${MAX_EXPANDED_HOSTS} hosts`);
  }
  return out;
}

function expandInto(pattern: string): string[] {
  const match = /^(.*?)\[([^\]:]*):([^\]:]+)(?::([^\]:]+))?\](.*)$/.exec(pattern);
  if (!match) return [pattern];
  const [, head = '', rawStart = '', end = '', rawStep, tail = ''] = match;
  const start = rawStart === '' ? '0' : rawStart;
  const bad = (why: string) => new AppError('INVALID_INPUT', `Host range ${pattern}: ${why}`);
  const step = rawStep === undefined ? 1 : Number(rawStep);
  if (!Number.isInteger(step) || step < 1) throw bad('the step must be a positive whole number');

  const values: string[] = [];
  if (/^\d+$/.test(start) && /^\d+$/.test(end)) {
    const width = start.length > 1 && start.startsWith('0') ? start.length : 0;
    if (width > 0 && width !== end.length) throw bad('begin and end must have the same number of digits');
    const from = Number(start);
    const to = Number(end);
    if (from > to) throw bad('the range runs backwards');
    if ((to - from) / step >= MAX_EXPANDED_HOSTS) throw bad(`more than ${MAX_EXPANDED_HOSTS} hosts`);
    for (let n = from; n <= to; n += step) values.push(String(n).padStart(width, '0'));
  } else if (/^[a-zA-Z]$/.test(start) && /^[a-zA-Z]$/.test(end)) {
    const from = start.charCodeAt(0);
    const to = end.charCodeAt(0);
    if (from > to) throw bad('the range runs backwards');
    for (let code = from; code <= to; code += step) values.push(String.fromCharCode(code));
  } else {
    throw bad('a range is [start:end] of numbers or of single letters');
  }

  const out: string[] = [];
  for (const value of values) {
    for (const name of expandInto(`${head}${value}${tail}`)) {
      out.push(name);
      if (out.length > MAX_EXPANDED_HOSTS) return out;
    }
  }
  return out;
}

/**
 * `host:port` as Ansible writes it in inventories (`[v6]:port` too). A colon inside a
 * range (`web[1:3]`) or in a bare IPv6 address is not a port separator.
 */
export function splitHostPort(pattern: string): { host: string; port?: number } {
  const bracketed = /^\[([0-9A-Fa-f:.]+)\]:(\d{1,5})$/.exec(pattern);
  if (bracketed) return { host: bracketed[1] ?? '', port: Number(bracketed[2]) };
  const match = /^(.*):(\d{1,5})$/.exec(pattern);
  if (!match) return { host: pattern };
  const host = match[1] ?? '';
  const outsideRanges = host.replace(/\[[^\]]*\]/g, '');
  if (outsideRanges.includes(':')) return { host: pattern };
  return { host, port: Number(match[2]) };
}
