import type { HostForm } from '../../../../shared/inventory/schema';
import { generateEd25519KeyPair as generateCheckedEd25519KeyPair } from '../../host/keys';
import { LabHost } from '../../host/lab-host';
import type { LabContext } from '../../scenario';

/**
 * Lab hosts that accept the lab run's login: the admin's user (key and password, sudo without
 * a password, allowed to read the journal and use docker) plus whatever system users the
 * services run as.
 */

export const LOGIN_UID = 1000;

export interface LabHostSpec {
  name: string;
  /** Extra supplementary groups for the login user (e.g. `haproxy` to reach the admin socket). */
  groups?: string[];
  /** System users the host's services run as (`rocketchat`, `mongodb`, `haproxy`). */
  systemUsers?: Array<{ name: string; uid: number }>;
  /** How long the host has been up when the lab starts. */
  uptimeMs?: number;
}

/** An ed25519 key pair in OpenSSH format that ssh2 accepts (see the lab host's `generateEd25519KeyPair`). */
export function generateEd25519KeyPair(comment?: string): { private: string; public: string } {
  return generateCheckedEd25519KeyPair(comment);
}

export function createLabHost(context: LabContext, spec: LabHostSpec): LabHost {
  const host = new LabHost({
    name: spec.name,
    hostKey: generateEd25519KeyPair().private,
    clock: context.clock,
    uptimeMs: spec.uptimeMs,
    users: [
      ...(spec.systemUsers ?? []).map((user) => ({ name: user.name, uid: user.uid, home: `/var/lib/${user.name}`, shell: '/usr/sbin/nologin' })),
      {
        name: context.login.user,
        uid: LOGIN_UID,
        groups: ['sudo', 'adm', 'systemd-journal', 'docker', ...(spec.groups ?? [])],
        password: context.login.password,
        sudo: 'nopasswd',
        authorizedKeys: [context.login.publicKeyLine],
      },
    ],
  });
  return host;
}

/**
 * The inventory entry of a lab host before it listens: the orchestrator fills in the port
 * (and the key file and known_hosts) once the host's SSH server is up.
 */
export function inventoryHost(context: LabContext, entry: Omit<HostForm, 'address' | 'user'>): HostForm {
  return { ...entry, address: '127.0.0.1', user: context.login.user };
}
