/**
 * Site_Url against a license's server URLs, the way Rocket.Chat 7 compares them
 * (RocketChat/Rocket.Chat ee/packages/license/src/workspaceUrl.ts and
 * validation/validateLicenseUrl.ts):
 * - Site_Url loses one trailing slash and its `http://`/`https://` scheme;
 * - `url` entries must equal that, ignoring case, as written in the license;
 * - `regex` entries are wildcard patterns: dots are literal, `*` is any text, anchored at
 *   both ends, ignoring case; other regex syntax stays active;
 * - `hash` entries are bcrypt hashes of the URL, which cannot be checked here.
 */

export type ServerUrlMatch =
  | { result: 'match' }
  | { result: 'mismatch' }
  /** A `url` entry that equals Site_Url only if the license's own scheme or trailing slash is ignored, which Rocket.Chat does not do. */
  | { result: 'near-match' }
  | { result: 'unchecked'; reason: 'hash' | 'bad-pattern' | 'unsafe-pattern' | 'unknown-type' };

/** The longest `regex` entry evaluated; real ones are a host name with a `*` or two. */
const MAX_PATTERN_LENGTH = 512;

/** Site_Url as Rocket.Chat matches it: without one trailing slash and without `http(s)://`. */
export function workspaceUrlOf(siteUrl: string): string {
  return siteUrl.replace(/\/$/, '').replace(/^https?:\/\/(.*)$/, '$1');
}

export function matchServerUrl(entry: { value: string; type: string }, siteUrl: string): ServerUrlMatch {
  const workspaceUrl = workspaceUrlOf(siteUrl);
  switch (entry.type) {
    case 'url':
      if (entry.value.toLowerCase() === workspaceUrl.toLowerCase()) return { result: 'match' };
      return workspaceUrlOf(entry.value).toLowerCase() === workspaceUrl.toLowerCase()
        ? { result: 'near-match' }
        : { result: 'mismatch' };
    case 'regex':
      return matchWildcard(entry.value, workspaceUrl);
    case 'hash':
      return { result: 'unchecked', reason: 'hash' };
    default:
      return { result: 'unchecked', reason: 'unknown-type' };
  }
}

function matchWildcard(value: string, workspaceUrl: string): ServerUrlMatch {
  const source = value.replace(/\./g, '\\.').replace(/\*/g, '.*');
  // A quantified group that itself holds a quantifier can backtrack exponentially.
  if (value.length > MAX_PATTERN_LENGTH || /\([^)]*[*+?}][^)]*\)[*+?{]/.test(source)) {
    return { result: 'unchecked', reason: 'unsafe-pattern' };
  }
  let pattern: RegExp;
  try {
    pattern = new RegExp(`^${source}$`, 'i');
  } catch {
    return { result: 'unchecked', reason: 'bad-pattern' };
  }
  return pattern.test(workspaceUrl) ? { result: 'match' } : { result: 'mismatch' };
}
