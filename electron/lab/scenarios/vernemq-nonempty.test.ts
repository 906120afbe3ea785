import { afterEach, describe, expect, test } from 'vitest';
import { parseVmqBridgeShow, parseVmqClusterShow, parseVmqCommandResult, parseVmqNodeHistory, scanVernemqLog } from '../../../shared/stacks/parsers';
import { vernemqProfile } from '../../../shared/stacks/profiles/vernemq';
import { diagnose, pollCommand, startSystem, type SystemUnderTest } from '../systems/lab-system-testing';
import { vernemqHostName, vernemqNodeName } from '../systems/vernemq';
import { vernemqNonemptyScenario } from './vernemq-nonempty';

/** vernemq-nonempty over real SSH: the refused join as VerneMQ reports it, and the fixes. */

let sut: SystemUnderTest | undefined;

afterEach(async () => {
  await sut?.stop();
  sut = undefined;
});

async function start(): Promise<SystemUnderTest> {
  sut = await startSystem(async (context) => (await vernemqNonemptyScenario.build(context, {}))[0]!);
  return sut;
}

const node3 = vernemqHostName(3);
const join = `vmq-admin cluster join discovery-node=${vernemqNodeName(1)}`;

async function runningNodes(s: SystemUnderTest, hostName: string): Promise<string[]> {
  const result = await s.run(hostName, 'vmq-admin cluster show --format=json');
  const parsed = parseVmqClusterShow(result.stdout, result.code ?? undefined);
  if (parsed.status !== 'ok') throw new Error(parsed.reason);
  return parsed.value.nodes.filter((node) => node.running).map((node) => node.node);
}

async function step(s: SystemUnderTest, hostName: string, command: string): Promise<void> {
  const result = await s.run(hostName, command);
  expect(parseVmqCommandResult(result.stdout, result.code ?? undefined), `${command}: ${result.stdout}`).toMatchObject({ status: 'ok', value: { outcome: 'done' } });
}

const all = [1, 2, 3].map(vernemqNodeName);

describe('vernemq-nonempty', () => {
  test('the incident: node 3 is alone, non-empty, and its join is refused with the real error and log line', async () => {
    const s = await start();
    expect(await runningNodes(s, vernemqHostName(1))).toEqual([vernemqNodeName(1), vernemqNodeName(2)]);
    expect(await runningNodes(s, node3)).toEqual([vernemqNodeName(3)]);
    expect((await s.run(node3, 'vmq-admin node history')).stdout).toBe('existing_state\n');
    const refused = await s.run(node3, join);
    expect(refused).toMatchObject({ code: 1, stdout: `RPC to node ${vernemqNodeName(1)} failed for reason: non_empty_node\n` });
    expect(parseVmqCommandResult(refused.stdout, 1)).toMatchObject({ status: 'ok', value: { outcome: 'failed', reason: 'non_empty_node' } });
    const log = await s.run(node3, 'tail -n 20 /var/log/vernemq/console.log');
    expect(log.stdout).toContain(`[info] <0.9.0> vmq_swc_peer_service:attempt_join/1:61: Cannot join a cluster, as local node '${vernemqNodeName(3)}' is non-empty.`);
    expect(scanVernemqLog(log.stdout).nonEmptyJoinRefusals).toEqual([vernemqNodeName(3), vernemqNodeName(3)]);
    const bridges = await s.run(node3, 'vmq-admin bridge show');
    expect(parseVmqBridgeShow(bridges.stdout, 0)).toMatchObject({ status: 'ok', value: { bridges: [{ name: 'br0', endpoint: '10.42.0.1:1883' }] } });

    const { findings } = await diagnose(s, [vernemqProfile]);
    expect(findings.map((finding) => finding.ruleId).sort()).toEqual([
      'vernemq.bridge-before-join',
      'vernemq.config-drift',
      'vernemq.health-down',
      'vernemq.non-empty-join',
      'vernemq.not-in-cluster',
    ]);
  });

  test('the fix: disable the bridge, join, enable the plugin, start the bridge', async () => {
    const s = await start();
    await step(s, node3, 'vmq-admin plugin disable --name=vmq_bridge');
    expect(parseVmqNodeHistory((await s.run(node3, 'vmq-admin node history')).stdout, 0)).toEqual({ status: 'ok', value: 'empty_state' });
    await step(s, node3, join);
    await step(s, node3, 'vmq-admin plugin enable --name=vmq_bridge');
    expect((await s.run(node3, 'vmq-admin bridge show')).stdout).toBe('');
    await step(s, node3, 'vmq-admin bridge start');
    for (const index of [1, 2, 3]) expect(await runningNodes(s, vernemqHostName(index))).toEqual(all);
    expect((await s.run(node3, 'vmq-admin bridge show')).stdout).toContain('| br0  | 10.42.0.1:1883 |');
    await pollCommand(s, node3, "curl -s -w '\\n%{http_code}' http://localhost:8888/health", (r) => r.stdout === '{"status":"OK"}\n200');
  });

  test('the fix with the config: plugins.vmq_bridge = off and a restart, then join and enable', async () => {
    const s = await start();
    const conf = '/etc/vernemq/vernemq.conf';
    await s.run(node3, `grep -v '^plugins.vmq_bridge' ${conf} | sudo tee ${conf}.new >/dev/null`);
    await s.run(node3, `echo 'plugins.vmq_bridge = off' | sudo tee -a ${conf}.new >/dev/null && sudo mv ${conf}.new ${conf}`);
    expect((await s.run(node3, 'grep ^plugins.vmq_bridge /etc/vernemq/vernemq.conf')).stdout).toBe('plugins.vmq_bridge = off\n');
    expect(await s.run(node3, 'sudo systemctl restart vernemq')).toMatchObject({ code: 0 });
    await pollCommand(s, node3, 'vernemq ping', (r) => r.stdout === 'pong\n');
    await step(s, node3, join);
    await step(s, node3, 'vmq-admin plugin enable --name=vmq_bridge');
    await step(s, node3, 'vmq-admin bridge start');
    expect(await runningNodes(s, vernemqHostName(2))).toEqual(all);
  });

  test('the escape hatch vmq_swc.prevent_nonempty_join = off lets it join, with a warning in the log', async () => {
    const s = await start();
    await s.run(node3, "echo 'vmq_swc.prevent_nonempty_join = off' | sudo tee -a /etc/vernemq/vernemq.conf");
    await s.run(node3, 'sudo systemctl restart vernemq');
    await pollCommand(s, node3, 'vernemq ping', (r) => r.stdout === 'pong\n');
    await step(s, node3, join);
    expect(await runningNodes(s, vernemqHostName(1))).toEqual(all);
    expect((await s.run(node3, 'tail -n 5 /var/log/vernemq/console.log')).stdout).toContain('data may become inconsistent');
  });
});
