import { AppError } from '../../../../shared/contract/errors';
import { AnsibleModelBuilder, expandHostPattern, splitHostPort, type AnsibleModel, type Vars } from './ansible-model';

/**
 * Ansible's INI inventory dialect. There is no well-kept npm parser for it (generic INI
 * parsers choke on host lines like `web1 ansible_host=10.0.0.1` and on ranges), so this
 * is a small one written against Ansible's own rules (plugins/inventory/ini.py):
 *   - `[group]` lists hosts, `[group:vars]` sets group variables, `[group:children]`
 *     lists child groups; lines before any header belong to `ungrouped`;
 *   - a host line is `pattern [key=value ...]`, split like a POSIX shell (quotes,
 *     backslashes, `#` comments), the pattern may carry `:port` and ranges;
 *   - `#` and `;` start comment lines.
 * Values stay strings; the importer converts the few it uses.
 */
export function parseAnsibleIni(text: string): AnsibleModel {
  const builder = new AnsibleModelBuilder();
  let group = 'ungrouped';
  let section: 'hosts' | 'vars' | 'children' = 'hosts';

  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    const fail = (why: string): never => {
      throw new AppError('INVALID_INPUT', `Ansible inventory line ${index + 1}: ${why}`);
    };
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;

    const header = /^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:[#;].*)?$/.exec(line);
    if (header) {
      group = header[1] ?? '';
      const kind = header[2] ?? 'hosts';
      if (kind !== 'hosts' && kind !== 'vars' && kind !== 'children') fail(`section [${group}:${kind}] has unknown type "${kind}"`);
      section = kind as typeof section;
      builder.group(group);
      return;
    }
    if (line.startsWith('[')) fail(`invalid section header ${JSON.stringify(line.slice(0, 80))}`);

    if (section === 'children') {
      const [child, ...rest] = shlexSplit(line, fail);
      if (!child || rest.length > 0) fail(`expected one group name in [${group}:children]`);
      builder.addChild(group, child ?? '');
    } else if (section === 'vars') {
      const eq = line.indexOf('=');
      if (eq <= 0) fail(`expected key=value in [${group}:vars]`);
      builder.addGroupVars(group, { [line.slice(0, eq).trim()]: unquote(line.slice(eq + 1).trim()) });
    } else {
      const [pattern = '', ...assignments] = shlexSplit(line, fail);
      const vars: Vars = {};
      for (const assignment of assignments) {
        const eq = assignment.indexOf('=');
        if (eq <= 0) fail(`expected key=value after the host name, found ${JSON.stringify(assignment.slice(0, 80))}`);
        vars[assignment.slice(0, eq)] = assignment.slice(eq + 1);
      }
      const { host, port } = splitHostPort(pattern);
      if (port !== undefined) vars.ansible_port = String(port);
      let names: string[] = [];
      try {
        names = expandHostPattern(host);
      } catch (error) {
        fail((error as Error).message);
      }
      for (const name of names) builder.addHost(group, name, vars);
    }
  });
  return builder.model;
}

function unquote(value: string): string {
  const quoted = /^(["'])(.*)\1$/s.exec(value);
  return quoted ? (quoted[2] ?? '') : value;
}

/**
 * Python's `shlex.split(line, comments=True)` in POSIX mode: whitespace separates
 * words; single quotes keep everything; double quotes keep all but `\"` and `\\`;
 * a backslash outside quotes escapes the next character; `#` at a word start ends the line.
 */
export function shlexSplit(line: string, fail: (why: string) => never): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < line.length; i++) {
    const char = line[i] ?? '';
    if (quote === "'") {
      if (char === "'") quote = undefined;
      else word = (word ?? '') + char;
    } else if (quote === '"') {
      if (char === '"') quote = undefined;
      else if (char === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) word = (word ?? '') + (line[++i] ?? '');
      else word = (word ?? '') + char;
    } else if (/\s/.test(char)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (char === '#' && word === undefined) {
      break;
    } else if (char === "'" || char === '"') {
      quote = char;
      word ??= '';
    } else if (char === '\\') {
      word = (word ?? '') + (line[++i] ?? '');
    } else {
      word = (word ?? '') + char;
    }
  }
  if (quote) fail('unclosed quotation');
  if (word !== undefined) words.push(word);
  return words;
}
