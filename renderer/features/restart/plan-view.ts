import { shellCommand } from '../../../shared/shell/quote';
import type { StepAction } from '../../../shared/ops/plan';

/**
 * The command lines of an action as the host will run them: `params.argv` (one command) or
 * `params.commands` (several), each an argv array, quoted the way the console sends them.
 * Actions that are not commands (an HAProxy runtime call, an HTTP check) show their kind and parameters.
 */
export function actionLines(action: StepAction): string[] {
  const { argv, commands } = action.params;
  if (isArgv(argv)) return [commandLine(argv)];
  if (Array.isArray(commands) && commands.length > 0 && commands.every(isArgv)) return commands.map(commandLine);
  const params = Object.entries(action.params)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  return [params ? `${action.kind} ${params}` : action.kind];
}

/** Quoted as sent; an argument the quoting refuses (a NUL byte) is shown as it is rather than breaking the preview. */
function commandLine(argv: string[]): string {
  try {
    return shellCommand(argv);
  } catch {
    return argv.join(' ');
  }
}

function isArgv(value: unknown): value is string[] {
  return Array.isArray(value) && value.length > 0 && value.every((part) => typeof part === 'string');
}
