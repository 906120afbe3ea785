/**
 * Version comparison for every "version skew" rule: nodes of one system, and presence against
 * Rocket.Chat. Versions come at different precisions (`/api/info` says `7.0`, an image tag
 * `7.0.3`, WuKongIM `v2.1.2-20250120`), so they are compared on the parts all of them have.
 */

/** The numeric parts of a version (`v2.1.2-20250120` → [2, 1, 2]); undefined when there is none. */
export function versionParts(version: string): number[] | undefined {
  const match = /(?:^|[^\d.])v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(` ${version.trim()}`);
  if (match === null) return undefined;
  return match.slice(1).filter((part): part is string => part !== undefined).map(Number);
}

/** The tag of an image reference (`rocketchat/rocket.chat:7.0.3` → `7.0.3`), without a digest. */
export function imageTag(image: string): string | undefined {
  const withoutDigest = image.split('@')[0]!;
  const colon = withoutDigest.lastIndexOf(':');
  if (colon < 0 || colon < withoutDigest.lastIndexOf('/')) return undefined;
  const tag = withoutDigest.slice(colon + 1);
  return tag === '' ? undefined : tag;
}

export interface NodeVersion {
  host: string;
  version: string;
  /** Where the version was read (`/api/info`, `image tag`, `log banner`…). */
  source: string;
}

/** The version as compared: its first `precision` numeric parts. */
function key(version: string, precision: number): string | undefined {
  return versionParts(version)?.slice(0, precision).join('.');
}

/**
 * The distinct versions when they disagree (on the parts all of them carry); undefined when they
 * agree, or when fewer than two are known.
 */
export function versionSkew(versions: readonly NodeVersion[]): { distinct: string[] } | undefined {
  const readable = versions.filter((entry) => versionParts(entry.version) !== undefined);
  if (readable.length < 2) return undefined;
  const precision = Math.min(...readable.map((entry) => versionParts(entry.version)!.length));
  if (new Set(readable.map((entry) => key(entry.version, precision))).size < 2) return undefined;
  return { distinct: [...new Set(readable.map((entry) => entry.version))] };
}

/** Whether two versions agree on the parts both carry; undefined when either is unreadable. */
export function sameVersion(a: string, b: string): boolean | undefined {
  const partsA = versionParts(a);
  const partsB = versionParts(b);
  if (partsA === undefined || partsB === undefined) return undefined;
  const precision = Math.min(partsA.length, partsB.length);
  return key(a, precision) === key(b, precision);
}

/** Evidence lines: `host: version (from source)` for each node. */
export function versionEvidence(versions: readonly NodeVersion[]): string[] {
  return versions.map((entry) => `${entry.host}: ${entry.version} (from ${entry.source})`);
}
