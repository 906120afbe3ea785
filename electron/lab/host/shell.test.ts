import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { shellCommand } from '../../../shared/shell/quote';
import { LabClock } from './clock';
import { labBinary } from './lab-binary';
import { LabHost } from './lab-host';

/** The interpreter and the built-in commands, run in-process (the SSH path is in ssh.test.ts). */

let host: LabHost;

beforeAll(() => {
  host = new LabHost({
    name: 'rc-1',
    clock: new LabClock({ timeScale: 0.001 }),
    users: [
      { name: 'ops', uid: 1000, shell: '/bin/sh' },
      { name: 'dockerops', uid: 1002, groups: ['docker'] },
    ],
  });
  host.vfs.mkdir('/home/app', { parents: true });
  host.vfs.writeFile('/home/app/wukongim', labBinary({ program: 'wukongim', version: 'v2.1.2' }), { mode: 0o755 });
  host.vfs.writeFile('/opt/deploy.sh', '#!/bin/sh\necho "deploying $1"\nmissing-tool\nexit 3\n', { mode: 0o755 });
  host.sockets.register('/run/haproxy/admin.sock', (input) => (input.trim() === 'show stat' ? '# pxname,svname,status\nrocketchat,rc-1,UP\n\n' : '\n'), {
    mode: 0o660, uid: 0, gid: 0,
  });
  host.containers.add({
    name: 'presence-1',
    image: 'rocketchat/presence-service:7.0.0',
    command: ['docker-entrypoint.sh', 'node', 'index.js'],
    ports: [{ containerPort: 3000, hostPort: 3001 }],
    restartPolicy: 'always',
    createdAtMs: host.clock.now() - 4 * 3_600_000,
    runningSinceMs: host.clock.now() - 3 * 3_600_000 - 60_000,
  });
  host.containers.add({
    name: 'rocketchat-presence',
    image: 'rocketchat/presence-service:6.13.1',
    healthcheck: true,
    createdAtMs: host.clock.now() - 3_600_000,
    runningSinceMs: host.clock.now() - 3_600_000,
  });
});

afterAll(async () => {
  await host.stop();
});

const run = (command: string, user = 'root', stdin = ''): ReturnType<LabHost['run']> => host.run(command, user, stdin);

describe('parsing and control flow', () => {
  test('lists, negation, exit status and variables', async () => {
    expect(await run('false; echo $?')).toMatchObject({ stdout: '1\n', code: 0 });
    expect(await run('false || echo fallback && echo and')).toMatchObject({ stdout: 'fallback\nand\n' });
    expect(await run('! true')).toMatchObject({ code: 1 });
    expect(await run('X=5; export Y=6; echo "$X ${Y} ${Z:-unset} $HOME"')).toMatchObject({ stdout: '5 6 unset /root\n' });
    expect(await run("echo '$HOME' \"$HOME\"")).toMatchObject({ stdout: '$HOME /root\n' });
    expect(await run('exit 7; echo never')).toMatchObject({ code: 7, stdout: '' });
    expect(await run('set -e; false; echo never')).toMatchObject({ code: 1, stdout: '' });
  });

  test('every argument built by shellCommand arrives intact', async () => {
    const values = ['plain', 'two words', "it's", '"quoted"', '$HOME', '`cmd`', 'a;b', 'x|y', '*', '', 'back\\slash', 'tab\there'];
    const result = await run(shellCommand(['printf', '[%s]\\n', ...values]));
    expect(result.stdout).toBe(values.map((v) => `[${v}]\n`).join(''));
  });

  test('redirections and pipes', async () => {
    expect(await run('echo out; echo err >&2')).toMatchObject({ stdout: 'out\n', stderr: 'err\n' });
    expect(await run('cat /nope > /dev/null 2>&1')).toMatchObject({ code: 1, stdout: '', stderr: '' });
    expect(await run('cat /nope 2>&1')).toMatchObject({ stdout: 'cat: /nope: No such file or directory\n', stderr: '' });
    expect(await run('echo one > /tmp/f; echo two >> /tmp/f; cat < /tmp/f')).toMatchObject({ stdout: 'one\ntwo\n' });
    expect(await run("printf 'a\\nb\\nc\\n' | tail -n 2 | head -n 1")).toMatchObject({ stdout: 'b\n' });
    expect(await run("printf 'Started x\\nFailed y\\n' | grep -c Failed")).toMatchObject({ stdout: '1\n' });
    expect(await run('echo a b c | wc -w')).toMatchObject({ stdout: '3\n' });
  });

  test('sh -c, scripts with a shebang, cd and relative paths', async () => {
    expect(await run(`sh -c 'echo "$0 $1 $#"' name arg1`)).toMatchObject({ stdout: 'name arg1 1\n' });
    expect(await run("sh -c 'no-such-cmd'")).toMatchObject({ code: 127, stderr: 'sh: 1: no-such-cmd: not found\n' });
    expect(await run("bash -c 'no-such-cmd'")).toMatchObject({ code: 127, stderr: 'bash: line 1: no-such-cmd: command not found\n' });
    expect(await run('/opt/deploy.sh release')).toEqual({
      code: 3, stdout: 'deploying release\n', stderr: '/opt/deploy.sh: 3: missing-tool: not found\n',
    });
    expect(await run('cd /nope')).toMatchObject({ code: 1, stderr: 'bash: line 1: cd: /nope: No such file or directory\n' });
    expect(await run('cd /nope', 'ops')).toMatchObject({ code: 2, stderr: "sh: 1: cd: can't cd to /nope\n" });
    expect(await run('cd /home/app && ls')).toMatchObject({ stdout: 'wukongim\n' });
    expect(await run('/home/app/wukongim --version')).toMatchObject({ code: 0, stdout: 'wukongim version v2.1.2\n' });
    expect(await run('/etc/hostname')).toMatchObject({ code: 126, stderr: 'bash: line 1: /etc/hostname: Permission denied\n' });
    expect(await run('for x in a "b c"; do echo "[$x]"; done')).toMatchObject({ code: 0, stdout: '[a]\n[b c]\n' });
  });

  test('system simulators can add commands by name and by path', async () => {
    host.commands.register('vmq-admin', (ctx) => {
      ctx.stdout.write(`${JSON.stringify(ctx.argv.slice(1))}\n`);
      return 0;
    });
    host.commands.register('/home/app/wukongim', (ctx) => {
      ctx.stdout.write(`stopping from ${ctx.cwd}\n`);
      return 0;
    });
    expect(await run("vmq-admin cluster join 'discovery-node=VerneMQ@node 1'")).toMatchObject({ stdout: '["cluster","join","discovery-node=VerneMQ@node 1"]\n' });
    expect(await run('cd /home/app && ./wukongim stop')).toMatchObject({ stdout: 'stopping from /home/app\n' });
    // A path command needs its file: once removed, it is gone.
    await run('mv /home/app/wukongim /home/app/wukongim.old');
    expect(await run('cd /home/app && ./wukongim stop')).toMatchObject({ code: 127, stderr: 'bash: line 1: ./wukongim: No such file or directory\n' });
    await run('mv /home/app/wukongim.old /home/app/wukongim');
  });

  test('timeout and sleep follow the lab clock', async () => {
    expect(await run('timeout 5 sleep 60; echo $?')).toMatchObject({ stdout: '124\n' });
    expect(await run('sleep 0.5 && echo slept')).toMatchObject({ stdout: 'slept\n' });
  });
});

describe('file commands', () => {
  test('ls -l, stat -c, sha256sum, test', async () => {
    await run('mkdir -p /srv/app && printf hello > /srv/app/a.txt && chmod 640 /srv/app/a.txt && chown ops:ops /srv/app/a.txt');
    expect((await run('ls -l /srv/app')).stdout).toMatch(/^total 4\n-rw-r----- 1 ops ops 5 \w{3} [ \d]\d \d{2}:\d{2} a\.txt\n$/);
    expect((await run('stat -c "%s %a %U %G %n" /srv/app/a.txt')).stdout).toBe('5 640 ops ops /srv/app/a.txt\n');
    expect((await run('stat -c %Y /srv/app/a.txt')).stdout.trim()).toBe(String(Math.floor(host.vfs.stat('/srv/app/a.txt').mtimeMs / 1000)));
    expect((await run('sha256sum /srv/app/a.txt')).stdout).toBe('2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824  /srv/app/a.txt\n');
    expect(await run('test -f /srv/app/a.txt && [ -d /srv/app ] && [ ! -e /srv/nope ] && test -s /srv/app/a.txt')).toMatchObject({ code: 0 });
    expect(await run('[ -x /srv/app/a.txt ]')).toMatchObject({ code: 1 });
    expect(await run('[ 1 -lt 2 ')).toMatchObject({ code: 2, stderr: "bash: line 1: [: missing `]'\n" });
    expect(await run('cat /srv/app/a.txt', 'dockerops')).toMatchObject({ code: 1, stderr: 'cat: /srv/app/a.txt: Permission denied\n' });
  });

  test('cp, mv, ln -sfn, rm, mkdir with coreutils messages', async () => {
    expect(await run('cp /nope /tmp/x')).toMatchObject({ code: 1, stderr: "cp: cannot stat '/nope': No such file or directory\n" });
    expect(await run('mkdir /srv/app')).toMatchObject({ code: 1, stderr: 'mkdir: cannot create directory \u2018/srv/app\u2019: File exists\n' });
    await run('mkdir -p /srv/releases/1 /srv/releases/2 && ln -s /srv/releases/1 /srv/current');
    expect(await run('ln -sfn /srv/releases/2 /srv/current && readlink /srv/current')).toMatchObject({ stdout: '/srv/releases/2\n' });
    expect(await run('cp -p /srv/app/a.txt /srv/releases/2/ && stat -c "%a %U" /srv/current/a.txt')).toMatchObject({ stdout: '640 ops\n' });
    expect(await run('mv /srv/current/a.txt /srv/current/b.txt && ls /srv/releases/2')).toMatchObject({ stdout: 'b.txt\n' });
    expect(await run('rm /srv/releases')).toMatchObject({ code: 1, stderr: "rm: cannot remove '/srv/releases': Is a directory\n" });
    expect(await run('rm -rf /srv/releases && ls /srv')).toMatchObject({ stdout: 'app\ncurrent\n' });
  });

  test('df -P and /proc files', async () => {
    const df = await run('df -P /');
    expect(df.stdout.split('\n')[0]).toBe('Filesystem     1024-blocks    Used Available Capacity Mounted on');
    expect((await run('cat /proc/loadavg')).stdout).toMatch(/^0\.08 0\.12 0\.10 \d+\/\d+ \d+\n$/);
    expect((await run('cat /proc/uptime')).stdout).toMatch(/^\d+\.\d{2} \d+\.\d{2}\n$/);
    expect((await run('grep MemTotal /proc/meminfo')).stdout).toBe('MemTotal:        8131728 kB\n');
    expect((await run('uptime')).stdout).toMatch(/^ \d{2}:\d{2}:\d{2} up 3 days, {2}4:0\d, {2}1 user, {2}load average: 0\.08, 0\.12, 0\.10\n$/);
    expect(Math.abs(Number((await run('date +%s')).stdout) - Date.now() / 1000)).toBeLessThan(5);
  });
});

describe('sockets and containers', () => {
  test('socat routes to a registered Unix socket', async () => {
    const expected = { code: 0, stdout: '# pxname,svname,status\nrocketchat,rc-1,UP\n\n', stderr: '' };
    expect(await run("echo 'show stat' | socat stdio /run/haproxy/admin.sock")).toEqual(expected);
    expect(await run("echo 'show stat' | socat stdio UNIX-CONNECT:/run/haproxy/admin.sock")).toEqual(expected);
    const missing = await run('echo x | socat stdio /run/nope.sock');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2} socat\[\d+\] E connect\(5, AF=1 "\/run\/nope\.sock", 17\): No such file or directory\n$/);
    expect((await run("echo 'show stat' | socat stdio /run/haproxy/admin.sock", 'ops')).stderr).toMatch(/Permission denied\n$/);
  });

  test('docker ps --format {{json .}}, inspect and restart', async () => {
    const ps = await run("docker ps --filter name=presence-1 --format '{{json .}}'", 'dockerops');
    const row = JSON.parse(ps.stdout) as Record<string, string>;
    expect(Object.keys(row)).toEqual(['Command', 'CreatedAt', 'ID', 'Image', 'Labels', 'LocalVolumes', 'Mounts', 'Names', 'Networks', 'Ports', 'RunningFor', 'Size', 'State', 'Status']);
    expect(row).toMatchObject({
      Command: '"docker-entrypoint.s\u2026"',
      Image: 'rocketchat/presence-service:7.0.0',
      Names: 'presence-1',
      Ports: '0.0.0.0:3001->3000/tcp, :::3001->3000/tcp',
      RunningFor: '4 hours ago',
      State: 'running',
      Status: 'Up 3 hours',
    });
    expect(row.ID).toMatch(/^[0-9a-f]{12}$/);
    expect(row.CreatedAt).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \+0000 UTC$/);

    const inspected = JSON.parse((await run('docker inspect presence-1')).stdout) as Array<Record<string, unknown>>;
    expect(inspected[0]).toMatchObject({ Name: '/presence-1', State: { Status: 'running', Running: true }, Config: { Image: 'rocketchat/presence-service:7.0.0' } });
    expect(await run("docker inspect -f '{{.State.Status}} {{json .HostConfig.RestartPolicy}}' presence-1")).toMatchObject({
      stdout: 'running {"Name":"always","MaximumRetryCount":0}\n',
    });
    expect(await run('docker restart presence-1')).toMatchObject({ code: 0, stdout: 'presence-1\n' });
    expect((await run("docker ps --filter name=presence-1 --format '{{.Names}} {{.Status}}'")).stdout).toBe('presence-1 Up Less than a second\n');
    expect((await run("docker ps --filter name=rocketchat-presence --format '{{.Image}} {{.Status}}'")).stdout).toBe(
      'rocketchat/presence-service:6.13.1 Up About an hour (healthy)\n',
    );
    expect(await run('docker restart nope')).toMatchObject({ code: 1, stderr: 'Error response from daemon: No such container: nope\n' });
    expect((await run('docker ps', 'ops')).stderr).toMatch(/^permission denied while trying to connect to the Docker daemon socket/);
  });
});
