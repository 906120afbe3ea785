import type { Build } from '../contract/rollback';

/**
 * Reads everything the rollback dialog shows in ONE command on the host. A fixed script:
 * the paths and the unit arrive as "$1".."$5", never as shell text.
 *   $1 binary, $2 backup, $3 unit, $4 "1" when the binary answers --version, $5 the binary's directory,
 *   $6 the previous release's deploy script (release-directory stacks)
 */
export const ROLLBACK_INSPECT_SCRIPT = [
  'for f in "$1" "$2"; do',
  '  echo "== file $f"',
  '  if [ -e "$f" ]; then echo exists; fi',
  '  if [ -x "$f" ]; then echo executable; fi',
  '  if [ -f "$f" ]; then sha256sum "$f"; stat -c "stat %s %Y" "$f"; fi',
  'done',
  'echo "== df"',
  'df -P "$5"',
  'echo "== unit"',
  'systemctl show -p Restart -p NRestarts -p ActiveState "$3"',
  'if [ "$4" = 1 ]; then',
  '  echo "== version"; if [ -x "$1" ]; then "$1" --version 2>&1 | head -n 1; fi',
  '  echo "== version-backup"; if [ -x "$2" ]; then "$2" --version 2>&1 | head -n 1; fi',
  'fi',
  'echo "== release"',
  'if [ -x "$6" ]; then echo deploy; fi',
  'echo "== end"',
].join('\n');

export function inspectScriptArgv(args: { binary: string; backup: string; unit: string; versionFlag: boolean; releaseDeploy: string }): string[] {
  return ['sh', '-c', ROLLBACK_INSPECT_SCRIPT, 'sh', args.binary, args.backup, args.unit, args.versionFlag ? '1' : '0', dirnameOf(args.binary), args.releaseDeploy];
}

export interface RollbackFacts {
  current: Build;
  backup: Build;
  /** Bytes free in the binary's directory (df -P), when df answered. */
  freeBytes?: number;
  restartSetting: string;
  nRestarts?: number;
  activeState?: string;
  /** The previous release's deploy script exists and is executable. */
  releaseDeploy: boolean;
  /** The output ended with the end marker: nothing was cut short. */
  complete: boolean;
}

/** The directory of an absolute path (`/opt/voms/bin/server` → `/opt/voms/bin`). */
export function dirnameOf(path: string): string {
  const cut = path.lastIndexOf('/');
  return cut <= 0 ? '/' : path.slice(0, cut);
}

function emptyBuild(path: string): Build {
  return { path, exists: false, executable: false };
}

/** Parses the script's sections; anything missing stays unknown (no sha256, no size) rather than guessed. */
export function parseRollbackFacts(stdout: string, paths: { binary: string; backup: string }): RollbackFacts {
  const sections: Array<{ name: string; lines: string[] }> = [];
  for (const line of stdout.split('\n')) {
    const header = /^== (.*)$/.exec(line);
    if (header) sections.push({ name: header[1]!, lines: [] });
    else sections.at(-1)?.lines.push(line);
  }
  const facts: RollbackFacts = {
    current: emptyBuild(paths.binary),
    backup: emptyBuild(paths.backup),
    restartSetting: 'unknown',
    releaseDeploy: false,
    complete: sections.some((s) => s.name === 'end'),
  };
  let fileIndex = 0;
  for (const section of sections) {
    if (section.name.startsWith('file ')) {
      const build = fileIndex === 0 ? facts.current : facts.backup;
      fileIndex += 1;
      for (const line of section.lines) {
        if (line === 'exists') build.exists = true;
        else if (line === 'executable') build.executable = true;
        const sha = /^([0-9a-f]{64})\s+/.exec(line);
        if (sha) build.sha256 = sha[1]!;
        const stat = /^stat (\d+) (\d+)$/.exec(line);
        if (stat) {
          build.size = Number(stat[1]);
          build.mtime = new Date(Number(stat[2]) * 1000).toISOString();
        }
      }
    } else if (section.name === 'df') {
      // POSIX df -P: header, then "FS 1024-blocks Used Available Capacity Mounted".
      const row = section.lines.find((line, i) => i > 0 && line.trim() !== '');
      const available = row?.trim().split(/\s+/)[3];
      if (available !== undefined && /^\d+$/.test(available)) facts.freeBytes = Number(available) * 1024;
    } else if (section.name === 'unit') {
      for (const line of section.lines) {
        const [key, ...rest] = line.split('=');
        const value = rest.join('=').trim();
        if (key === 'Restart' && value !== '') facts.restartSetting = value;
        if (key === 'NRestarts' && /^\d+$/.test(value)) facts.nRestarts = Number(value);
        if (key === 'ActiveState' && value !== '') facts.activeState = value;
      }
    } else if (section.name === 'release') {
      facts.releaseDeploy = section.lines.includes('deploy');
    } else if (section.name === 'version' || section.name === 'version-backup') {
      const version = section.lines.find((line) => line.trim() !== '')?.trim();
      const build = section.name === 'version' ? facts.current : facts.backup;
      if (version && build.exists) build.version = version;
    }
  }
  return facts;
}
