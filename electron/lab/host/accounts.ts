/**
 * A host's users and groups (its /etc/passwd and /etc/group), used for ownership
 * names in `ls -l`/`stat`, for permission checks, for SSH logins and for sudo.
 */

export type SudoRule =
  /** In sudoers with NOPASSWD: `sudo -n` works. */
  | 'nopasswd'
  /** In sudoers, must type the login password (`sudo -n` fails, `sudo -S` works). */
  | 'password'
  /** Not in sudoers. */
  | 'none';

export interface UserSpec {
  name: string;
  uid: number;
  /** Primary group name; created with gid = uid when missing. */
  group?: string;
  /** Supplementary group names (e.g. `sudo`, `docker`, `adm`). */
  groups?: string[];
  home?: string;
  /** Login shell: decides how errors read (`bash: line 1: x: command not found` vs dash's `sh: 1: x: not found`). */
  shell?: string;
  /** Login password; also what `sudo` asks for. */
  password?: string;
  /** OpenSSH public key lines (`ssh-ed25519 AAAA... comment`). */
  authorizedKeys?: string[];
  sudo?: SudoRule;
}

export interface HostUser {
  name: string;
  uid: number;
  gid: number;
  /** All group ids, primary first. */
  gids: number[];
  home: string;
  shell: string;
  password: string | undefined;
  authorizedKeys: string[];
  sudo: SudoRule;
}

export interface Credentials {
  uid: number;
  /** Primary gid first, then supplementary groups. */
  gids: number[];
}

export const rootCredentials: Credentials = { uid: 0, gids: [0] };

const systemGroups: Array<[string, number]> = [
  ['root', 0], ['adm', 4], ['sudo', 27], ['systemd-journal', 101], ['docker', 998],
];

export class Accounts {
  readonly #users = new Map<string, HostUser>();
  readonly #groups = new Map<string, number>(systemGroups);

  constructor(users: UserSpec[] = []) {
    this.addUser({ name: 'root', uid: 0, home: '/root', shell: '/bin/bash', sudo: 'nopasswd' });
    for (const user of users) this.addUser(user);
  }

  addGroup(name: string, gid: number): void {
    this.#groups.set(name, gid);
  }

  addUser(spec: UserSpec): HostUser {
    const groupName = spec.group ?? spec.name;
    if (!this.#groups.has(groupName)) this.#groups.set(groupName, spec.uid);
    const gid = this.#groups.get(groupName)!;
    const supplementary = (spec.groups ?? []).map((name) => {
      const known = this.#groups.get(name);
      if (known !== undefined) return known;
      const next = Math.max(...this.#groups.values()) + 1;
      this.#groups.set(name, next);
      return next;
    });
    const existing = this.#users.get(spec.name);
    const user: HostUser = {
      name: spec.name,
      uid: spec.uid,
      gid,
      gids: [gid, ...supplementary.filter((id) => id !== gid)],
      home: spec.home ?? (spec.uid === 0 ? '/root' : `/home/${spec.name}`),
      shell: spec.shell ?? '/bin/bash',
      password: spec.password ?? existing?.password,
      authorizedKeys: spec.authorizedKeys ?? existing?.authorizedKeys ?? [],
      sudo: spec.sudo ?? (spec.uid === 0 ? 'nopasswd' : 'none'),
    };
    this.#users.set(spec.name, user);
    return user;
  }

  user(name: string): HostUser | undefined {
    return this.#users.get(name);
  }

  users(): HostUser[] {
    return [...this.#users.values()];
  }

  userById(uid: number): HostUser | undefined {
    return [...this.#users.values()].find((user) => user.uid === uid);
  }

  root(): HostUser {
    return this.#users.get('root')!;
  }

  /** Name for a uid, or the number itself as `ls` prints an unknown owner. */
  userName(uid: number): string {
    return this.userById(uid)?.name ?? String(uid);
  }

  groupName(gid: number): string {
    for (const [name, id] of this.#groups) if (id === gid) return name;
    return String(gid);
  }

  groupId(name: string): number | undefined {
    if (/^\d+$/.test(name)) return Number(name);
    return this.#groups.get(name);
  }

  userId(name: string): number | undefined {
    if (/^\d+$/.test(name)) return Number(name);
    return this.#users.get(name)?.uid;
  }

  inGroup(user: Credentials, groupName: string): boolean {
    const gid = this.#groups.get(groupName);
    return gid !== undefined && user.gids.includes(gid);
  }
}

export function credentialsOf(user: HostUser): Credentials {
  return { uid: user.uid, gids: user.gids };
}
