import type { HostState } from '../../../../shared/contract/inspect';
import { isRole, type Role } from '../../../../shared/inventory/schema';

/** The overview's groups, in the order a staged restart walks them. */
export const roleCategories = ['dataStores', 'loadBalancer', 'appNodes', 'sideServices', 'other'] as const;
export type RoleCategory = (typeof roleCategories)[number];

const categoryOfRole: Record<Role, RoleCategory> = {
  mongodb: 'dataStores',
  postgresql: 'dataStores',
  redis: 'dataStores',
  nats: 'dataStores',
  haproxy: 'loadBalancer',
  caddy: 'loadBalancer',
  rocketchat: 'appNodes',
  wukongim: 'appNodes',
  vernemq: 'appNodes',
  voms: 'appNodes',
  presence: 'sideServices',
  generic: 'other',
};

/** A host with several roles sits in the first group any of its roles belongs to (data stores first). */
export function categoryOf(roles: readonly string[]): RoleCategory {
  const categories = new Set(roles.filter(isRole).map((role) => categoryOfRole[role]));
  return roleCategories.find((category) => categories.has(category)) ?? 'other';
}

/**
 * Every whitespace-separated word of the query must match the host's name, address,
 * one of its roles or its status (`ok`, `p1`, `unknown`…), case-insensitively.
 */
export function matchesQuery(host: HostState, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const status = host.status.toLowerCase();
  const name = host.name.toLowerCase();
  const address = host.address.toLowerCase();
  const roles = host.roles.map((role) => role.toLowerCase());
  return words.every((word) => name.includes(word) || address.includes(word) || status === word || roles.some((role) => role.includes(word)));
}

export type NodeListRow =
  | { kind: 'group'; category: RoleCategory; count: number }
  | { kind: 'node'; host: HostState; category: RoleCategory };

/** The flat rows of the virtualised list: each non-empty group's header, then its hosts in round order. */
export function nodeListRows(hosts: readonly HostState[], query: string): NodeListRow[] {
  const groups = new Map<RoleCategory, HostState[]>(roleCategories.map((category) => [category, []]));
  for (const host of hosts) {
    if (matchesQuery(host, query)) groups.get(categoryOf(host.roles))?.push(host);
  }
  const rows: NodeListRow[] = [];
  for (const [category, members] of groups) {
    if (members.length === 0) continue;
    rows.push({ kind: 'group', category, count: members.length });
    for (const host of members) rows.push({ kind: 'node', host, category });
  }
  return rows;
}
