import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AppError } from '../../../../shared/contract/errors';
import { buildSectionedScript, splitSections } from '../../../../shared/stacks/parsers/sections';
import { hostProbes } from '../../../../shared/stacks/profiles/generic';
import { exec } from '../../../core/ssh/exec';
import { parsePublicKey } from '../../../core/ssh/host-key';
import { sudoExec } from '../../../core/ssh/sudo';
import type { SshTarget } from '../../../core/ssh/target';
import { createPoolFixture, type PoolFixture } from '../../../testing/ssh-pool-fixture';
import { LabClock } from '../clock';
import { LabHost, type LabHostDescription } from '../lab-host';
import type { SessionOptions } from '../shell';
import { generateClientKey } from '../test-helpers';

/**
 * The console's own SSH layer (pool, exec with its pid wrapper and group kill, sudo)
 * against a lab host over real SSH, with the host key trusted explicitly in a strict
 * known-hosts store.
 */

const clientKey = generateClientKey('console@lab');
// Lab delays run at a tenth: `sleep 0.1` in the kill loop takes 10 ms, `sleep 3600` six minutes.
const clock = new LabClock({ timeScale: 0.1 });
let host: LabHost;
let description: LabHostDescription;
let fixture: PoolFixture;
let keyPath: string;
/** Every command line the lab host's shell ran, with its exit status. */
const ran: Array<{ script: string; user: string; status: number }> = [];

beforeAll(async () => {
  host = new LabHost({
    name: 'voms-1',
    clock,
    users: [
      { name: 'ops', uid: 1000, groups: ['sudo'], password: 'ops-password', sudo: 'password', authorizedKeys: [clientKey.publicLine] },
      { name: 'deploy', uid: 1001, shell: '/bin/sh', authorizedKeys: [clientKey.publicLine] },
    ],
  });
  host.vfs.mkdir('/srv/app dir', { parents: true });
  host.vfs.chown('/srv/app dir', { uid: 1000, gid: 1000 });
  const run = host.shell.run.bind(host.shell);
  host.shell.run = async (script: string, options: SessionOptions) => {
    const status = await run(script, options);
    ran.push({ script, user: options.user.name, status });
    return status;
  };
  description = await host.start();
  fixture = await createPoolFixture({ policy: 'strict' });
  await fixture.store.add(description.host, description.port, parsePublicKey(`${description.hostKey.algorithm} ${description.hostKey.base64}`));
  keyPath = join(fixture.dir, 'id_ed25519');
  await writeFile(keyPath, clientKey.privateKey, { mode: 0o600 });
});

afterAll(async () => {
  await fixture?.close();
  // Also ends any session a failed test left running.
  await host?.stop();
});

function target(user = 'ops'): SshTarget {
  return { host: description.host, port: description.port, user, auth: { identityFiles: [keyPath], agent: false, keyboardInteractive: false } };
}

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(() => new Error('expected a failure'), (e: unknown) => e);
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

/** Waits (polling, no sleeps) until a lab process runs `argv`; resolves with it. */
async function processRunning(...argv: string[]) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const found = host.shell.processes.list().find((process) => process.argv.join('\0') === argv.join('\0'));
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no lab process ran ${argv.join(' ')}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const running = (...argv: string[]) => host.shell.processes.list().filter((process) => process.argv.join('\0') === argv.join('\0'));

describe('exec through the pool', () => {
  test('hostile arguments and a working directory arrive intact, for bash and dash login shells', async () => {
    const hostile = [`it's "quoted"`, '$(touch /tmp/pwned)', '`id`', 'a; rm -rf /', 'two\nlines', '$HOME ${PATH} $1', '* ?', 'back\\slash', '-n', 'ünïcödé 中文 🚀', '', ' pad '];
    for (const user of ['ops', 'deploy']) {
      const result = await exec(fixture.pool, target(user), ['printf', '%s\\n', ...hostile], { cwd: '/srv/app dir' });
      expect(result).toMatchObject({ exitCode: 0, stdout: hostile.map((value) => `${value}\n`).join(''), stderr: '' });
      expect(await exec(fixture.pool, target(user), ['pwd'], { cwd: '/srv/app dir' })).toMatchObject({ stdout: '/srv/app dir\n' });
    }
    expect(host.vfs.exists('/tmp/pwned')).toBe(false);
    expect(ran.filter((entry) => entry.script.includes('printf')).map((entry) => entry.status)).toEqual([0, 0]);
  });

  test('exit status, stderr and stdin', async () => {
    expect(await exec(fixture.pool, target(), ['sh', '-c', 'echo out; echo err >&2; exit 3'])).toMatchObject({ exitCode: 3, stdout: 'out\n', stderr: 'err\n' });
    expect(await exec(fixture.pool, target(), ['sh', '-c', 'while read line; do echo "<$line>"; done'], { stdin: 'a b\nc\n' })).toMatchObject({ stdout: '<a b>\n<c>\n' });
    expect(await exec(fixture.pool, target('deploy'), ['no-such-tool'])).toMatchObject({ exitCode: 127, stderr: 'sh: 1: exec: no-such-tool: not found\n' });
  });

  test('sudo: -n first, then -S with the password on stdin', async () => {
    const result = await sudoExec(fixture.pool, target(), ['sh', '-c', 'echo "$(id -u) $1"', 'sh', 'as root'], { password: 'ops-password' });
    expect(result).toMatchObject({ exitCode: 0, stdout: '0 as root\n' });
    const sudoLines = ran.filter((entry) => entry.script.includes('sudo')).slice(-2);
    expect(sudoLines.map((entry) => [entry.script.match(/sudo (-n|-S -p '')/)?.[1], entry.status])).toEqual([['-n', 1], ["-S -p ''", 0]]);
  });

  test("the probe engine's sectioned script comes back whole", async () => {
    const nonce = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    const sections = [...Object.values(hostProbes).map((probe) => ({ name: probe.id, command: probe.command() })), { name: 'fails', command: 'exit 5' }];
    const result = await exec(fixture.pool, target(), ['sh', '-c', buildSectionedScript(nonce, sections)]);
    const split = splitSections(result.stdout, nonce, sections.map((section) => section.name));
    expect(split.sections.map((section) => [section.name, section.state, section.exitCode])).toEqual(
      sections.map((section) => [section.name, 'complete', section.name === 'fails' ? 5 : 0]),
    );
  });
});

describe('cancel and timeout kill the remote process group', () => {
  test('a cancelled sleep is gone when exec rejects, killed by the console\'s own kill script', async () => {
    const controller = new AbortController();
    const pending = exec(fixture.pool, target(), ['sleep', '3600'], { signal: controller.signal });
    const sleeper = await processRunning('sleep', '3600');
    // exec replaced the login shell: the sleep has the pid the wrapper printed and leads its group.
    expect(sleeper.pgid).toBe(sleeper.pid);
    controller.abort();
    expect((await failure(pending)).code).toBe('CANCELLED');
    expect(running('sleep', '3600')).toEqual([]);
    expect(host.shell.processes.group(sleeper.pid)).toEqual([]);
    const killer = ran.find((entry) => entry.script.includes(`kill -TERM -${sleeper.pid}`));
    expect(killer).toMatchObject({ user: 'ops', status: 0 });
    // The session ended by the signal (143), not by the channel closing.
    expect(ran.find((entry) => entry.script.includes("exec sleep 3600"))).toMatchObject({ status: 143 });
  });

  test('a background job and the shell waiting for it both die', async () => {
    const controller = new AbortController();
    const pending = exec(fixture.pool, target('deploy'), ['sh', '-c', 'echo started; sleep "$1" & wait', 'sh', '3601'], { signal: controller.signal });
    const sleeper = await processRunning('sleep', '3601');
    const group = host.shell.processes.group(sleeper.pgid);
    expect(group.length).toBeGreaterThanOrEqual(3);
    controller.abort();
    expect((await failure(pending)).code).toBe('CANCELLED');
    expect(host.shell.processes.group(sleeper.pgid)).toEqual([]);
  });

  test("a group that ignores TERM gets KILL from the kill script's loop", async () => {
    const controller = new AbortController();
    const pending = exec(fixture.pool, target(), ['sh', '-c', 'trap "" TERM; echo started; sleep "$1" & wait', 'sh', '3602'], { signal: controller.signal });
    const sleeper = await processRunning('sleep', '3602');
    controller.abort();
    expect((await failure(pending)).code).toBe('CANCELLED');
    expect(host.shell.processes.group(sleeper.pgid)).toEqual([]);
    expect(ran.find((entry) => entry.script.includes("trap \"\" TERM"))).toMatchObject({ status: 137 });
  });

  test('a timeout kills the command the same way', async () => {
    const pending = exec(fixture.pool, target(), ['sleep', '3603'], { timeoutMs: 500 });
    const sleeper = await processRunning('sleep', '3603');
    expect((await failure(pending)).code).toBe('TIMEOUT');
    expect(host.shell.processes.group(sleeper.pgid)).toEqual([]);
  });
});
