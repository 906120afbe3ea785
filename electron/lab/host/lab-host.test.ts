import { describe, expect, test } from 'vitest';
import { LabClock } from './clock';
import { LabHost } from './lab-host';
import { KilledBySignal } from './sh/processes';
import { connect, generateClientKey } from './test-helpers';

const clientKey = generateClientKey('ops@console');

/** Waits (polling, no sleeps) until a lab process runs `argv`. */
async function processRunning(host: LabHost, ...argv: string[]) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const found = host.shell.processes.list().find((process) => process.argv.join('\0') === argv.join('\0'));
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no lab process ran ${argv.join(' ')}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('LabHost.stop', () => {
  test('ends the sessions still running over SSH', async () => {
    const host = new LabHost({ name: 'voms-1', clock: new LabClock({ timeScale: 0.01 }), users: [{ name: 'ops', uid: 1000, authorizedKeys: [clientKey.publicLine] }] });
    const client = await connect(await host.start(), { username: 'ops', privateKey: clientKey.privateKey });
    const connectionClosed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.on('error', () => undefined);
    let stopped = false;
    try {
      client.exec('sleep 3600', () => undefined);
      const sleeper = await processRunning(host, 'sleep', '3600');
      // The session's login shell and the sleep it runs: one process group.
      const session = host.shell.processes.group(sleeper.pgid);
      expect(session.map((process) => process.argv.join(' '))).toEqual(expect.arrayContaining(['sleep 3600']));

      await host.stop();
      stopped = true;

      expect(host.shell.processes.list()).toEqual([]);
      for (const process of session) {
        expect(process.signal.reason).toBeInstanceOf(KilledBySignal);
        expect((process.signal.reason as KilledBySignal).signal).toBe(9);
      }
      await connectionClosed;
    } finally {
      client.end();
      if (!stopped) await host.stop();
    }
  });
});
