/**
 * The one function that turns a value into a single POSIX shell word.
 * Every command Switchboard sends to a host is built from literal program names
 * and values passed through `shellQuote`; nothing else concatenates input into a
 * shell line.
 */
export function shellQuote(value: string): string {
  if (value.includes('\0')) {
    throw new Error('A shell argument cannot contain a NUL byte');
  }
  if (value !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Quotes each argument and joins them into one command line. */
export function shellCommand(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('A command needs at least a program name');
  return argv.map(shellQuote).join(' ');
}

/**
 * Prints a file with shell builtins only (`read` and `printf`): no process is started, which
 * matters when one script reads several /proc files on hundreds of hosts.
 */
export function builtinCat(path: string): string {
  return `while IFS= read -r sb_line || [ -n "$sb_line" ]; do printf '%s\\n' "$sb_line"; done < ${shellQuote(path)}`;
}
