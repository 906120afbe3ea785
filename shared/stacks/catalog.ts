import type { FindingRule } from './findings';
import type { HostSnapshot, StackProfile } from './profile';
import { genericProfile } from './profiles/generic';
import { presenceProfile } from './profiles/presence';
import { rocketchatProfile } from './profiles/rocketchat';
import { vernemqProfile } from './profiles/vernemq';
import { vomsProfile } from './profiles/voms';
import { wukongimProfile } from './profiles/wukongim';

/** Every stack profile; the generic host profile first (it applies to every cluster). */
export const allProfiles: readonly StackProfile[] = [genericProfile, rocketchatProfile, presenceProfile, wukongimProfile, vernemqProfile, vomsProfile];

/** Every finding any profile can raise, by rule id (ids are unique across profiles: catalog.test.ts). */
export const findingCatalog: ReadonlyMap<string, FindingRule> = new Map(allProfiles.flatMap((profile) => profile.catalog.map((rule) => [rule.id, rule] as const)));

/** The first version any profile reads on a host (a host with several roles reports its app's). */
export function profileVersionOf(host: HostSnapshot): string | undefined {
  for (const profile of allProfiles) {
    const version = profile.versionOf?.(host);
    if (version) return version;
  }
  return undefined;
}
