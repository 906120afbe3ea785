import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startLab, type LabHandle } from '../../lab/lab';
import { scenarios } from '../../lab/scenarios';
import { ExitCode, UsageError, subcommandOf, type CliCommand, type CliIO } from '../command';
import { waitForAbort } from '../runtime';

const usage = `Usage: switchboard lab start --scenario NAME [--variant V] [--time-scale X] [--dir DIR] [--json]
       switchboard lab scenarios [--json]

The rehearsal lab: a SIMULATED cluster on this machine that speaks the real protocols
(SSH, MongoDB, the systems' HTTP APIs and admin sockets) and reproduces the incidents
the console diagnoses. Nothing in it is a real Rocket.Chat, WuKongIM, VerneMQ or VOMS.

lab start runs a scenario in the foreground until interrupted (Ctrl+C), and writes into
DIR: inventory.yaml (the console's inventory), known_hosts, ssh_config, the login key
id_ed25519, secrets.vault (the lab's secrets) and, for rc-readonly, licenses/*.lic.

Options:
  --scenario NAME   the scenario to run (see "switchboard lab scenarios")
  --variant V       a variant of the scenario
  --time-scale X    multiply every simulated delay by X (default 1; 0.01 runs 100x faster)
  --dir DIR         the run directory (default: a new directory under the system's temp dir)
  --json            print one JSON line once everything listens:
                    {"simulation":true,"inventory":...,"knownHosts":...,"mongoUrl":...,"hosts":[...]}

To inspect the lab with the CLI:
  SWITCHBOARD_VAULT_PASSPHRASE=<vaultPassphrase> switchboard inspect --inventory DIR/inventory.yaml --data-dir DIR`;

export const labCommand: CliCommand = {
  name: 'lab',
  summary: 'Run the rehearsal lab (a SIMULATED cluster) or list its scenarios',
  usage,
  async run(argv, io) {
    const [subcommand, rest] = subcommandOf(argv, ['start', 'scenarios'] as const);
    return subcommand === 'start' ? start(rest, io) : listScenarios(rest, io);
  },
};

async function listScenarios(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean' } }, strict: true, allowPositionals: false });
  if (values.json) {
    const list = scenarios.map((scenario) => ({ name: scenario.name, description: scenario.description, variants: scenario.variants ?? {}, simulation: true }));
    io.stdout.write(`${JSON.stringify({ simulation: true, scenarios: list })}\n`);
    return ExitCode.ok;
  }
  const width = Math.max(...scenarios.map((scenario) => scenario.name.length));
  const lines = ['Rehearsal lab scenarios (all SIMULATIONS):'];
  for (const scenario of scenarios) {
    lines.push(`  ${scenario.name.padEnd(width)}  ${scenario.description}`);
    for (const [variant, description] of Object.entries(scenario.variants ?? {})) lines.push(`  ${' '.repeat(width)}    --variant ${variant}: ${description}`);
  }
  io.stdout.write(`${lines.join('\n')}\n`);
  return ExitCode.ok;
}

async function start(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string' },
      variant: { type: 'string' },
      'time-scale': { type: 'string' },
      dir: { type: 'string' },
      json: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (!values.scenario) throw new UsageError(`--scenario NAME is required (scenarios: ${scenarios.map((s) => s.name).join(', ')})`);
  if (!scenarios.some((scenario) => scenario.name === values.scenario)) {
    throw new UsageError(`unknown scenario "${values.scenario}" (scenarios: ${scenarios.map((s) => s.name).join(', ')})`);
  }
  const timeScale = values['time-scale'] === undefined ? 1 : Number(values['time-scale']);
  if (!Number.isFinite(timeScale) || timeScale <= 0) throw new UsageError(`--time-scale must be a positive number, got "${values['time-scale']}"`);
  const dir = values.dir === undefined ? await mkdtemp(resolve(tmpdir(), 'switchboard-lab-')) : resolve(io.cwd, values.dir);

  const lab = await startLab({ scenario: values.scenario, variant: values.variant, timeScale, dir });
  try {
    io.stdout.write(values.json ? `${JSON.stringify(summary(lab))}\n` : humanSummary(lab));
    await waitForAbort(io.signal);
  } finally {
    await lab.stop();
  }
  if (!values.json) io.stdout.write('Lab stopped.\n');
  return ExitCode.ok;
}

/** The `--json` line: what a script needs to reach the lab. */
export function summary(lab: LabHandle): Record<string, unknown> {
  return {
    simulation: true,
    scenario: lab.scenario,
    ...(lab.variant === undefined ? {} : { variant: lab.variant }),
    inventory: lab.inventoryPath,
    knownHosts: lab.knownHostsPath,
    sshConfig: lab.sshConfigPath,
    mongoUrl: lab.mongoUrl ?? null,
    dataDir: lab.dir,
    ...(lab.vaultPassphrase === undefined ? {} : { vaultPassphrase: lab.vaultPassphrase }),
    files: lab.files,
    hosts: lab.hosts.map(({ name, cluster, roles, host, port, user, identityFile }) => ({ name, cluster, roles, host, port, user, identityFile })),
  };
}

function humanSummary(lab: LabHandle): string {
  const width = Math.max(...lab.hosts.map((host) => `${host.cluster}/${host.name}`.length));
  const lines = [
    `SIMULATION: the Switchboard rehearsal lab is running scenario "${lab.scenario}"${lab.variant ? ` (variant ${lab.variant})` : ''}.`,
    'Nothing here is a real cluster; every host, service and license is simulated.',
    '',
    `  inventory    ${lab.inventoryPath}`,
    `  known_hosts  ${lab.knownHostsPath}`,
    `  ssh config   ${lab.sshConfigPath}   (ssh -F ${lab.sshConfigPath} HOST)`,
    ...(lab.mongoUrl ? [`  MongoDB      ${lab.mongoUrl}`] : []),
    ...lab.files.map((file) => `  file         ${file}`),
    '',
    'Hosts:',
    ...lab.hosts.map((host) => `  ${`${host.cluster}/${host.name}`.padEnd(width)}  ${host.user}@${host.host} -p ${host.port}  ${host.roles.join(', ')}`),
    '',
    ...(lab.vaultPassphrase
      ? [
        'The lab keeps its secrets (e.g. the Rocket.Chat admin token) in a vault in its directory:',
        `  SWITCHBOARD_VAULT_PASSPHRASE=${lab.vaultPassphrase} switchboard inspect --inventory ${lab.inventoryPath} --data-dir ${lab.dir}`,
        '',
      ]
      : []),
    'Press Ctrl+C to stop the lab.',
    '',
  ];
  return lines.join('\n');
}
