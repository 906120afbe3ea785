import type { Host, ServiceRun } from '../../inventory/schema';
import { shellCommand } from '../../shell/quote';
import { detectProbeFailure, ok, parseJournalJson, unknown, type Parsed } from '../parsers';
import type { CommandProbe } from '../profile';
import { labelOf } from './common';
import { inService, serviceRunOf, type ServiceProbeSpec } from './service';

export type LogSource = 'journal' | 'docker' | 'file' | 'kubectl';

/** The newest lines of a service's log, oldest first. */
export interface LogTail {
  source: LogSource;
  lines: string[];
}

export const LOG_LINES = 200;

/**
 * `kubectl exec [flags] POD -- ` turned into `kubectl logs [flags] POD --tail=N`: a pod's log
 * is its containers' output, which `exec` cannot read. Undefined for any other wrapper.
 */
export function kubectlLogsArgv(wrapper: readonly string[], lines: number): string[] | undefined {
  const program = wrapper[0]?.split('/').pop();
  const execAt = wrapper.indexOf('exec');
  if (program !== 'kubectl' || execAt < 0) return undefined;
  const interactive = new Set(['-i', '-t', '-it', '-ti', '--stdin', '--tty']);
  const rest = wrapper.slice(execAt + 1).filter((arg) => !interactive.has(arg));
  const dashDash = rest.indexOf('--');
  const target = dashDash < 0 ? rest : rest.slice(0, dashDash);
  return [...wrapper.slice(0, execAt), 'logs', ...target, `--tail=${lines}`];
}

interface LogCommand {
  source: LogSource;
  command: string;
}

/**
 * Where the service's log is read: a file named by the label (tailed where the service runs),
 * the unit's journal, the container's output, or the pod's log.
 */
function logCommand(host: Host, run: ServiceRun, lines: number, spec: LogFileSpec): LogCommand | undefined {
  const file = (spec.fileLabel === undefined ? undefined : labelOf(host, spec.fileLabel)) ?? spec.defaultFile?.(run);
  if (file !== undefined) return { source: 'file', command: inService(run, ['tail', '-n', String(lines), file]) };
  const journal = (unit: string) => ['journalctl', '-u', unit, '-n', String(lines), '-o', 'json', '--no-pager'];
  switch (run.kind) {
    case 'systemd':
      return { source: 'journal', command: shellCommand(journal(run.unit)) };
    case 'docker':
      return { source: 'docker', command: shellCommand(['docker', 'logs', '--tail', String(lines), run.container]) };
    case 'wrapped': {
      if (run.unit !== undefined) return { source: 'journal', command: inService(run, journal(run.unit)) };
      const kubectl = kubectlLogsArgv(run.wrapper, lines);
      return kubectl === undefined ? undefined : { source: 'kubectl', command: shellCommand(kubectl) };
    }
  }
}

function parseLog(source: LogSource, output: string, exitCode: number | null): Parsed<LogTail> {
  if (source === 'journal') {
    const journal = parseJournalJson(output, exitCode ?? undefined);
    if (journal.status !== 'ok') return journal;
    const lines = journal.value.entries.flatMap((entry) => (entry.message === undefined ? [] : entry.message.split('\n')));
    return ok({ source, lines });
  }
  const failure = detectProbeFailure(output, exitCode ?? undefined);
  if (failure !== undefined) return unknown(failure, output);
  // docker logs, kubectl logs and tail exit 0 whatever the log says; anything else is their own
  // error (no such container, pod not found, cannot open the file), not log lines.
  if (exitCode !== 0 && exitCode !== null) return unknown(output.trim().split('\n')[0]?.slice(0, 160) || `the log command exited with ${exitCode}`, output);
  return ok({ source, lines: output.split(/\r?\n/).filter((line) => line !== '') });
}

interface LogFileSpec {
  /** Host label naming a log file to tail instead of the manager's log. */
  fileLabel?: string;
  /** A log file the system writes by default for this kind of run (e.g. VerneMQ's console.log). */
  defaultFile?: (run: ServiceRun) => string | undefined;
}

/** The last lines of a service's log on hosts of a role. */
export function logTailProbe(spec: ServiceProbeSpec & LogFileSpec & { lines?: number }): CommandProbe<LogTail> {
  const lines = spec.lines ?? LOG_LINES;
  const commandOf = (host: Host) => logCommand(host, serviceRunOf(host, spec.name, spec.fallback(host)), lines, spec);
  return {
    id: spec.id,
    mayHang: true,
    command: ({ host }) => (host.roles.includes(spec.role) ? commandOf(host)?.command : undefined),
    parse: (output, exitCode, { host }) => {
      const command = commandOf(host);
      return command === undefined ? unknown('no log source for this service', output) : parseLog(command.source, output, exitCode);
    },
  };
}
