import { readdir } from 'node:fs/promises';
import { isAbsolute, join, sep } from 'node:path';

/**
 * The glob(3) subset that ssh_config's Include uses (`*`, `?`, `[...]` within one path
 * segment; a leading dot is matched only explicitly). Node 20 has no fs.glob, and the
 * job is a few lines. Results come back sorted, as glob(3) returns them.
 */
export async function expandPathGlob(pattern: string): Promise<string[]> {
  if (!isAbsolute(pattern)) throw new Error('expandPathGlob needs an absolute pattern');
  const segments = pattern.split(sep).filter((segment) => segment !== '');
  let paths: string[] = [sep];
  for (const segment of segments) {
    const next: string[] = [];
    for (const dir of paths) {
      if (!/[*?[]/.test(segment)) {
        next.push(join(dir, segment));
        continue;
      }
      const matcher = segmentMatcher(segment);
      let entries: string[];
      try {
        entries = await readdir(dir);
      } catch {
        continue;
      }
      for (const entry of entries.sort()) {
        if (entry.startsWith('.') && !segment.startsWith('.')) continue;
        if (matcher.test(entry)) next.push(join(dir, entry));
      }
    }
    paths = next;
  }
  return paths;
}

function segmentMatcher(segment: string): RegExp {
  let source = '';
  for (let i = 0; i < segment.length; i++) {
    const char = segment[i] ?? '';
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else if (char === '[') {
      const close = segment.indexOf(']', i + 2);
      if (close < 0) {
        source += '\\[';
        continue;
      }
      const body = segment.slice(i + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\');
      source += `[${body}]`;
      i = close;
    } else source += char.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}
