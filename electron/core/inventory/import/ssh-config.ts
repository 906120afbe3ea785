import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import SSHConfig, { glob, LineType, type Directive, type Line, type Section } from 'ssh-config';
import { addressProblem, formatJumpSpec, parseJumpSpec, userProblem } from '../../../../shared/inventory/address';
import type { ImportProposal } from '../../../../shared/inventory/import-proposal';
import type { HostForm } from '../../../../shared/inventory/schema';
import { expandPathGlob } from './file-glob';
import {
  claimName,
  expandHome,
  finishProposal,
  resolveImportOptions,
  toName,
  withoutDanglingJumps,
  type ImportOptions,
} from './proposal';
import { jumpFromProxyCommand } from './ssh-args';

/**
 * OpenSSH client config -> a cluster proposal. The `ssh-config` package parses the
 * file and computes each host's settings the way ssh does (first obtained value wins,
 * wildcard sections apply to every host they match); this module adds what it leaves
 * out: Include (relative to ~/.ssh, globs, nested up to 16 levels like OpenSSH),
 * tokens and `~` in paths, and ProxyJump chains.
 */

const MAX_INCLUDE_DEPTH = 16;

type Resolved =
  | { kind: 'directive'; line: Directive }
  | { kind: 'include'; files: Resolved[][] }
  | { kind: 'section'; header: Section; body: Resolved[] };

interface LoadContext {
  sshDir: string;
  home: string;
  warnings: string[];
}

function isSection(line: Line): line is Section {
  return line.type === LineType.DIRECTIVE && 'config' in line;
}

function values(value: Directive['value']): string[] {
  return typeof value === 'string' ? value.split(/\s+/).filter(Boolean) : value.map((part) => part.val);
}

async function resolveLines(lines: readonly Line[], context: LoadContext, depth: number): Promise<Resolved[]> {
  const out: Resolved[] = [];
  for (const line of lines) {
    if (line.type !== LineType.DIRECTIVE) continue;
    if (isSection(line)) out.push({ kind: 'section', header: line, body: await resolveLines(line.config, context, depth) });
    else if (/^include$/i.test(line.param)) out.push({ kind: 'include', files: await resolveInclude(line, context, depth) });
    // Canonicalisation would make the parser run DNS lookups (nslookup) while importing.
    else if (!/^canonicalizehostname$/i.test(line.param)) out.push({ kind: 'directive', line });
  }
  return out;
}

async function resolveInclude(line: Directive, context: LoadContext, depth: number): Promise<Resolved[][]> {
  if (depth >= MAX_INCLUDE_DEPTH) {
    context.warnings.push(`Include nested more than ${MAX_INCLUDE_DEPTH} levels deep was not followed`);
    return [];
  }
  const files: Resolved[][] = [];
  for (const pattern of values(line.value)) {
    const expanded = expandHome(pattern, context.home);
    const absolute = isAbsolute(expanded) ? expanded : join(context.sshDir, expanded);
    const paths = await expandPathGlob(absolute);
    if (paths.length === 0) context.warnings.push(`Include ${pattern} matched no files`);
    for (const path of paths) {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        context.warnings.push(`Include ${path} could not be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
        continue;
      }
      files.push(await resolveLines(SSHConfig.parse(text), context, depth + 1));
    }
  }
  return files;
}

function hostPatterns(header: Section): string[] | undefined {
  return /^host$/i.test(header.param) ? values(header.value) : undefined;
}

function sectionApplies(header: Section, alias: string): boolean {
  const patterns = hostPatterns(header);
  // Match blocks depend on more than the alias; they are kept and left to the parser.
  return patterns === undefined || glob(patterns, alias);
}

function cloneHeader(header: Section): Section {
  return { ...header, config: new SSHConfig() };
}

/**
 * The config as one flat list, Includes inlined, for one alias. An Include inside a
 * Host block keeps that block's scope: its plain directives belong to the block, and
 * its own Host blocks apply only when the enclosing block matched (OpenSSH's
 * SSHCONF_NEVERMATCH); after it, the enclosing block resumes.
 */
function flatten(lines: readonly Resolved[], alias: string): SSHConfig {
  const out = new SSHConfig();
  const emitTop = (items: readonly Resolved[]) => {
    for (const item of items) {
      if (item.kind === 'directive') out.push(item.line);
      else if (item.kind === 'include') item.files.forEach(emitTop);
      else emitSection(item.header, item.body);
    }
  };
  const emitSection = (header: Section, body: readonly Resolved[]) => {
    let current = cloneHeader(header);
    out.push(current);
    const active = sectionApplies(header, alias);
    const emitNested = (items: readonly Resolved[]) => {
      for (const item of items) {
        if (item.kind === 'directive') current.config.push(item.line);
        else if (item.kind === 'include') item.files.forEach(emitNested);
        else {
          if (active) emitSection(item.header, item.body);
          current = cloneHeader(header);
          out.push(current);
        }
      }
    };
    emitNested(body);
  };
  emitTop(lines);
  return out;
}

/** Aliases named literally in Host lines (no wildcard, no negation), reachable from where they are defined. */
function literalAliases(lines: readonly Resolved[]): string[] {
  const found = new Set<string>();
  const walk = (items: readonly Resolved[], enclosing: string[][]) => {
    for (const item of items) {
      if (item.kind === 'include') item.files.forEach((file) => walk(file, enclosing));
      if (item.kind !== 'section') continue;
      const patterns = hostPatterns(item.header);
      for (const pattern of patterns ?? []) {
        if (/[*?!]/.test(pattern)) continue;
        if (enclosing.every((outer) => glob(outer, pattern))) found.add(pattern);
      }
      walk(item.body, patterns ? [...enclosing, patterns] : enclosing);
    }
  };
  walk(lines, []);
  return [...found];
}

type Computed = Record<string, string | string[]>;

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** ssh_config's % tokens that make sense outside a live connection. */
function expandTokens(text: string, tokens: Record<string, string>): string {
  return text.replace(/%([%a-zA-Z])/g, (whole, key: string) => (key === '%' ? '%' : (tokens[key] ?? whole)));
}

export async function importSshConfig(text: string, options: ImportOptions = {}): Promise<ImportProposal> {
  const settings = resolveImportOptions(options, 'ssh-config');
  const warnings: string[] = [];
  const context: LoadContext = { sshDir: join(settings.home, '.ssh'), home: settings.home, warnings };
  const lines = await resolveLines(SSHConfig.parse(text), context, 0);

  const compute = (alias: string): Computed => flatten(lines, alias).compute(alias, { ignoreCase: true, matchExec: false });
  const addressOf = (alias: string, config: Computed) => expandTokens(first(config.hostname) ?? alias, { h: alias, n: alias });

  const aliases = literalAliases(lines);
  const taken = new Set<string>();
  const nameOf = new Map(aliases.map((alias) => [alias, claimName(toName(alias), taken)]));

  /** One ProxyJump hop: another imported alias by name, else `user@address:port` with that hop's own settings. */
  const hopFor = (hop: string): { ok: true; hop: string } | { ok: false; problem: string } => {
    const named = nameOf.get(hop);
    if (named !== undefined) return { ok: true, hop: named };
    const parsed = parseJumpSpec(hop);
    if (!parsed.ok) return { ok: false, problem: parsed.problem };
    const config = compute(parsed.spec.address);
    const port = parsed.spec.port ?? (first(config.port) !== undefined ? Number(first(config.port)) : undefined);
    const spec = {
      user: parsed.spec.user ?? first(config.user) ?? settings.localUser,
      address: addressOf(parsed.spec.address, config),
      ...(port !== undefined && port !== 22 ? { port } : {}),
    };
    const checked = parseJumpSpec(formatJumpSpec(spec));
    return checked.ok ? { ok: true, hop: formatJumpSpec(checked.spec) } : { ok: false, problem: checked.problem };
  };

  const hosts: HostForm[] = [];
  for (const alias of aliases) {
    const name = nameOf.get(alias) ?? alias;
    const skip = (why: string) => warnings.push(`Host ${JSON.stringify(alias)} skipped: ${why}`);
    const config = compute(alias);
    const address = addressOf(alias, config);
    const addressIssue = addressProblem(address);
    if (addressIssue) {
      skip(addressIssue);
      continue;
    }
    const user = first(config.user) ?? settings.localUser;
    const userIssue = userProblem(user);
    if (userIssue) {
      skip(userIssue);
      continue;
    }
    const portText = first(config.port) ?? '22';
    const port = /^\d+$/.test(portText) ? Number(portText) : NaN;
    if (!(port >= 1 && port <= 65535)) {
      skip(`invalid Port ${JSON.stringify(portText)}`);
      continue;
    }
    const tokens = { d: settings.home, u: settings.localUser, h: address, n: alias, r: user, p: String(port) };
    const path = (value: string) => expandTokens(expandHome(value, settings.home), tokens);

    const host: HostForm = { name, address, port, user, roles: ['generic'], auth: { method: 'agent' } };
    const identityFiles = [config.identityfile ?? []].flat();
    if (identityFiles[0] !== undefined) {
      host.auth = { method: 'key', identityFile: path(identityFiles[0]) };
      if (identityFiles.length > 1) warnings.push(`Host ${alias}: only the first IdentityFile (${identityFiles[0]}) is used`);
    }

    const proxyJump = first(config.proxyjump);
    const proxyCommand = first(config.proxycommand);
    let chain: string[] = [];
    if (proxyJump !== undefined && proxyJump.toLowerCase() !== 'none') {
      chain = proxyJump.split(',').map((hop) => hop.trim().replace(/^ssh:\/\//, '')).filter(Boolean);
    } else if (proxyCommand !== undefined && proxyCommand.toLowerCase() !== 'none') {
      const converted = jumpFromProxyCommand(expandTokens(proxyCommand, { n: alias, r: user }));
      if (!converted.ok) {
        skip(converted.problem);
        continue;
      }
      chain = converted.jump;
      warnings.push(...converted.notes.map((note) => `Host ${alias}: ${note}`));
    }
    const hops = chain.map(hopFor);
    const badHop = hops.find((hop) => !hop.ok);
    if (badHop && !badHop.ok) {
      skip(`ProxyJump: ${badHop.problem}`);
      continue;
    }
    const jump = hops.map((hop) => (hop.ok ? hop.hop : '')).filter((hop) => hop !== name);
    if (jump.length < hops.length) warnings.push(`Host ${alias}: a jump through itself (e.g. from "Host *") was dropped`);
    if (jump.length > 0) host.jump = jump;

    const knownHosts = first(config.userknownhostsfile);
    if (knownHosts === '/dev/null' || first(config.stricthostkeychecking)?.toLowerCase() === 'no') {
      warnings.push(`Host ${alias}: host key checking is off in ssh_config; Switchboard checks host keys regardless`);
    }
    if (knownHosts !== undefined && knownHosts !== '/dev/null') {
      const file = path(knownHosts);
      if (file !== join(settings.home, '.ssh', 'known_hosts')) host.knownHostsFile = file;
    }
    hosts.push(host);
  }

  return finishProposal(
    'ssh-config',
    {
      name: toName(settings.clusterName, 'ssh-config'),
      environment: settings.environment,
      stacks: ['generic'],
      hosts: withoutDanglingJumps(hosts, new Set(nameOf.values()), warnings),
    },
    warnings,
  );
}

/** Reads an ssh_config file (default `~/.ssh/config`) and imports it. */
export async function importSshConfigFile(path: string | undefined, options: ImportOptions = {}): Promise<ImportProposal> {
  const home = resolveImportOptions(options, 'ssh-config').home;
  const file = expandHome(path ?? '~/.ssh/config', home);
  return importSshConfig(await readFile(file, 'utf8'), options);
}
