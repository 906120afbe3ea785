import type { ClusterForm } from '../../shared/inventory/schema';
import type { LabClock } from './host/clock';
import type { LabHost } from './host/lab-host';
import type { LabMongoServer } from './mongo/server';

/**
 * The rehearsal lab is a SIMULATION. A scenario builds simulated systems (hosts that run
 * a system's services, with the incident switched on) and describes each as a cluster of
 * the console's inventory, so the console inspects and operates it like a real one.
 */

/** What every system simulator gets from the lab run. */
export interface LabContext {
  clock: LabClock;
  /** The run's directory: keys, known_hosts, inventory.yaml, licenses/. */
  dir: string;
  /** The lab MongoDB (started only when a system asks for it with `needsMongo`). */
  mongo: () => Promise<{ server: LabMongoServer; url: string }>;
  /** The login every lab host accepts: user, public key line, private key path and password. */
  login: LabLogin;
}

export interface LabLogin {
  user: string;
  password: string;
  publicKeyLine: string;
  identityFile: string;
}

/** One simulated system: its hosts and how the console's inventory names them. */
export interface LabSystem {
  /** The inventory cluster (name as in the issue: rocketchat, wukongim, vernemq, voms). */
  cluster: ClusterForm;
  hosts: LabHost[];
  /** Called once every host listens (ports are known): e.g. wire host-to-host name resolution, seed MongoDB. */
  started?(): Promise<void>;
  stop?(): Promise<void>;
  /** Files the scenario leaves in the run directory for the admin (e.g. sample licenses), relative paths. */
  files?: string[];
}

export interface ScenarioOptions {
  /** Variants, e.g. voms-bad-ota's `backup-missing`, `backup-bad`, `clock-skew`. */
  variant?: string;
}

export interface Scenario {
  name: string;
  /** One line for `switchboard lab scenarios`. */
  description: string;
  variants?: Record<string, string>;
  build(context: LabContext, options: ScenarioOptions): Promise<LabSystem[]>;
}
