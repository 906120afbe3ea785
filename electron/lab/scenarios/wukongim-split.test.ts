import { afterEach, describe, expect, test } from 'vitest';
import { parseCurlResponse, parseJournalJson, parseWukongClusterNodes, parseWukongVarz, scanWukongLog } from '../../../shared/stacks/parsers';
import { wukongimProfile } from '../../../shared/stacks/profiles/wukongim';
import { curlCommand, localUrl } from '../../../shared/stacks/probes';
import { diagnose, pollCommand, startSystem, type SystemUnderTest } from '../systems/lab-system-testing';
import { wukongimHostName } from '../systems/wukongim';
import { wukongimSplitScenario } from './wukongim-split';

/** wukongim-split over real SSH: the incident as the console sees it, the fix, and the wrong order. */

let sut: SystemUnderTest | undefined;

afterEach(async () => {
  await sut?.stop();
  sut = undefined;
});

async function start(): Promise<SystemUnderTest> {
  sut = await startSystem(async (context) => (await wukongimSplitScenario.build(context, {}))[0]!);
  return sut;
}

/** Each node's view: the members it lists with online/leader flags. */
async function views(s: SystemUnderTest): Promise<Record<number, string>> {
  const result: Record<number, string> = {};
  for (const id of [1001, 1002, 1003]) {
    const output = await pollCommand(s, wukongimHostName(id), curlCommand(localUrl(5001, '/cluster/nodes')), (r) => r.stdout.endsWith('200'));
    const response = parseCurlResponse(output.stdout, output.code ?? undefined);
    if (response.status !== 'ok') throw new Error(response.reason);
    const parsed = parseWukongClusterNodes(response.value.body, response.value.status);
    if (parsed.status !== 'ok') throw new Error(parsed.reason);
    result[id] = parsed.value.nodes.map((node) => `${node.id}${node.online ? '' : ' offline'}${node.isLeader ? ' leader' : ''}`).join(', ');
  }
  return result;
}

async function version(s: SystemUnderTest, id: number): Promise<string> {
  const output = await s.run(wukongimHostName(id), curlCommand(localUrl(5001, '/varz')));
  const response = parseCurlResponse(output.stdout, output.code ?? undefined);
  if (response.status !== 'ok') throw new Error(response.reason);
  const varz = parseWukongVarz(response.value.body, response.value.status);
  if (varz.status !== 'ok') throw new Error(varz.reason);
  return varz.value.version;
}

/** `systemctl restart`, then wait for `Server is ready` in this run's log, as the runbook says. */
async function restartAndWait(s: SystemUnderTest, id: number): Promise<void> {
  const host = wukongimHostName(id);
  expect(await s.run(host, 'sudo systemctl restart wukongim')).toMatchObject({ code: 0 });
  await pollCommand(s, host, 'journalctl -u wukongim -n 50 -o json --no-pager', (r) => {
    const journal = parseJournalJson(r.stdout, r.code ?? undefined);
    return journal.status === 'ok' && scanWukongLog(journal.value.entries.map((entry) => entry.message ?? '').join('\n')).ready;
  });
}

const consistent = {
  1001: '1001 leader, 1002, 1003',
  1002: '1001 leader, 1002, 1003',
  1003: '1001 leader, 1002, 1003',
};

describe('wukongim-split', () => {
  test('the incident: 1001 sees only itself, the others see it offline, two leaders, two versions', async () => {
    const s = await start();
    expect(await views(s)).toEqual({
      1001: '1001 leader',
      1002: '1001 offline, 1002 leader, 1003',
      1003: '1001 offline, 1002 leader, 1003',
    });
    expect([await version(s, 1001), await version(s, 1002), await version(s, 1003)]).toEqual(['v2.0.10-20241203', 'v2.1.2-20250120', 'v2.1.2-20250120']);
    const { findings } = await diagnose(s, [wukongimProfile]);
    expect(findings.map((finding) => finding.ruleId).sort()).toEqual(['wukongim.membership', 'wukongim.multiple-leaders', 'wukongim.version-skew']);
  });

  test('restarting 1001 first, then 1002 and 1003, each after "Server is ready", heals the cluster', async () => {
    const s = await start();
    for (const id of [1001, 1002, 1003]) await restartAndWait(s, id);
    expect(await views(s)).toEqual(consistent);
    expect(new Set([await version(s, 1001), await version(s, 1002), await version(s, 1003)])).toEqual(new Set(['v2.1.2-20250120']));
    const { findings } = await diagnose(s, [wukongimProfile]);
    expect(findings).toEqual([]);
  });

  test('restarting in the wrong order (1002 before 1001) leaves the split; the right order then heals it', async () => {
    const s = await start();
    for (const id of [1002, 1001, 1003]) await restartAndWait(s, id);
    const after = await views(s);
    expect(after).not.toEqual(consistent);
    expect(after[1001]).toBe('1001 leader, 1003');
    expect(after[1002]).toBe('1001 offline, 1002, 1003 offline');
    const journal = await s.run(wukongimHostName(1002), 'journalctl -u wukongim -n 50 --no-pager');
    expect(journal.stdout).toContain('join via seed node 1001 failed');
    expect((await diagnose(s, [wukongimProfile])).findings.map((finding) => finding.ruleId)).toContain('wukongim.membership');

    for (const id of [1001, 1002, 1003]) await restartAndWait(s, id);
    expect(await views(s)).toEqual(consistent);
  });
});
