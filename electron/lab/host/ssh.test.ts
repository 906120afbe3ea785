import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { shellCommand } from '../../../shared/shell/quote';
import { LabClock } from './clock';
import { labBinary } from './lab-binary';
import { LabHost, type LabHostDescription } from './lab-host';
import type { ProcessBehaviour } from './process';
import { connect, exec, generateClientKey, OpenSshClientFiles, pollUntil, sftp } from './test-helpers';

/** A lab host driven over real SSH: the ssh2 client and OpenSSH's `ssh`. */

const opsKey = generateClientKey('ops@console');
const rootKey = generateClientKey('root@console');
const clock = new LabClock({ timeScale: 0.01 });
let host: LabHost;
let description: LabHostDescription;
let openssh: OpenSshClientFiles;

const goodServer = labBinary({ program: 'voms-server', version: '1.8.3', startupMs: 800, readyLines: ['Server is ready'] });
const badServer = labBinary({
  program: 'voms-server',
  version: '1.9.0',
  health: 'error',
  crash: { afterMs: 300, status: 1, lines: ['panic: migration voms_schema_migrations failed'] },
});

/** A process whose stop and readiness the test releases by hand, to watch the states in between. */
function gatedBehaviour(): ProcessBehaviour & { releaseStop: () => void; releaseReady: () => void } {
  let releaseStop!: () => void;
  let releaseReady!: () => void;
  const stopGate = new Promise<void>((resolve) => (releaseStop = resolve));
  const readyGate = new Promise<void>((resolve) => (releaseReady = resolve));
  return {
    start(ctx) {
      if (!ctx.resumed) void readyGate.then(() => ctx.ready());
    },
    stop(ctx) {
      void stopGate.then(() => ctx.exit(0));
    },
    releaseStop: () => releaseStop(),
    releaseReady: () => releaseReady(),
  };
}

const gate = gatedBehaviour();

beforeAll(async () => {
  host = new LabHost({
    name: 'voms-1',
    clock,
    users: [
      { name: 'ops', uid: 1000, groups: ['sudo'], password: 'ops-password', sudo: 'password', authorizedKeys: [opsKey.publicLine] },
      { name: 'deploy', uid: 1001, sudo: 'nopasswd', authorizedKeys: [opsKey.publicLine], shell: '/bin/sh' },
    ],
  });
  host.addUser({ name: 'root', uid: 0, authorizedKeys: [rootKey.publicLine, opsKey.publicLine] });
  host.vfs.mkdir('/opt/voms/bin', { parents: true });
  host.vfs.writeFile('/opt/voms/bin/server', goodServer, { mode: 0o755 });
  host.vfs.writeFile('/opt/voms/bin/server.bad', badServer, { mode: 0o755 });
  host.services.install({
    name: 'voms-server', description: 'VOMS server', execStart: '/opt/voms/bin/server', restart: 'on-failure', workingDirectory: '/opt/voms',
  });
  host.services.bootstrap('voms-server', clock.now() - 3 * 3_600_000);
  host.services.install({
    name: 'gated', description: 'Gated test service', type: 'notify', execStart: '/opt/voms/bin/server', behaviour: gate,
  });
  host.services.bootstrap('gated', clock.now() - 60_000);
  host.http.register(8181, (request) => ({
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ status: 'ok', path: request.path, method: request.method, body: request.body.toString('utf8') }),
  }));
  description = await host.start();
  openssh = new OpenSshClientFiles(opsKey);
  openssh.trust([description]);
});

afterAll(async () => {
  await host.stop();
  openssh.dispose();
});

describe('command lines over SSH', () => {
  test('quoting is honoured (ssh2 and OpenSSH)', async () => {
    const client = await connect(description, { username: 'ops', privateKey: opsKey.privateKey });
    try {
      const literal = await exec(client, `printf '%s\\n' 'a b' "c'd"`);
      expect(literal).toEqual({ code: 0, stdout: "a b\nc'd\n", stderr: '' });
      const built = await exec(client, shellCommand(['printf', '%s|', 'it\'s', '$HOME', 'a;b', '']));
      expect(built.stdout).toBe("it's|$HOME|a;b||");
    } finally {
      client.end();
    }
    const viaOpenSsh = await openssh.run(description, 'ops', `printf '%s\\n' 'a b' "c'd"`);
    expect(viaOpenSsh).toMatchObject({ code: 0, stdout: "a b\nc'd\n" });
  });

  test('an unknown command exits 127 with the shell\'s message', async () => {
    const bash = await openssh.run(description, 'ops', 'no-such-tool --version');
    expect(bash.code).toBe(127);
    expect(bash.stderr).toBe('bash: line 1: no-such-tool: command not found\n');
    // deploy's login shell is /bin/sh (dash).
    const dash = await openssh.run(description, 'deploy', 'no-such-tool');
    expect(dash.code).toBe(127);
    expect(dash.stderr).toBe('sh: 1: no-such-tool: not found\n');
  });

  test('password login works and a wrong password is refused', async () => {
    const client = await connect(description, { username: 'ops', password: 'ops-password' });
    expect((await exec(client, 'whoami')).stdout).toBe('ops\n');
    client.end();
    await expect(connect(description, { username: 'ops', password: 'wrong' })).rejects.toThrow(/authentication/i);
  });
});

describe('systemctl and journalctl over SSH', () => {
  test('systemctl show prints key=value lines in systemd\'s order', async () => {
    const result = await openssh.run(description, 'ops', 'systemctl show voms-server -p ActiveState,SubState,MainPID,NRestarts,ExecMainStartTimestamp');
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines.map((line) => line.split('=')[0])).toEqual(['MainPID', 'NRestarts', 'ExecMainStartTimestamp', 'ActiveState', 'SubState']);
    expect(lines).toContain('ActiveState=active');
    expect(lines).toContain('SubState=running');
    expect(lines.find((l) => l.startsWith('ExecMainStartTimestamp='))).toMatch(/^ExecMainStartTimestamp=(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/);
    expect(Number(lines.find((l) => l.startsWith('MainPID='))!.split('=')[1])).toBeGreaterThan(0);
    const valueOnly = await openssh.run(description, 'ops', 'systemctl show --property=ActiveState --value voms-server');
    expect(valueOnly.stdout).toBe('active\n');
  });

  test('systemctl status has systemd\'s layout', async () => {
    const client = await connect(description, { username: 'root', privateKey: rootKey.privateKey });
    try {
      const status = await exec(client, 'systemctl status voms-server --no-pager');
      expect(status.code).toBe(0);
      const lines = status.stdout.split('\n');
      expect(lines[0]).toBe('\u25cf voms-server.service - VOMS server');
      expect(lines[1]).toBe('     Loaded: loaded (/etc/systemd/system/voms-server.service; enabled; preset: enabled)');
      expect(lines[2]).toMatch(/^ {5}Active: active \(running\) since \w{3} \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC; 3h 0min ago$/);
      expect(lines[3]).toMatch(/^ {3}Main PID: \d+ \(server\)$/);
      expect(status.stdout).toMatch(/\n {5}CGroup: \/system\.slice\/voms-server\.service\n {13}\u2514\u2500\d+ \/opt\/voms\/bin\/server\n/);
      expect(status.stdout).toMatch(/\n\n\w{3} \d{2} \d{2}:\d{2}:\d{2} voms-1 systemd\[1\]: Started voms-server\.service - VOMS server\.\n/);
      const missing = await exec(client, 'systemctl status nope');
      expect(missing).toMatchObject({ code: 4, stderr: 'Unit nope.service could not be found.\n' });
    } finally {
      client.end();
    }
  });

  test('a restart is observable through systemctl is-active', async () => {
    const client = await connect(description, { username: 'root', privateKey: rootKey.privateKey });
    try {
      const isActive = async (): Promise<string> => (await exec(client, 'systemctl is-active gated')).stdout.trim();
      expect(await isActive()).toBe('active');
      const restart = exec(client, 'systemctl restart gated');
      await pollUntil(isActive, (state) => state === 'deactivating');
      gate.releaseStop();
      await pollUntil(isActive, (state) => state === 'activating');
      gate.releaseReady();
      await pollUntil(isActive, (state) => state === 'active');
      expect(await restart).toMatchObject({ code: 0, stderr: '' });
      const journal = await exec(client, 'journalctl -u gated -n 5 -o cat');
      expect(journal.stdout).toBe(
        'Stopping gated.service - Gated test service...\n' +
        'gated.service: Deactivated successfully.\n' +
        'Stopped gated.service - Gated test service.\n' +
        'Starting gated.service - Gated test service...\n' +
        'Started gated.service - Gated test service.\n',
      );
    } finally {
      client.end();
    }
  });

  test('journalctl -o json uses journald\'s field names', async () => {
    const result = await openssh.run(description, 'root', 'journalctl -u gated -n 20 -o json --no-pager');
    expect(result.code, result.stderr).toBe(0);
    const entries = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, string>);
    expect(entries.length).toBeGreaterThanOrEqual(5);
    for (const entry of entries) {
      expect(entry.__REALTIME_TIMESTAMP).toMatch(/^\d{16}$/);
      expect(entry.MESSAGE).toEqual(expect.any(String));
      expect(entry.PRIORITY).toMatch(/^[0-7]$/);
      expect(entry._PID).toMatch(/^\d+$/);
      expect(entry._HOSTNAME).toBe('voms-1');
      expect(entry.SYSLOG_IDENTIFIER).toEqual(expect.any(String));
    }
    const started = entries.find((e) => e.MESSAGE === 'Started gated.service - Gated test service.')!;
    expect(started).toMatchObject({ _PID: '1', SYSLOG_IDENTIFIER: 'systemd', UNIT: 'gated.service', _SYSTEMD_UNIT: 'init.scope' });
    const stamps = entries.map((e) => Number(e.__REALTIME_TIMESTAMP));
    expect([...stamps].sort((a, b) => a - b)).toEqual(stamps);
    expect(Math.abs(stamps.at(-1)! / 1000 - Date.now())).toBeLessThan(60_000);
  });

  test('a bad build crash-loops under Restart=on-failure until the start limit', async () => {
    host.vfs.writeFile('/etc/systemd/system/crashy.service', [
      '[Unit]', 'Description=Crashy build', '', '[Service]', 'ExecStart=/opt/voms/bin/server.bad', 'Restart=on-failure', '',
    ].join('\n'));
    const client = await connect(description, { username: 'root', privateKey: rootKey.privateKey });
    try {
      expect((await exec(client, 'systemctl daemon-reload && systemctl start crashy')).code).toBe(0);
      const show = async (): Promise<Record<string, string>> =>
        Object.fromEntries((await exec(client, 'systemctl show crashy -p ActiveState,Result,NRestarts')).stdout.trim().split('\n').map((l) => l.split('=') as [string, string]));
      const seen = await pollUntil(show, (props) => props.ActiveState === 'failed');
      expect(seen.at(-1)).toEqual({ NRestarts: '5', Result: 'start-limit-hit', ActiveState: 'failed' });
      const counts = seen.map((props) => Number(props.NRestarts));
      expect([...counts].sort((a, b) => a - b)).toEqual(counts);
      const journal = (await exec(client, 'journalctl -u crashy -o cat')).stdout;
      for (let n = 1; n <= 5; n++) expect(journal).toContain(`crashy.service: Scheduled restart job, restart counter is at ${n}.\n`);
      expect(journal).toContain('crashy.service: Main process exited, code=exited, status=1/FAILURE\n');
      expect(journal).toContain("crashy.service: Failed with result 'exit-code'.\n");
      expect(journal).toContain('panic: migration voms_schema_migrations failed\n');
      expect(journal.trimEnd().split('\n').slice(-3)).toEqual([
        'crashy.service: Start request repeated too quickly.',
        "crashy.service: Failed with result 'start-limit-hit'.",
        'Failed to start crashy.service - Crashy build.',
      ]);
      const status = await exec(client, 'systemctl status crashy');
      expect(status.code).toBe(3);
      expect(status.stdout).toMatch(/^\u00d7 crashy\.service - Crashy build\n/);
      expect(status.stdout).toContain('     Active: failed (Result: start-limit-hit) since ');
      expect(status.stdout).toMatch(/\n {3}Main PID: \d+ \(code=exited, status=1\/FAILURE\)\n/);
    } finally {
      client.end();
    }
  });

  test('sudo: -n fails when a password is needed, -S reads it from stdin', async () => {
    const client = await connect(description, { username: 'ops', privateKey: opsKey.privateKey });
    try {
      expect(await exec(client, 'sudo -n systemctl is-active voms-server')).toEqual({ code: 1, stdout: '', stderr: 'sudo: a password is required\n' });
      expect(await exec(client, "sudo -S -p '' id -u", 'ops-password\n')).toEqual({ code: 0, stdout: '0\n', stderr: '' });
      const wrong = await exec(client, "sudo -S -p '' id -u", 'nope\n');
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toContain('Sorry, try again.\n');
      const unprivileged = await exec(client, 'systemctl restart voms-server');
      expect(unprivileged.code).toBe(1);
      expect(unprivileged.stderr).toContain('Interactive authentication required.');
    } finally {
      client.end();
    }
    const viaOpenSsh = await openssh.run(description, 'ops', "sudo -S -p '' whoami", 'ops-password\n');
    expect(viaOpenSsh).toMatchObject({ code: 0, stdout: 'root\n' });
    expect(await openssh.run(description, 'deploy', 'sudo -n whoami')).toMatchObject({ code: 0, stdout: 'root\n' });
  });
});

describe('files over SFTP', () => {
  test('an upload lands in the VFS with a matching sha256sum', async () => {
    const payload = randomBytes(200_000);
    const client = await connect(description, { username: 'ops', privateKey: opsKey.privateKey });
    try {
      const session = await sftp(client);
      await new Promise<void>((resolve, reject) => session.writeFile('/tmp/upload.bin', payload, (error) => (error ? reject(error) : resolve())));
      const expected = createHash('sha256').update(payload).digest('hex');
      expect(host.vfs.sha256('/tmp/upload.bin')).toBe(expected);
      const listed = await exec(client, 'sha256sum /tmp/upload.bin && stat -c "%s %a %U %G" /tmp/upload.bin');
      expect(listed.stdout).toBe(`${expected}  /tmp/upload.bin\n200000 644 ops ops\n`);
      // An unprivileged upload into /opt is refused like on a real host.
      const denied = await new Promise<Error | undefined>((resolve) => session.writeFile('/opt/voms/bin/x', 'x', (error) => resolve(error ?? undefined)));
      expect((denied as { code?: number } | undefined)?.code).toBe(3);
    } finally {
      client.end();
    }
  });

  test('ENOSPC fails the upload with SFTP FAILURE and leaves the target untouched', async () => {
    const before = host.vfs.sha256('/opt/voms/bin/server');
    host.vfs.fill('/', 4096);
    const client = await connect(description, { username: 'root', privateKey: rootKey.privateKey });
    try {
      const session = await sftp(client);
      const error = await new Promise<(Error & { code?: number }) | undefined>((resolve) =>
        session.writeFile('/opt/voms/bin/server.upload', randomBytes(64 * 1024), (err) => resolve(err ?? undefined)));
      expect(error?.code).toBe(4);
      expect(error?.message).toBe('Failure');
      expect(host.vfs.sha256('/opt/voms/bin/server')).toBe(before);
      const df = await exec(client, 'df -P /opt/voms/bin');
      expect(df.stdout.split('\n')[1]).toMatch(/ 100% \/$/);
    } finally {
      client.end();
      host.vfs.fill('/', 10 * 1024 ** 3);
    }
  });
});

describe('HTTP and disk probes', () => {
  test('curl reaches a registered endpoint and fails on a closed port', async () => {
    const client = await connect(description, { username: 'ops', privateKey: opsKey.privateKey });
    try {
      const body = await exec(client, 'curl -s http://localhost:8181/api/v1/public/system/health');
      expect(body.code).toBe(0);
      expect(JSON.parse(body.stdout)).toMatchObject({ status: 'ok', path: '/api/v1/public/system/health', method: 'GET' });
      expect(await exec(client, "curl -s -o /dev/null -w '%{http_code}' http://localhost:8181/x")).toEqual({ code: 0, stdout: '200', stderr: '' });
      const posted = await exec(client, `curl -s -X POST -H 'Content-Type: application/json' -d '{"a":1}' http://127.0.0.1:8181/p`);
      expect(JSON.parse(posted.stdout)).toMatchObject({ method: 'POST', body: '{"a":1}' });
      expect(await exec(client, 'curl -sS http://localhost:9/')).toEqual({
        code: 7, stdout: '', stderr: "curl: (7) Failed to connect to localhost port 9 after 0 ms: Couldn't connect to server\n",
      });
      expect(await exec(client, "curl -s -o /dev/null -w '%{http_code}' http://localhost:9/")).toEqual({ code: 7, stdout: '000', stderr: '' });
    } finally {
      client.end();
    }
  });

  test('df -P prints the POSIX layout', async () => {
    const result = await openssh.run(description, 'ops', 'df -P /opt');
    expect(result.code).toBe(0);
    const [header, row, extra] = result.stdout.split('\n');
    expect(header).toMatch(/^Filesystem {5}1024-blocks +Used Available Capacity Mounted on$/);
    expect(extra).toBe('');
    const match = /^(\S+) +(\d+) +(\d+) +(\d+) +(\d+)% (\/.*)$/.exec(row!)!;
    expect(match).not.toBeNull();
    const [, device, size, used, available, capacity, mountedOn] = match;
    expect(device).toBe('/dev/sda1');
    expect(mountedOn).toBe('/');
    expect(Number(used) + Number(available)).toBe(Number(size));
    expect(Number(capacity)).toBe(Math.ceil((Number(used) * 100) / (Number(used) + Number(available))));
    // Columns line up under their headers: numbers end where the header ends.
    expect(row!.indexOf(size!) + size!.length).toBe(header!.indexOf('1024-blocks') + '1024-blocks'.length);
  });
});

describe('faults', () => {
  test('a refusing host refuses TCP connections until the fault is cleared', async () => {
    await host.setFaults({ refuse: true });
    try {
      await expect(connect(description, { username: 'ops', privateKey: opsKey.privateKey })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      const viaOpenSsh = await openssh.run(description, 'ops', 'true');
      expect(viaOpenSsh.code).toBe(255);
      expect(viaOpenSsh.stderr).toContain('Connection refused');
    } finally {
      await host.setFaults({ refuse: false });
    }
    expect((await openssh.run(description, 'ops', 'true')).code).toBe(0);
  });

  test('a hanging host prints part of the output and never exits', async () => {
    const client = await connect(description, { username: 'ops', privateKey: opsKey.privateKey });
    try {
      await host.setFaults({ hang: true });
      const events: string[] = [];
      const firstLine = new Promise<void>((resolve, reject) => {
        client.exec('echo first; echo second', (error, channel) => {
          if (error) return reject(error);
          channel.on('data', (data: Buffer) => {
            events.push(`data:${data.toString()}`);
            resolve();
          });
          channel.on('exit', (code: number) => events.push(`exit:${code}`));
          channel.end();
        });
      });
      await firstLine;
      await host.setFaults({ hang: false });
      // The connection still serves other commands; the hung one has not finished.
      expect(await exec(client, 'echo later')).toMatchObject({ code: 0, stdout: 'later\n' });
      expect(events).toEqual(['data:first\n']);
    } finally {
      client.end();
    }
  });

  test('a changed host key is refused by strict host key checking', async () => {
    const spare = new LabHost({ name: 'spare', clock, users: [{ name: 'ops', uid: 1000, authorizedKeys: [opsKey.publicLine] }] });
    const spareDescription = await spare.start();
    const files = new OpenSshClientFiles(opsKey);
    try {
      files.trust([spareDescription]);
      expect(await files.run(spareDescription, 'ops', 'hostname')).toMatchObject({ code: 0, stdout: 'spare\n' });
      const newKey = spare.changeHostKey();
      expect(newKey.fingerprint).not.toBe(spareDescription.hostKey.fingerprint);
      const refused = await files.run(spareDescription, 'ops', 'hostname');
      expect(refused.code).toBe(255);
      expect(refused.stderr).toContain('REMOTE HOST IDENTIFICATION HAS CHANGED');
      await expect(connect(spareDescription, { username: 'ops', privateKey: opsKey.privateKey })).rejects.toThrow(/verification failed/);
    } finally {
      files.dispose();
      await spare.stop();
    }
  });
});
