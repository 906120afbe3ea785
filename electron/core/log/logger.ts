/**
 * The main process log. Entries are kept in a ring buffer (viewable from the app)
 * and mirrored to a sink (stderr by default). Callers never pass secrets; the
 * redactor is a second line of defence for values that look like one.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogEntry {
  time: string;
  level: LogLevel;
  scope: string;
  message: string;
  data?: Record<string, unknown>;
}

export interface Logger {
  debug(scope: string, message: string, data?: Record<string, unknown>): void;
  info(scope: string, message: string, data?: Record<string, unknown>): void;
  warn(scope: string, message: string, data?: Record<string, unknown>): void;
  error(scope: string, message: string, data?: Record<string, unknown>): void;
  entries(): LogEntry[];
}

const SECRET_KEY = /pass(word|phrase)?|secret|token|license|private|authorization|cookie/i;

export function redact(data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (SECRET_KEY.test(key)) out[key] = '[redacted]';
    else if (value instanceof Error) out[key] = { name: value.name, message: value.message, stack: value.stack };
    else if (value && typeof value === 'object' && !Array.isArray(value)) out[key] = redact(value as Record<string, unknown>);
    else out[key] = value;
  }
  return out;
}

export function createLogger(options: {
  capacity?: number;
  sink?: (entry: LogEntry) => void;
  minLevel?: LogLevel;
  now?: () => Date;
} = {}): Logger {
  const capacity = options.capacity ?? 2000;
  const order: LogLevel[] = ['debug', 'info', 'warn', 'error'];
  const min = order.indexOf(options.minLevel ?? 'info');
  const now = options.now ?? (() => new Date());
  const buffer: LogEntry[] = [];
  const write = (level: LogLevel, scope: string, message: string, data?: Record<string, unknown>) => {
    const entry: LogEntry = { time: now().toISOString(), level, scope, message };
    if (data) entry.data = redact(data);
    buffer.push(entry);
    if (buffer.length > capacity) buffer.shift();
    if (order.indexOf(level) >= min) options.sink?.(entry);
  };
  return {
    debug: (s, m, d) => write('debug', s, m, d),
    info: (s, m, d) => write('info', s, m, d),
    warn: (s, m, d) => write('warn', s, m, d),
    error: (s, m, d) => write('error', s, m, d),
    entries: () => buffer.slice(),
  };
}

export function stderrSink(entry: LogEntry): void {
  const data = entry.data ? ` ${JSON.stringify(entry.data)}` : '';
  process.stderr.write(`${entry.time} ${entry.level.toUpperCase()} [${entry.scope}] ${entry.message}${data}\n`);
}
