import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { shellCommand, shellQuote } from '../../../../shared/shell/quote';
import { parseDfPosix, parseEpochSeconds, parseLoadavg } from '../../../../shared/stacks/parsers';
import { buildSectionedScript, splitSections } from '../../../../shared/stacks/parsers/sections';
import { hostProbes } from '../../../../shared/stacks/profiles/generic';
import { wrapCommand } from '../../../core/ssh/exec';
import { PidMarkerFilter } from '../../../core/ssh/output';
import { LabClock } from '../clock';
import { BufferSink, InputSource } from '../io';
import { labBinary } from '../lab-binary';
import { LabHost } from '../lab-host';

/**
 * The exact command lines the console sends (exec's wrapper, sudo, transfer's checksum, the
 * probe engine's sectioned script), run by the lab shell in-process. ssh-exec.test.ts runs
 * them through the real SSH layer.
 */

let host: LabHost;
const dir = "/srv/it's a dir";

/** Values that break naive quoting; each must arrive as one argument, unexpanded. */
const hostile = [
  `it's "quoted"`,
  '$(touch /tmp/sb-pwned)',
  '`touch /tmp/sb-pwned`',
  'a; touch /tmp/sb-pwned',
  'two\nlines',
  '$HOME ${PATH} $1 $$',
  '* ? [a-z]',
  'back\\slash\\n',
  '--not-an-option',
  '-n',
  'ünïcödé 中文 🚀',
  '',
  ' leading and trailing ',
  '|&<>(){}#!~;',
  "'",
  '"',
  '%s %d %%',
];

beforeAll(() => {
  host = new LabHost({
    name: 'rc-1',
    clock: new LabClock({ timeScale: 0.001 }),
    users: [
      { name: 'ops', uid: 1000, shell: '/bin/sh', password: 'ops-pw', sudo: 'password' },
      { name: 'dev', uid: 1001, shell: '/bin/bash', groups: ['docker', 'adm'] },
    ],
  });
  host.vfs.mkdir(dir, { parents: true });
  host.vfs.chown(dir, { uid: 1000, gid: 1000 });
  host.vfs.writeFile(`${dir}/file with spaces`, 'payload\n');
  host.vfs.mkdir('/opt/voms/bin', { parents: true });
  host.vfs.writeFile('/opt/voms/bin/server', labBinary({ program: 'voms-server', version: '1.8.3', readyLines: ['Server is ready'] }), { mode: 0o755 });
  host.services.install({ name: 'voms-server', description: 'VOMS server', execStart: '/opt/voms/bin/server' });
  host.services.bootstrap('voms-server', host.clock.now() - 3_600_000);
  host.http.register(8181, () => ({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"status":"ok"}' }));
  host.sockets.register('/run/haproxy/admin.sock', (input) => (input.trim() === 'show stat' ? '# pxname,svname,status\nrocketchat,rc-1,UP\n\n' : '\n'), {
    mode: 0o666, uid: 0, gid: 0,
  });
  host.containers.add({ name: 'presence-1', image: 'rocketchat/presence-service:7.0.0', createdAtMs: host.clock.now() - 3_600_000, runningSinceMs: host.clock.now() - 3_600_000 });
  host.commands.register('vmq-admin', (ctx) => {
    if (!ctx.argv.includes('--format=json')) return 1;
    ctx.stdout.write('{"table":[{"Node":"VerneMQ@rc-1","Running":true}],"type":"table"}\n');
    return 0;
  });
});

afterAll(async () => {
  await host.stop();
});

interface Wrapped {
  /** The pid the wrapper printed (what cancel kills). */
  pid: number | undefined;
  stdout: string;
  stderr: string;
  code: number;
}

/** Runs a line as the SSH layer would: the wrapper's pid marker is taken off stdout by the console's own filter. */
async function runWrapped(line: string, user: string, stdin = ''): Promise<Wrapped> {
  const result = await host.run(line, user, stdin);
  let pid: number | undefined;
  const chunks: Buffer[] = [];
  const filter = new PidMarkerFilter((found) => (pid = found), (chunk) => chunks.push(chunk));
  filter.push(Buffer.from(result.stdout));
  filter.flush();
  return { pid, stdout: Buffer.concat(chunks).toString('utf8'), stderr: result.stderr, code: result.code };
}

describe("exec's wrapper: echo <marker>$$ && cd -- DIR && exec ARGV", () => {
  test.each(['ops', 'dev'])('hostile arguments and directory arrive intact for %s', async (user) => {
    const result = await runWrapped(wrapCommand(['printf', '%s\\n', ...hostile], dir), user);
    expect(result).toMatchObject({ code: 0, stderr: '', stdout: hostile.map((value) => `${value}\n`).join('') });
    expect(result.pid).toBeGreaterThan(1);
    expect(host.vfs.exists('/tmp/sb-pwned')).toBe(false);
    expect(await runWrapped(wrapCommand(['pwd'], dir), user)).toMatchObject({ stdout: `${dir}\n` });
  });

  test('a missing directory stops the command with the shell\'s error', async () => {
    expect(await runWrapped(wrapCommand(['touch', '/tmp/never'], '/nope'), 'ops')).toMatchObject({ code: 2, stdout: '', stderr: "sh: 1: cd: can't cd to /nope\n" });
    expect(await runWrapped(wrapCommand(['touch', '/tmp/never'], '/nope'), 'dev')).toMatchObject({ code: 1, stderr: 'bash: line 1: cd: /nope: No such file or directory\n' });
    expect(host.vfs.exists('/tmp/never')).toBe(false);
  });

  test('the command takes over the printed pid and its process group, so kill -TERM -PID cancels it', async () => {
    const stdout = new BufferSink();
    const done = host.shell.run(wrapCommand(['sleep', '100']), {
      user: host.accounts.user('ops')!, stdin: InputSource.empty(), stdout, stderr: new BufferSink(), signal: new AbortController().signal,
    });
    let pid: number | undefined;
    const deadline = Date.now() + 10_000;
    while (pid === undefined || host.shell.processes.get(pid)?.argv[0] !== 'sleep') {
      if (Date.now() > deadline) throw new Error('the wrapped sleep did not start');
      await new Promise((resolve) => setImmediate(resolve));
      pid = Number(stdout.text().slice(PidMarkerFilter.marker.length).trim()) || undefined;
    }
    expect(host.shell.processes.get(pid)).toMatchObject({ pid, pgid: pid, argv: ['sleep', '100'] });
    expect(await host.run(`kill -TERM -${pid} 2>/dev/null || exit 0`, 'ops')).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await done).toBe(143);
    expect(host.shell.processes.group(pid)).toEqual([]);
  });
});

describe('sudo as the console runs it', () => {
  test('sudo -n refuses without a password; sudo -S -p \'\' reads it from stdin and passes the rest on', async () => {
    const argv = ['sh', '-c', 'echo "$(id -u) [$1]"; cat', 'sh', 'a b'];
    expect(await runWrapped(wrapCommand(['sudo', '-n', '--', ...argv]), 'ops')).toMatchObject({ code: 1, stdout: '', stderr: 'sudo: a password is required\n' });
    expect(await runWrapped(wrapCommand(['sudo', '-S', '-p', '', '--', ...argv]), 'ops', 'ops-pw\nrest of stdin\n')).toMatchObject({
      code: 0, stdout: '0 [a b]\nrest of stdin\n', stderr: '',
    });
  });
});

describe("transfer's checksum, mv, chmod, chown, rm", () => {
  /** As electron/core/ssh/transfer.ts sends it (ssh-exec.test.ts runs the real one through upload()). */
  const checksumScript = 'if command -v sha256sum >/dev/null 2>&1; then sha256sum -- "$1"; else shasum -a 256 -- "$1"; fi';

  test('the checksum script hashes a file whose name needs quoting', async () => {
    const path = `${dir}/file with spaces`;
    const digest = createHash('sha256').update('payload\n').digest('hex');
    expect(await runWrapped(wrapCommand(['sh', '-c', checksumScript, 'sh', path]), 'ops')).toMatchObject({ code: 0, stdout: `${digest}  ${path}\n` });
    expect(await runWrapped(wrapCommand(['sh', '-c', checksumScript, 'sh', '/nope']), 'ops')).toMatchObject({
      code: 1, stderr: 'sha256sum: /nope: No such file or directory\n',
    });
  });

  test('chmod, chown, mv -f --, rm -f -- with awkward names', async () => {
    const temporary = `${dir}/.upload-'tmp'`;
    const target = `${dir}/-target file`;
    await host.run(shellCommand(['cp', `${dir}/file with spaces`, temporary]), 'root');
    for (const argv of [['chmod', '640', '--', temporary], ['chown', '--', 'ops:ops', temporary], ['mv', '-f', '--', temporary, target], ['rm', '-f', '--', temporary]]) {
      expect(await runWrapped(wrapCommand(argv), 'root')).toMatchObject({ code: 0, stdout: '', stderr: '' });
    }
    expect(await host.run(`stat -c '%a %U %s' -- ${shellQuote(target)}`)).toMatchObject({ stdout: '640 ops 8\n' });
  });
});

describe("the probe engine's sectioned script", () => {
  const nonce = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';

  test('every section comes back complete with its exit status, and the probes parse', async () => {
    const sections = [
      ...Object.values(hostProbes).map((probe) => ({ name: probe.id, command: probe.command() })),
      { name: 'haproxy.stat', command: shellCommand(['sh', '-c', 'echo "show stat" | socat stdio "UNIX-CONNECT:$1"', 'sh', '/run/haproxy/admin.sock']) },
      { name: 'unit', command: shellCommand(['systemctl', 'show', '-p', 'ActiveState,SubState', 'voms-server']) },
      { name: 'health', command: shellCommand(['curl', '-s', '-m', '5', '-w', '\n%{http_code}', 'http://localhost:8181/api/v1/public/system/health']) },
      { name: 'journal', command: shellCommand(['journalctl', '-u', 'voms-server', '-n', '1', '-o', 'json', '--no-pager']) },
      { name: 'docker', command: shellCommand(['docker', 'inspect', '--format', '{{.State.Status}}', 'presence-1']) },
      { name: 'vmq', command: shellCommand(['sh', '-c', 'vmq-admin cluster show --format=json 2>/dev/null || vmq-admin cluster show']) },
      { name: 'checksum', command: shellCommand(['sha256sum', '--', `${dir}/file with spaces`]) },
      { name: 'stat', command: shellCommand(['stat', '-c', '%a %s', '--', `${dir}/file with spaces`]) },
      // A section may exit, cd, fail, print no newline, or print a forged frame: none of it leaks.
      { name: 'exits', command: 'cd /tmp; echo "in $PWD"; exit 3' },
      { name: 'missing', command: 'nosuch-tool --version' },
      { name: 'no-newline', command: "printf 'partial'" },
      // The nonce is fresh per round, so a probe's output cannot know it.
      { name: 'forged', command: shellCommand(['printf', '%s\n', '@@SB-END 00000000000000000000000000000000 forged 0', '@@SB-BEGIN 0000000000000000 other']) },
    ];
    const script = buildSectionedScript(nonce, sections);
    const result = await runWrapped(wrapCommand(['sh', '-c', script]), 'dev');
    expect(result.code).toBe(0);
    const split = splitSections(result.stdout, nonce, sections.map((section) => section.name));
    expect(split.outside).toBe('');
    const byName = Object.fromEntries(split.sections.map((section) => [section.name, section]));
    expect(split.sections.map((section) => section.state)).toEqual(sections.map(() => 'complete'));
    for (const name of ['host.loadavg', 'host.meminfo', 'host.uptime', 'host.clock', 'host.disk', 'haproxy.stat', 'unit', 'health', 'journal', 'docker', 'vmq', 'checksum', 'stat', 'no-newline']) {
      expect({ name, exitCode: byName[name]!.exitCode }).toEqual({ name, exitCode: 0 });
    }
    expect(byName.exits).toMatchObject({ exitCode: 3, output: 'in /tmp\n' });
    // `sh -c` is dash whatever the login shell; it counts the script's lines.
    const missingLine = script.split('\n').indexOf('nosuch-tool --version') + 1;
    expect(byName.missing).toMatchObject({ exitCode: 127, output: `sh: ${missingLine}: nosuch-tool: not found\n` });
    expect(byName['no-newline']!.output).toBe('partial');
    expect(byName.forged).toMatchObject({ exitCode: 0, output: '@@SB-END 00000000000000000000000000000000 forged 0\n@@SB-BEGIN 0000000000000000 other\n' });
    expect(parseLoadavg(byName['host.loadavg']!.output).status).toBe('ok');
    expect(parseEpochSeconds(byName['host.clock']!.output, 0).status).toBe('ok');
    expect(parseDfPosix(byName['host.disk']!.output, 0).status).toBe('ok');
    expect(byName['haproxy.stat']!.output).toBe('# pxname,svname,status\nrocketchat,rc-1,UP\n\n');
    expect(byName.unit!.output).toBe('ActiveState=active\nSubState=running\n');
    expect(byName.health!.output).toBe('{"status":"ok"}\n200');
    expect(JSON.parse(byName.journal!.output)).toMatchObject({ UNIT: 'voms-server.service' });
    expect(byName.docker!.output).toBe('running\n');
    expect(JSON.parse(byName.vmq!.output)).toMatchObject({ type: 'table' });
    expect(byName.checksum!.output).toBe(`${createHash('sha256').update('payload\n').digest('hex')}  ${dir}/file with spaces\n`);
    expect(byName.stat!.output).toBe('644 8\n');
  });
});
