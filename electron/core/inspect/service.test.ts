import { describe, expect, it } from 'vitest';
import type { Cluster, Host } from '../../../shared/inventory/schema';
import { raise, type Finding, type FindingRule } from '../../../shared/stacks/findings';
import type { ClusterSnapshot } from '../../../shared/stacks/profile';
import { createLogger } from '../log/logger';
import { EventHub } from '../rpc/event-hub';
import type { InspectEngine } from './engine';
import { InspectService, type FindingSource } from './service';

const host: Host = { name: 'h1', address: '10.0.0.1', port: 22, user: 'ops', roles: ['voms'], auth: { method: 'agent' } };
const cluster: Cluster = { name: 'c1', environment: 'lab', stacks: ['generic'], hosts: [host] };
const rule = (id: string, severity: FindingRule['severity']): FindingRule => ({
  id,
  severity,
  title: { en: id, 'zh-CN': id },
  why: { en: id, 'zh-CN': id },
  action: { en: id, 'zh-CN': id },
  fix: 'none',
});
const probed: Finding = raise(rule('test.probed', 'P3'), { cluster: 'c1', subject: 'h1', hosts: ['h1'], evidence: 'from a probe' });
const sourced: Finding = raise(rule('test.sourced', 'P1'), { cluster: 'c1', subject: 'h1', hosts: ['h1'], evidence: 'from a journal' });

/** An inspect engine whose rounds always see h1 reached, with one P3 finding. */
const engine = {
  inspect: async (c: Cluster) => ({
    snapshot: { cluster: c, hosts: [{ host, reach: { ok: true }, facts: {}, raw: {}, probedAt: '2026-11-26T00:30:00.000Z' }], adminNow: 0 } satisfies ClusterSnapshot,
    findings: [probed],
    durationMs: 5,
  }),
} as unknown as InspectEngine;

describe('InspectService finding sources', () => {
  it("adds each source's findings to the round (sorted, counted in the host's status) and leaves out a source that fails", async () => {
    const log = createLogger({ minLevel: 'warn', sink: () => undefined });
    const seen: ClusterSnapshot[] = [];
    const fromJournal: FindingSource = async (_cluster, snapshot) => {
      seen.push(snapshot);
      return [sourced];
    };
    const broken: FindingSource = () => Promise.reject(new Error('journal unreadable'));
    const service = new InspectService({ engine, clusters: async () => [cluster], events: new EventHub(), log, findingSources: [broken, fromJournal] });
    const state = await service.refresh('c1');
    expect(state.findings.map((f) => f.ruleId)).toEqual(['test.sourced', 'test.probed']);
    expect(state.hosts[0]?.status).toBe('P1');
    expect(seen[0]?.hosts[0]?.host.name).toBe('h1');
    expect(log.entries().some((entry) => entry.level === 'warn' && /finding source failed/.test(entry.message))).toBe(true);
  });
});
