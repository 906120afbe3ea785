import { describe, expect, it } from 'vitest';
import { categoryOf, matchesQuery, nodeListRows } from './node-rows';
import { hostState } from './testing';

describe('grouping nodes by role', () => {
  it('puts each role in its group and a host with several roles in the first group', () => {
    expect(categoryOf(['redis'])).toBe('dataStores');
    expect(categoryOf(['caddy'])).toBe('loadBalancer');
    expect(categoryOf(['voms'])).toBe('appNodes');
    expect(categoryOf(['presence'])).toBe('sideServices');
    expect(categoryOf(['generic'])).toBe('other');
    expect(categoryOf([])).toBe('other');
    expect(categoryOf(['not-a-role'])).toBe('other');
    expect(categoryOf(['rocketchat', 'mongodb'])).toBe('dataStores');
  });

  it('lists non-empty groups in restart order, each header before its hosts', () => {
    const rows = nodeListRows(
      [hostState('rc-1', { roles: ['rocketchat'] }), hostState('db', { roles: ['mongodb'] }), hostState('rc-2', { roles: ['rocketchat'] })],
      '',
    );
    expect(rows.map((row) => (row.kind === 'group' ? `[${row.category} ${row.count}]` : row.host.name))).toEqual([
      '[dataStores 1]',
      'db',
      '[appNodes 2]',
      'rc-1',
      'rc-2',
    ]);
  });
});

describe('filtering nodes', () => {
  const host = hostState('mongo-primary', { address: '10.1.2.3', roles: ['mongodb'], status: 'P2' });
  it('matches name, address, role and status; every word must match', () => {
    expect(matchesQuery(host, 'PRIMARY')).toBe(true);
    expect(matchesQuery(host, '10.1.2')).toBe(true);
    expect(matchesQuery(host, 'mongodb p2')).toBe(true);
    expect(matchesQuery(host, 'mongodb p1')).toBe(false);
    expect(matchesQuery(host, 'haproxy')).toBe(false);
  });
  it('drops groups left empty by the filter', () => {
    const rows = nodeListRows([host, hostState('web', { roles: ['haproxy'] })], 'web');
    expect(rows.filter((row) => row.kind === 'group').map((row) => row.kind === 'group' && row.category)).toEqual(['loadBalancer']);
  });
});
