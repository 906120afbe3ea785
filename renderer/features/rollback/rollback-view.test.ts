import { describe, expect, it } from 'vitest';
import type { RollbackCheck, RollbackInspection } from '../../../shared/contract/rollback';
import { hostSchema, type Cluster } from '../../../shared/inventory/schema';
import { baseName, formatBytes, formatTime, otherOtaHosts, runBlockers, runBlockersWithHosts, runSummary, shortHash } from './rollback-view';

const sha = 'a'.repeat(8) + 'b'.repeat(48) + 'c'.repeat(8);

function check(id: RollbackCheck['id'], level: RollbackCheck['level']): RollbackCheck {
  return { id, ok: level !== 'red', level, message: { en: id, 'zh-CN': id } };
}

function inspection(change: Partial<RollbackInspection> = {}): RollbackInspection {
  const build = { path: '/opt/voms/bin/server', exists: true, executable: true, sha256: sha, size: 10, mtime: '2026-11-26T00:00:00Z' };
  return {
    cluster: 'prod',
    host: 'voms1',
    target: { unit: 'voms-server', binary: '/opt/voms/bin/server', backup: '/opt/voms/bin/server.bak', healthUrl: 'http://127.0.0.1:8181/health' },
    current: build,
    backup: { ...build, path: '/opt/voms/bin/server.bak' },
    checks: [check('backup-exists', 'green'), check('backup-differs', 'green')],
    restartSetting: 'always',
    canRun: true,
    summary: '',
    ...change,
  };
}

const ready = { acknowledged: new Set<string>(), production: false, cluster: 'prod', typedName: '' };

describe('what blocks Run', () => {
  it('nothing, when every check passed on a non-production cluster', () => {
    expect(runBlockers({ ...ready, inspection: inspection() })).toEqual([]);
  });

  it('a red check blocks outright, acknowledgement or not', () => {
    const blocked = inspection({ checks: [check('backup-exists', 'red')], canRun: false });
    expect(runBlockers({ ...ready, acknowledged: new Set(['backup-exists']), inspection: blocked })).toEqual([{ kind: 'red', checks: ['backup-exists'] }]);
  });

  it('each amber check needs its own acknowledgement', () => {
    const warned = inspection({ checks: [check('restart-setting', 'amber'), check('free-disk', 'amber')] });
    expect(runBlockers({ ...ready, acknowledged: new Set(['free-disk']), inspection: warned })).toEqual([{ kind: 'unacknowledged', checks: ['restart-setting'] }]);
    expect(runBlockers({ ...ready, acknowledged: new Set(['free-disk', 'restart-setting']), inspection: warned })).toEqual([]);
  });

  it('a held lock is one blocker with its holder, not also a red check', () => {
    const locked = inspection({ checks: [check('lock', 'red')], lockHeldBy: 'Staged restart of prod (op-1)', canRun: false });
    expect(runBlockers({ ...ready, inspection: locked })).toEqual([{ kind: 'lock', holder: 'Staged restart of prod (op-1)' }]);
  });

  it("the main process's refusal counts even without a red check", () => {
    expect(runBlockers({ ...ready, inspection: inspection({ canRun: false }) })).toEqual([{ kind: 'refused' }]);
  });

  it('a production cluster needs its exact name typed', () => {
    expect(runBlockers({ ...ready, production: true, typedName: 'Prod', inspection: inspection() })).toEqual([{ kind: 'confirm-name' }]);
    expect(runBlockers({ ...ready, production: true, typedName: 'prod', inspection: inspection() })).toEqual([]);
  });
});

describe('the summary of what Run does', () => {
  it('names the unit, the failed build kept aside and the backup restored, whatever the release directory', () => {
    const target = { ...inspection().target, releaseDir: '/opt/voms-release-prev' };
    expect(runSummary(target)).toEqual({ unit: 'voms-server', failed: 'server.failed-…', backup: 'server.bak' });
  });
});

describe('build details', () => {
  it('shortens a SHA-256 to its head and tail, and leaves a short value whole', () => {
    expect(shortHash(sha)).toBe('aaaaaaaa…cccccccc');
    expect(shortHash('abc')).toBe('abc');
  });

  it('formats sizes in binary units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(13 * 1024 * 1024 + 400 * 1024)).toBe('13.4 MiB');
  });

  it('takes the last part of a path', () => {
    expect(baseName('/opt/voms/bin/server.bak')).toBe('server.bak');
    expect(baseName('/opt/voms-release-prev/')).toBe('voms-release-prev');
    expect(baseName('server')).toBe('server');
  });

  it('shows a time in the UI language, and a value that is no time as it came', () => {
    expect(formatTime('2026-11-26T00:00:00Z', 'en')).toMatch(/2026/);
    expect(formatTime('yesterday', 'en')).toBe('yesterday');
  });
});

describe('more hosts in one rollback', () => {
  const host = (name: string, roles: string[]) => hostSchema.parse({ name, address: `10.0.0.${name.length}`, user: 'ops', roles });
  const cluster = { name: 'prod', hosts: [host('voms1', ['voms']), host('db1', ['postgresql']), host('voms2', ['voms']), host('voms3', ['voms'])] } as unknown as Cluster;

  it('offers the other OTA-managed hosts, in inventory order, never the host itself', () => {
    expect(otherOtaHosts(cluster, 'voms2')).toEqual(['voms1', 'voms3']);
    expect(otherOtaHosts(undefined, 'voms1')).toEqual([]);
  });

  it('a red check or an unticked warning on another host blocks Run, naming that host', () => {
    const mainInput = { inspection: inspection(), ...ready };
    const fine = { inspection: inspection({ host: 'voms2' }), acknowledged: new Set<string>() };
    expect(runBlockersWithHosts(mainInput, [fine])).toEqual([]);
    const red = { inspection: inspection({ host: 'voms3', checks: [check('backup-exists', 'red')], canRun: false }), acknowledged: new Set<string>() };
    expect(runBlockersWithHosts(mainInput, [fine, red])).toEqual([{ kind: 'other-hosts', hosts: ['voms3'] }]);
    const warned = inspection({ host: 'voms2', checks: [check('backup-failed-before', 'amber')] });
    expect(runBlockersWithHosts(mainInput, [{ inspection: warned, acknowledged: new Set() }])).toEqual([{ kind: 'other-hosts', hosts: ['voms2'] }]);
    expect(runBlockersWithHosts(mainInput, [{ inspection: warned, acknowledged: new Set(['backup-failed-before']) }])).toEqual([]);
  });
});
