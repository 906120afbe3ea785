import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BufferSink, InputSource } from '../io';
import { LabClock } from '../clock';
import { labBinary } from '../lab-binary';
import { LabHost } from '../lab-host';

/**
 * The lab shell's POSIX subset, construct by construct, run in-process. Expected outputs
 * were checked against dash 0.5.12 and bash 5.2 on Debian 12 (root's login shell is bash,
 * `ops` has /bin/sh, so errors read like dash's).
 */

let host: LabHost;

beforeAll(() => {
  host = new LabHost({
    name: 'sh-1',
    clock: new LabClock({ timeScale: 0.001 }),
    users: [
      { name: 'ops', uid: 1000, shell: '/bin/sh' },
      { name: 'dev', uid: 1001, shell: '/bin/bash' },
    ],
  });
  host.vfs.mkdir('/srv/g', { parents: true });
  for (const name of ['a.txt', 'b.txt', 'c.log', '.hidden.txt']) host.vfs.writeFile(`/srv/g/${name}`, name);
});

afterAll(async () => {
  await host.stop();
});

/** Runs as `ops` (dash) unless another user is named. */
const sh = (script: string, user = 'ops', stdin = ''): ReturnType<LabHost['run']> => host.run(script, user, stdin);
const bash = (script: string, stdin = ''): ReturnType<LabHost['run']> => host.run(script, 'dev', stdin);

/** Starts a script as a login session and hands back its live stdout, for commands that must be stopped from outside. */
function session(script: string, user = 'ops'): { stdout: BufferSink; stderr: BufferSink; done: Promise<number> } {
  const stdout = new BufferSink();
  const stderr = new BufferSink();
  const account = host.accounts.user(user)!;
  const done = host.shell.run(script, { user: account, stdin: InputSource.empty(), stdout, stderr, signal: new AbortController().signal });
  return { stdout, stderr, done };
}

/** Polls (no sleeping: each check yields to the event loop) until `predicate` holds. */
async function until<T>(probe: () => T | undefined, what: string, deadlineMs = 10_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const processNamed = (...argv: string[]) => () => host.shell.processes.list().find((process) => process.argv.join(' ') === argv.join(' '));

describe('quoting and expansion', () => {
  test('single quotes, double quotes and backslashes', async () => {
    expect(await sh(`x=v; printf '[%s]' 'single $x' "double \\$x \\"q\\" \\\\ \\a $x" plain\\ space \\$x; echo`)).toMatchObject({
      stdout: '[single $x][double $x "q" \\ \\a v][plain space][$x]\n',
    });
    expect(await sh(`echo 'it'\\''s' "a"'b'c`)).toMatchObject({ stdout: "it's abc\n" });
  });

  test('parameters: default, assign, alternative, error, length, prefix and suffix removal', async () => {
    expect(await sh('x=; echo "[${x:-d}] [${x-d}] [${x:+s}] [${x+s}] [${nope-u}] [${nope:-u}]"')).toMatchObject({ stdout: '[d] [] [] [s] [u] [u]\n' });
    expect(await sh('unset y; echo ${y:=def} $y')).toMatchObject({ stdout: 'def def\n' });
    expect(await sh('v=/a/b/c.tar.gz; echo ${v#*/} ${v##*/} ${v%.*} ${v%%.*} ${#v} "${v#"/a"}"')).toMatchObject({
      stdout: 'a/b/c.tar.gz c.tar.gz /a/b/c.tar /a/b/c 13 /b/c.tar.gz\n',
    });
    expect(await sh('echo ${nope:?custom message}; echo after')).toEqual({ code: 2, stdout: '', stderr: 'sh: 1: nope: custom message\n' });
    expect(await bash('echo ${nope:?}; echo after')).toEqual({ code: 127, stdout: '', stderr: 'bash: line 1: nope: parameter null or not set\n' });
  });

  test('positional parameters, $#, $@, "$@", $* and "$*"', async () => {
    const script = `sh -c 'printf "[%s]" "$@"; echo " $# $1 \${10}"; printf "<%s>" $@; echo; IFS=,; echo "$*"' sh a "b c" '' 4 5 6 7 8 9 ten`;
    expect(await sh(script)).toMatchObject({ stdout: '[a][b c][]' + '[4][5][6][7][8][9][ten] 10 a ten\n<a><b><c><4><5><6><7><8><9><ten>\na,b c,,4,5,6,7,8,9,ten\n' });
    expect(await sh('set --; for a in "$@"; do echo never; done; echo "[$#][$@][$*]"')).toMatchObject({ stdout: '[0][][]\n' });
  });

  test('$? and $$: the session pid is stable in subshells and command substitutions, a child shell has its own', async () => {
    const { stdout } = await sh('false; echo $?; echo $$; (echo $$); echo "$(echo $$)"; sh -c \'echo $$\'');
    const [status, pid, inSubshell, inSubstitution, child] = stdout.trim().split('\n');
    expect(status).toBe('1');
    expect(pid).toMatch(/^\d+$/);
    expect([inSubshell, inSubstitution]).toEqual([pid, pid]);
    expect(child).toMatch(/^\d+$/);
    expect(child).not.toBe(pid);
  });

  test('arithmetic: precedence, C operators, assignment, 64-bit wrap, bases and errors', async () => {
    expect(await sh('x=5; echo $((1+2*3)) $(((1+2)*3)) $((-7/2)) $((-7%2)) $((1<<3)) $((5>3)) $((1==1&&0)) $((3 ? 4 : 5)) $((!0)) $((~0)) $((x*2)) $(($x+1)) $((x+=3)) $x')).toMatchObject({
      stdout: '7 9 -3 -1 8 1 0 4 1 -1 10 6 8 8\n',
    });
    expect(await sh('echo $((010 + 0x10)) $((9223372036854775807 + 1))')).toMatchObject({ stdout: '24 -9223372036854775808\n' });
    expect(await sh('echo $((1/0)); echo after')).toEqual({ code: 2, stdout: '', stderr: 'sh: 1: arithmetic expression: division by zero: "1/0"\n' });
    expect(await sh('x=abc; echo $((x+1))')).toEqual({ code: 2, stdout: '', stderr: 'sh: 1: Illegal number: abc\n' });
    expect(await bash('x=2*3; i=1; echo $((x+1)) $((i++)) $((++i)) $((2**10))')).toMatchObject({ stdout: '7 1 3 1024\n' });
  });

  test('command substitution and backticks run in a subshell; their output is never expanded again', async () => {
    expect(await sh('echo "$(echo "nested $(echo deep)")" `echo \\`echo back\\``')).toMatchObject({ stdout: 'nested deep back\n' });
    expect(await sh(`v=$(printf 'a\\n\\n\\n'); echo "[$v]"`)).toMatchObject({ stdout: '[a]\n' });
    expect(await sh('x=$(exit 7); echo $?; y=$(x=inner; echo $x); echo $y ${x:-unset}')).toMatchObject({ stdout: '7\ninner unset\n' });
    expect(await sh(`x='$(touch /tmp/pwned) \`touch /tmp/pwned\`'; echo $x "$x"`)).toMatchObject({
      stdout: '$(touch /tmp/pwned) `touch /tmp/pwned` $(touch /tmp/pwned) `touch /tmp/pwned`\n',
    });
    expect(host.vfs.exists('/tmp/pwned')).toBe(false);
  });

  test('field splitting happens on unquoted expansions only, with IFS', async () => {
    expect(await sh('a="x  y"; printf "[%s]" $a "$a" ${a}z; echo')).toMatchObject({ stdout: '[x][y][x  y][x][yz]\n' });
    expect(await sh('IFS=:; a="x:y::z:"; printf "[%s]" $a; echo')).toMatchObject({ stdout: '[x][y][][z]\n' });
    expect(await sh('IFS=" :"; a=" x : y  z :"; printf "[%s]" $a; echo')).toMatchObject({ stdout: '[x][y][z]\n' });
    expect(await sh('echo ${x:-a  b} "${x:-a  b}" ${x:-"a  b"}')).toMatchObject({ stdout: 'a b a  b a  b\n' });
    expect(await sh('e=; printf "[%s]" $e "" "$e"; echo')).toMatchObject({ stdout: '[][]\n' });
  });

  test('tilde expansion and pathname expansion (*, ?, [...]) on the VFS', async () => {
    expect(await sh('echo ~ ~/x "~" ~root')).toMatchObject({ stdout: '/home/ops /home/ops/x ~ /root\n' });
    expect(await sh('echo /srv/g/*.txt /srv/g/?.log /srv/g/[ab].* "/srv/g/*" /srv/g/*.none')).toMatchObject({
      stdout: '/srv/g/a.txt /srv/g/b.txt /srv/g/c.log /srv/g/a.txt /srv/g/b.txt /srv/g/* /srv/g/*.none\n',
    });
    expect(await sh('cd /srv/g && echo * && set -f && echo *')).toMatchObject({ stdout: 'a.txt b.txt c.log\n*\n' });
  });
});

describe('lists, pipelines, subshells and groups', () => {
  test('; && || and newlines', async () => {
    expect(await sh('true && echo a || echo b; false && echo c || echo d\necho e')).toMatchObject({ stdout: 'a\nd\ne\n' });
    expect(await sh('echo a && false || echo b && echo c')).toMatchObject({ stdout: 'a\nb\nc\n' });
    expect(await sh('! false && echo negated; ! true; echo $?')).toMatchObject({ stdout: 'negated\n1\n' });
  });

  test('pipeline stages run at the same time; the last status counts (pipefail in bash)', async () => {
    expect(await sh("printf 'a\\nb\\nc\\n' | tail -n 2 | head -n 1")).toMatchObject({ stdout: 'b\n' });
    expect(await sh("printf '%s\\n' 'a b' c | while read line; do echo \"<$line>\"; done")).toMatchObject({ stdout: '<a b>\n<c>\n' });
    expect(await sh('true | false; echo $?; false | true; echo $?')).toMatchObject({ stdout: '1\n0\n' });
    expect(await bash('set -o pipefail; false | true; echo $?')).toMatchObject({ stdout: '1\n' });
    expect(await sh('echo a | { read v; echo "got $v"; }; echo x | exit 4; echo $?')).toMatchObject({ stdout: 'got a\n4\n' });
  });

  test('a writer whose reader has gone dies of SIGPIPE (an endless writer ends)', async () => {
    expect(await sh('while :; do echo y; done | head -n 2')).toEqual({ code: 0, stdout: 'y\ny\n', stderr: '' });
    expect(await bash('set -o pipefail; while :; do echo y; done | head -n 1; echo $?')).toMatchObject({ stdout: 'y\n141\n' });
  });

  test('subshells keep their variables, directory and exit to themselves; groups do not', async () => {
    expect(await sh('x=1; (x=2; cd /tmp; exit 3); echo "$? $x $PWD"')).toMatchObject({ stdout: '3 1 /home/ops\n' });
    expect(await sh('x=1; { x=2; cd /tmp; }; echo "$x $PWD"')).toMatchObject({ stdout: '2 /tmp\n' });
    expect(await sh('echo start; { echo in; exit 4; }; echo after')).toEqual({ code: 4, stdout: 'start\nin\n', stderr: '' });
    expect(await sh('f() { exit 4; }; (f); echo $?')).toMatchObject({ stdout: '4\n' });
  });
});

describe('redirections', () => {
  test('>, >>, <, 2>&1, /dev/null, fd duplication, order', async () => {
    expect(await sh('echo one > /tmp/r; echo two >> /tmp/r; cat < /tmp/r; cat /tmp/r | wc -l')).toMatchObject({ stdout: 'one\ntwo\n2\n' });
    expect(await sh('{ echo out; echo err >&2; } 2>&1 >/dev/null')).toEqual({ code: 0, stdout: 'err\n', stderr: '' });
    expect(await sh('{ echo out; echo err >&2; } >/dev/null 2>&1; cat /nope 2>/dev/null; echo $?')).toEqual({ code: 0, stdout: '1\n', stderr: '' });
    expect(await sh('cat </dev/null; echo "[$?]"; echo x 3>&1 1>&2 2>&3')).toEqual({ code: 0, stdout: '[0]\n', stderr: 'x\n' });
    expect(await sh('echo a >&3')).toEqual({ code: 2, stdout: '', stderr: 'sh: 1: 3: Bad file descriptor\n' });
    expect(await sh('echo x > /etc/owned')).toEqual({ code: 2, stdout: '', stderr: 'sh: 1: cannot create /etc/owned: Permission denied\n' });
    expect(await bash('echo x > /etc/owned')).toEqual({ code: 1, stdout: '', stderr: 'bash: line 1: /etc/owned: Permission denied\n' });
  });

  test('exec with redirections only keeps them for the rest of the shell', async () => {
    expect(await sh('exec 2>&1; echo x >&2')).toEqual({ code: 0, stdout: 'x\n', stderr: '' });
    expect(await sh('exec >/tmp/exec-out; echo hidden; echo shown >&2; cat /tmp/exec-out >&2')).toEqual({ code: 0, stdout: '', stderr: 'shown\nhidden\n' });
  });

  test('here-documents: expanded, literal with a quoted delimiter, tabs stripped by <<-; bash here-strings', async () => {
    expect(await sh('x=1; cat <<EOF\nvalue $x \\$x $(echo sub)\nEOF')).toMatchObject({ stdout: 'value 1 $x sub\n' });
    expect(await sh("cat <<'EOF'\nraw $HOME \\$x\nEOF")).toMatchObject({ stdout: 'raw $HOME \\$x\n' });
    expect(await sh('cat <<-EOF\n\ttab $HOME\n\tEOF')).toMatchObject({ stdout: 'tab /home/ops\n' });
    expect(await sh('read x y <<EOF\none two three\nEOF\necho "$x|$y"')).toMatchObject({ stdout: 'one|two three\n' });
    expect(await bash('x=hi; cat <<< "$x there"')).toMatchObject({ stdout: 'hi there\n' });
  });
});

describe('control flow', () => {
  test('if / elif / else', async () => {
    expect(await sh('if false; then echo a; elif true; then echo b; else echo c; fi')).toMatchObject({ stdout: 'b\n' });
    expect(await sh('if false; then echo a; fi; echo "st=$?"')).toMatchObject({ stdout: 'st=0\n' });
    expect(await sh('if true\nthen\n  echo multi\nfi')).toMatchObject({ stdout: 'multi\n' });
  });

  test('while and until with break and continue (also several levels)', async () => {
    expect(await sh('i=0; while [ $i -lt 5 ]; do i=$((i+1)); done; echo $i')).toMatchObject({ stdout: '5\n' });
    expect(await sh('i=0; until [ $i -ge 3 ]; do echo $i; i=$((i+1)); done')).toMatchObject({ stdout: '0\n1\n2\n' });
    expect(await sh('i=0; while :; do i=$((i+1)); [ $i -eq 3 ] && continue; [ $i -gt 5 ] && break; printf "%s " $i; done; echo')).toMatchObject({ stdout: '1 2 4 5 \n' });
    expect(await sh('for i in 1 2 3; do for j in a b; do [ $j = b ] && continue 2; echo $i$j; done; done')).toMatchObject({ stdout: '1a\n2a\n3a\n' });
    expect(await sh('for i in a b; do for j in 1 2; do [ $j = 2 ] && break 2; echo $i$j; done; done; echo done')).toMatchObject({ stdout: 'a1\ndone\n' });
  });

  test('for with a list, without one ("$@"), and with an empty one', async () => {
    expect(await sh('for x in a "b c" $(echo d e); do echo "[$x]"; done')).toMatchObject({ stdout: '[a]\n[b c]\n[d]\n[e]\n' });
    expect(await sh('set -- a "b c"; for x; do echo "[$x]"; done; echo $#')).toMatchObject({ stdout: '[a]\n[b c]\n2\n' });
    expect(await sh('for x in; do echo never; done; echo ok')).toMatchObject({ stdout: 'ok\n' });
  });

  test('case with alternatives, globs, brackets and quoted patterns', async () => {
    expect(await sh('case abc in a*) echo yes;; *) echo no;; esac; case "a*" in "a*") echo q;; esac; case ab in a\\*) echo bad;; a?) echo ok;; esac')).toMatchObject({
      stdout: 'yes\nq\nok\n',
    });
    expect(await sh('case foo in f*|b*) echo fb;; esac; case bar in [!f]*) echo notf;; esac; case 5 in [0-9]) echo digit;; esac; case x in (x) echo paren;; esac')).toMatchObject({
      stdout: 'fb\nnotf\ndigit\nparen\n',
    });
    expect(await sh('case nothing in a) echo a;; esac; echo "st=$?"')).toMatchObject({ stdout: 'st=0\n' });
  });

  test('functions: arguments, return, local, recursion limit', async () => {
    expect(await sh('f() { echo "$1-$#"; return 4; }; f a b; echo "$? [$1]"')).toMatchObject({ stdout: 'a-2\n4 []\n' });
    expect(await sh('a=1; f() { local a=2; g; }; g() { echo "g sees $a"; }; f; echo $a')).toMatchObject({ stdout: 'g sees 2\n1\n' });
    expect(await sh('f() { f; }; f; echo never')).toMatchObject({ code: 2, stdout: '', stderr: 'sh: 1: functions nested too deeply (more than 1000, lab shell guard)\n' });
  });

  test('a runaway loop is stopped by the iteration guard', async () => {
    const limits = host.shell.limits;
    const saved = limits.loopIterations;
    limits.loopIterations = 300;
    try {
      expect(await sh('while :; do :; done; echo never')).toEqual({ code: 2, stdout: '', stderr: 'sh: 1: loop stopped after 300 iterations (lab shell guard)\n' });
    } finally {
      limits.loopIterations = saved;
    }
  });
});

describe('builtins', () => {
  test('test and [', async () => {
    expect(await sh('test 1 -eq 1 && [ "a" = "a" ] && [ ! -e /nonexist ] && [ -d /srv/g ] && echo ok')).toMatchObject({ stdout: 'ok\n' });
    expect(await sh('x=; [ -z "$x" ] && echo empty; [ -n "$x" ] || echo none')).toMatchObject({ stdout: 'empty\nnone\n' });
  });

  test('command -v, command, type', async () => {
    expect(await bash('f() { :; }; command -v cd f ls nosuch; echo $?')).toMatchObject({ stdout: 'cd\nf\n/usr/bin/ls\n0\n' });
    expect(await sh('command -v nosuch; echo $?; command -v sha256sum')).toMatchObject({ stdout: '1\n/usr/bin/sha256sum\n' });
    expect(await sh('echo() { printf "fn\\n"; }; echo x; command echo real')).toMatchObject({ stdout: 'fn\nreal\n' });
    expect(await sh('type cd ls')).toMatchObject({ stdout: 'cd is a shell builtin\nls is /usr/bin/ls\n' });
  });

  test('exec replaces the shell: what follows never runs, the status is the command\'s', async () => {
    expect(await sh('echo a; exec echo b; echo c')).toEqual({ code: 0, stdout: 'a\nb\n', stderr: '' });
    expect(await sh('exec false; echo never')).toEqual({ code: 1, stdout: '', stderr: '' });
    expect(await sh('exec nosuch; echo never')).toEqual({ code: 127, stdout: '', stderr: 'sh: 1: exec: nosuch: not found\n' });
    expect(await bash('exec nosuch; echo never')).toEqual({ code: 127, stdout: '', stderr: 'bash: line 1: exec: nosuch: not found\n' });
  });

  test('exit, cd, true, false, :', async () => {
    expect(await sh('exit 300')).toMatchObject({ code: 44 });
    expect(await sh('exit foo')).toEqual({ code: 2, stdout: '', stderr: 'sh: 1: exit: Illegal number: foo\n' });
    expect(await sh('false; exit')).toMatchObject({ code: 1 });
    expect(await sh('cd /tmp; pwd; cd -- /; pwd; cd - ; :; true && ! false && echo $PWD')).toMatchObject({ stdout: '/tmp\n/\n/tmp\n/tmp\n' });
  });

  test('printf reuses its format for extra arguments; echo', async () => {
    expect(await sh("printf '%d|%s\\n' 1 a 2 b 3; printf '%%|%5s|%-3d|\\t|\\n' x 7; printf '%s-%s\\n' a")).toMatchObject({
      stdout: '1|a\n2|b\n3|\n%|    x|7  |\t|\na-\n',
    });
    expect(await sh('echo -n no; echo " newline"; echo a "b  c"')).toMatchObject({ stdout: 'no newline\na b  c\n' });
  });

  test('read, eval, shift, set -e, set -u, unset, export', async () => {
    expect(await sh('read a <<EOF\n  lead  trail  \nEOF\necho "[$a]"; IFS= read -r b <<EOF\n  keep \\\\n\nEOF\nprintf "[%s]\\n" "$b"')).toMatchObject({ stdout: '[lead  trail]\n[  keep \\n]\n' });
    expect(await sh('eval "x=1; y=2"; echo $x$y; s="a;b"; eval "echo \\$s"')).toMatchObject({ stdout: '12\na;b\n' });
    expect(await sh('set -- 1 2 3; shift; echo "$# $1"; shift 5; echo never')).toEqual({ code: 2, stdout: '2 2\n', stderr: "sh: 1: shift: can't shift that many\n" });
    expect(await sh('set -e; false || echo recovered; if false; then :; fi; f() { false; echo in-f; }; f || echo caught; false; echo never')).toEqual({
      code: 1, stdout: 'recovered\nin-f\n', stderr: '',
    });
    expect(await sh('set -u; echo ${unset_var}; echo after')).toEqual({ code: 2, stdout: '', stderr: 'sh: 1: unset_var: parameter not set\n' });
    expect(await sh('export A=1; B=2 sh -c \'echo "$A $B"\'; echo "[$B]"; unset A; sh -c \'echo "[$A]"\'')).toMatchObject({ stdout: '1 2\n[]\n[]\n' });
    expect(await sh('readonly r=1; r=2; echo after')).toEqual({ code: 2, stdout: '', stderr: 'sh: 1: r: is read only\n' });
  });

  test('trap EXIT runs at the end; wait and $! follow background jobs', async () => {
    expect(await sh('trap "echo bye" EXIT; echo hi; exit 3')).toEqual({ code: 3, stdout: 'hi\nbye\n', stderr: '' });
    expect(await sh('(sleep 0.01; exit 6) & p=$!; wait $p; echo "$? $p"')).toMatchObject({ stdout: expect.stringMatching(/^6 \d+\n$/) });
    expect(await sh('sleep 10 & p=$!; kill $p; wait $p; echo $?')).toMatchObject({ stdout: '143\n' });
  });

  test('sh -c and bash -c: positional parameters, $0, nesting', async () => {
    expect(await sh(`sh -c 'echo "$0:$1:$#"; sh -c "echo \\$0-\\$1" inner deep' outer a b`)).toMatchObject({ stdout: 'outer:a:2\ninner-deep\n' });
    expect(await sh(`bash -c 'echo "$0 $1"; nosuch' name arg`)).toEqual({ code: 127, stdout: 'name arg\n', stderr: 'name: line 1: nosuch: command not found\n' });
  });
});

describe('processes and kill', () => {
  test('kill -0 checks a pid; an unknown pid or group fails as dash and bash say', async () => {
    expect(await sh('kill -0 $$ && echo alive')).toMatchObject({ code: 0, stdout: 'alive\n' });
    expect(await sh('kill -0 99999999')).toEqual({ code: 1, stdout: '', stderr: 'sh: 1: kill: No such process\n\n' });
    expect(await bash('kill -TERM -99999999')).toEqual({ code: 1, stdout: '', stderr: 'bash: line 1: kill: (-99999999) - No such process\n' });
    expect(await sh('kill -s FOO 1')).toEqual({ code: 2, stdout: '', stderr: 'sh: 1: kill: invalid signal number or name: FOO\n' });
    expect(await sh('kill -l 15; kill -l 137')).toMatchObject({ stdout: 'TERM\nKILL\n' });
  });

  test('kill -TERM -PGID stops a whole session: its shell and the command it runs', async () => {
    const running = session('echo started; sleep 100; echo never');
    const sleeper = await until(processNamed('sleep', '100'), 'the sleep');
    const shellPid = sleeper.pgid;
    expect(host.shell.processes.get(shellPid)?.argv).toEqual(['sh', '-c', 'echo started; sleep 100; echo never']);
    expect(await sh(`kill -TERM -${shellPid}; echo $?`)).toMatchObject({ stdout: '0\n' });
    expect(await running.done).toBe(143);
    expect(running.stdout.text()).toBe('started\n');
    expect(host.shell.processes.group(shellPid)).toEqual([]);
    expect(await sh(`kill -0 -${shellPid}`)).toMatchObject({ code: 1 });
  });

  test('a killed child ends with 128+signal while its shell goes on', async () => {
    const running = session('sleep 100; echo "after $?"');
    const sleeper = await until(processNamed('sleep', '100'), 'the sleep');
    await sh(`kill -KILL ${sleeper.pid}`, 'root');
    expect(await running.done).toBe(0);
    expect(running.stdout.text()).toBe('after 137\n');
  });

  test("a user may signal only their own processes; trap '' TERM ignores TERM but not KILL", async () => {
    const running = session("trap '' TERM; sleep 100", 'ops');
    const sleeper = await until(processNamed('sleep', '100'), 'the sleep');
    expect(await sh(`kill -TERM ${sleeper.pid}`, 'dev')).toEqual({ code: 1, stdout: '', stderr: `bash: line 1: kill: (${sleeper.pid}) - Operation not permitted\n` });
    expect(await sh(`kill -TERM -${sleeper.pgid}; kill -0 ${sleeper.pid} && echo still-there`, 'ops')).toMatchObject({ stdout: 'still-there\n' });
    expect(await sh(`kill -KILL -${sleeper.pgid}`, 'ops')).toMatchObject({ code: 0 });
    expect(await running.done).toBe(137);
  });

  test("kill reaches a service's main process by pid (and /bin/kill through sudo)", async () => {
    host.vfs.mkdir('/opt/app', { parents: true });
    host.vfs.writeFile('/opt/app/server', labBinary({ program: 'app-server', version: '1.0.0' }), { mode: 0o755 });
    host.services.install({ name: 'app', description: 'App', execStart: '/opt/app/server' });
    host.services.bootstrap('app', host.clock.now() - 60_000);
    const pid = host.services.unit('app').mainPid;
    expect(await sh(`kill -0 ${pid}`, 'root')).toMatchObject({ code: 0 });
    expect(await sh(`kill -0 ${pid}`)).toEqual({ code: 1, stdout: '', stderr: 'sh: 1: kill: Operation not permitted\n\n' });
    expect(await sh(`/bin/kill -KILL ${pid}`, 'root')).toMatchObject({ code: 0 });
    expect(host.services.unit('app').running).toBe(false);
    expect(await sh(`sudo kill -0 ${pid}`, 'root')).toEqual({ code: 1, stdout: '', stderr: `kill: (${pid}): No such process\n` });
  });
});

describe('errors', () => {
  test('syntax errors read like dash or bash and exit 2 before anything runs', async () => {
    expect(await sh('echo a; echo )')).toEqual({ code: 2, stdout: '', stderr: 'sh: 1: Syntax error: ")" unexpected\n' });
    expect(await sh('echo a\nif true; then')).toMatchObject({ code: 2, stdout: '', stderr: expect.stringMatching(/^sh: 2: Syntax error: end of file unexpected/) });
    expect(await sh('echo ${x')).toEqual({ code: 2, stdout: '', stderr: "sh: 1: Syntax error: Missing '}'\n" });
    expect(await bash('if true; then')).toEqual({ code: 2, stdout: '', stderr: 'bash: -c: line 1: syntax error: unexpected end of file\n' });
  });

  test('bash-only constructs are refused in words the lab uses; dash does not know them', async () => {
    expect(await bash('[[ -n x ]] && echo yes')).toEqual({ code: 2, stdout: '', stderr: 'bash: line 1: [[ ... ]] is not supported by the lab shell\n' });
    expect(await bash('a=(1 2); echo ${a[0]}')).toEqual({ code: 2, stdout: '', stderr: 'bash: line 1: arrays is not supported by the lab shell\n' });
    expect(await sh('[[ -n x ]]')).toEqual({ code: 127, stdout: '', stderr: 'sh: 1: [[: not found\n' });
    expect(await bash('export A=1 B; declare -x C=3; sh -c \'echo "$A|${B-unset}|$C"\'')).toMatchObject({ stdout: '1|unset|3\n' });
  });

  test('not found, not executable, and a directory', async () => {
    expect(await sh('nosuch; echo $?')).toEqual({ code: 0, stdout: '127\n', stderr: 'sh: 1: nosuch: not found\n' });
    expect(await bash('/srv/g')).toEqual({ code: 126, stdout: '', stderr: 'bash: line 1: /srv/g: Is a directory\n' });
  });
});
