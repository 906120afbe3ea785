import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Cluster, Host } from '../inventory/schema';
import { planSteps, type Plan } from '../ops/plan';
import type { JournalRecord, RecordInput } from '../ops/records';
import { replay } from '../ops/replay';
import type { OpState } from '../ops/state';
import { clusterSnapshot, curlOutput, hostSnapshot, syntheticUnitShow, type ProbeOutput } from '../stacks/profiles/testing';
import { otaTargetOf, vomsProbes } from '../stacks/profiles/voms';
import { hostRollbackResult, revertedRollbacks, rollbackRevertedFindings } from './findings';
import { planRollback } from './planner';

const fixture = (name: string) => readFileSync(new URL(`../stacks/parsers/fixtures/${name}`, import.meta.url), 'utf8');

const FAILED = 'a'.repeat(64);
const BACKUP = 'b'.repeat(64);
const OTHER = 'c'.repeat(64);
const hosts: Host[] = [1, 2].map((i) => ({ name: `voms-${i}`, address: `10.0.9.${i}`, port: 22, user: 'ops', roles: ['voms'], auth: { method: 'agent' } }));
const cluster: Cluster = { name: 'voms', environment: 'lab', stacks: ['generic', 'voms'], hosts };
const probes = Object.values(vomsProbes);
const probedAt = '2026-11-26T03:00:00.000Z';

function plan(names: string[]): Plan {
  return planRollback({
    cluster: 'voms',
    hosts: hosts
      .filter((h) => names.includes(h.name))
      .map((host) => ({ host, target: otaTargetOf(host)!, currentSha256: FAILED, backupSha256: BACKUP, before: { failedVersion: 'voms-server 1.9.0', restoredVersion: 'voms-server 1.9.0-rc.2', unit: 'ActiveState=activating NRestarts=7' } })),
    now: new Date('2026-11-26T02:00:00Z'),
    settleSeconds: 20,
    gateTimeoutSeconds: 60,
  });
}

/** A journal as the engine writes it: every step of `ok` hosts succeeds; the `failing` host's gate fails and the policy undoes it. */
function journal(id: string, names: string[], outcome: { failing?: string; adminUndo?: boolean } = {}): OpState {
  const p = plan(names);
  let seq = 0;
  const records: JournalRecord[] = [];
  const add = (input: RecordInput) => records.push({ ...input, seq: seq++, time: `2026-11-26T02:${String(seq).padStart(2, '0')}:00.000Z` } as JournalRecord);
  add({ type: 'created', opId: id, plan: p, policy: { onGateFailure: 'undo-and-stop' }, actor: 'ops', host: 'laptop' } as RecordInput);
  const changed: string[] = [];
  for (const { step } of planSteps(p)) {
    add({ type: 'step-started', stepId: step.id, attempt: 1 });
    add({ type: 'step-succeeded', stepId: step.id });
    if (step.undo) changed.unshift(step.id);
    if (step.restores) for (const restored of step.restores) changed.splice(changed.indexOf(restored), 1);
    if (step.gate) {
      add({ type: 'gate-started', stepId: step.id });
      if (step.host === outcome.failing) {
        add({ type: 'gate-failed', stepId: step.id, attempts: 9, message: 'http://localhost:8181/api/v1/public/system/health HTTP 500 {"status":"error"}' });
        break;
      }
      add({ type: 'gate-passed', stepId: step.id, attempts: 2, detail: 'ok' });
    }
    if (outcome.adminUndo && step.id.endsWith(':restore')) break;
  }
  if (outcome.failing !== undefined || outcome.adminUndo) {
    add({ type: 'undo-started', by: 'ops', reason: outcome.adminUndo ? 'admin' : 'policy', stepIds: changed });
    for (const stepId of changed) {
      add({ type: 'undo-step-started', stepId });
      add({ type: 'undo-step-succeeded', stepId });
    }
    add({ type: 'finished', outcome: 'reverted', by: 'ops' });
  } else {
    add({ type: 'finished', outcome: 'succeeded' });
  }
  return replay(records);
}

const crashLoop = { id: 'voms-server.service', active: 'activating', sub: 'auto-restart', restarts: 4, result: 'exit-code', started: 'Thu 2026-11-26 02:59:50 UTC' };
const running = { id: 'voms-server.service' };

function snapshot(server: { sha?: string; unit?: Parameters<typeof syntheticUnitShow>[0]; healthy?: boolean } = {}) {
  const units = ['voms-server', 'voms-worker-consumer', 'voms-worker-scheduler'].map((name) => syntheticUnitShow(name === 'voms-server' ? (server.unit ?? crashLoop) : { id: `${name}.service` })).join('\n');
  const outputs: Record<string, ProbeOutput | string> = {
    'voms.units': units,
    'voms.health': server.healthy ? curlOutput(fixture('health/voms-health-ok.synthetic.json'), 200) : curlOutput('{"status":"error","checks":{"database":{"status":"down","error":"migration failed"}}}', 500),
    'voms.ota-sums': `${server.sha ?? FAILED}  /opt/voms/bin/server\n${BACKUP}  /opt/voms/bin/server.bak\n`,
  };
  return clusterSnapshot(cluster, [hostSnapshot(cluster, hosts[0]!, probes, outputs, probedAt), hostSnapshot(cluster, hosts[1]!, probes, outputs, probedAt)]);
}

describe('the finding of a rollback undone by its health gate', () => {
  it('tells per host what a finished rollback did', () => {
    const twoHosts = journal('op-2', ['voms-1', 'voms-2'], { failing: 'voms-2' });
    expect(twoHosts.status).toBe('reverted');
    expect(hostRollbackResult(twoHosts, 'voms-1')).toBe('rolled-back');
    expect(hostRollbackResult(twoHosts, 'voms-2')).toBe('gate-failed');
    expect(hostRollbackResult(journal('op-3', ['voms-1'], { adminUndo: true }), 'voms-1')).toBe('undone');
    expect(hostRollbackResult(journal('op-4', ['voms-1']), 'voms-1')).toBe('rolled-back');
  });

  it('is a P1 on the host, with the evidence of both attempts and what was put back', () => {
    const findings = rollbackRevertedFindings(snapshot(), revertedRollbacks([journal('op-1', ['voms-1'], { failing: 'voms-1' })]));
    expect(findings).toHaveLength(1);
    const finding = findings[0]!;
    expect(finding).toMatchObject({ ruleId: 'voms.rollback-reverted', severity: 'P1', hosts: ['voms-1'], key: 'voms.rollback-reverted:voms:voms-1', fix: 'node-view' });
    expect(finding.params).toMatchObject({ host: 'voms-1', unit: 'voms-server', opId: 'op-1', gate: expect.stringContaining('HTTP 500') });
    // Attempt 1: the build in place, its version and state before; attempt 2: the backup and its gate.
    expect(finding.evidence).toContain(`1. The build in place: /opt/voms/bin/server sha256 ${FAILED.slice(0, 16)}… (voms-server 1.9.0); before the rollback ActiveState=activating NRestarts=7.`);
    expect(finding.evidence).toContain(`2. The rollback started /opt/voms/bin/server.bak sha256 ${BACKUP.slice(0, 16)}… (voms-server 1.9.0-rc.2); its health gate failed after 9 checks: http://localhost:8181/api/v1/public/system/health HTTP 500`);
    expect(finding.evidence).toContain('Put back: Stop voms-server on voms-1; Put the failed build back from /opt/voms/bin/server.failed-20261126T020000Z; Start voms-server on voms-1 again');
    expect(finding.evidence).toContain('Now: voms-server.service: ActiveState=activating SubState=auto-restart');
  });

  it('goes away once another build runs, the server is healthy, or a later rollback of the host succeeded', () => {
    const reverted = revertedRollbacks([journal('op-1', ['voms-1'], { failing: 'voms-1' })]);
    expect(rollbackRevertedFindings(snapshot({ sha: OTHER }), reverted)).toEqual([]);
    expect(rollbackRevertedFindings(snapshot({ unit: running, healthy: true }), reverted)).toEqual([]);
    // Running but unhealthy, or an unreadable binary: it stays.
    expect(rollbackRevertedFindings(snapshot({ unit: running }), reverted)).toHaveLength(1);
    const unread = snapshot();
    delete unread.hosts[0]!.facts['voms.ota-sums'];
    expect(rollbackRevertedFindings(unread, reverted)).toHaveLength(1);
    // Newest first: a later success (or an undo the admin chose) decides; an older success does not.
    const older = journal('op-0', ['voms-1']);
    const later = journal('op-5', ['voms-1']);
    expect(revertedRollbacks([later, journal('op-1', ['voms-1'], { failing: 'voms-1' })]).size).toBe(0);
    expect(revertedRollbacks([journal('op-6', ['voms-1'], { adminUndo: true }), journal('op-1', ['voms-1'], { failing: 'voms-1' })]).size).toBe(0);
    expect([...revertedRollbacks([journal('op-1', ['voms-1'], { failing: 'voms-1' }), older]).keys()]).toEqual(['voms-1']);
  });

  it('names only the host whose gate failed in a rollback of several hosts', () => {
    const reverted = revertedRollbacks([journal('op-2', ['voms-1', 'voms-2'], { failing: 'voms-2' })]);
    expect([...reverted.keys()]).toEqual(['voms-2']);
    expect(rollbackRevertedFindings(snapshot(), reverted).map((f) => f.hosts)).toEqual([['voms-2']]);
  });
});
