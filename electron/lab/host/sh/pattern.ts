import type { Credentials } from '../accounts';
import { absolutePath, type Vfs } from '../vfs';

/**
 * Shell pattern matching (`case`, `${x#pattern}`, pathname expansion). A pattern is a list
 * of pieces; only unquoted pieces give `*`, `?` and `[...]` their meaning, so `"*"` or `\*`
 * match a star.
 */

export interface PatternPiece {
  text: string;
  quoted: boolean;
}

const magic = /[*?[]/;

export function hasMagic(pieces: readonly PatternPiece[]): boolean {
  return pieces.some((piece) => !piece.quoted && magic.test(piece.text));
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

const characterClasses: Record<string, string> = {
  alpha: 'a-zA-Z', digit: '0-9', alnum: 'a-zA-Z0-9', upper: 'A-Z', lower: 'a-z', space: ' \\t\\n\\r\\f\\v',
  blank: ' \\t', punct: '!-\\/:-@\\[-`{-~', xdigit: '0-9A-Fa-f', print: ' -~', graph: '!-~', cntrl: '\\x00-\\x1f\\x7f',
};

/** The bracket expression starting at `start` (just after `[`) as a RegExp class, or undefined when it does not close. */
function bracket(text: string, start: number): { source: string; end: number } | undefined {
  let i = start;
  let negate = false;
  if (text[i] === '!' || text[i] === '^') {
    negate = true;
    i++;
  }
  let body = '';
  let first = true;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === ']' && !first) return { source: `[${negate ? '^' : ''}${body}]`, end: i };
    first = false;
    if (ch === '[' && text[i + 1] === ':') {
      const close = text.indexOf(':]', i + 2);
      const name = close < 0 ? undefined : text.slice(i + 2, close);
      if (name !== undefined && characterClasses[name] !== undefined) {
        body += characterClasses[name];
        i = close + 2;
        continue;
      }
    }
    body += ch === '\\' || ch === ']' || ch === '[' || ch === '^' ? `\\${ch}` : ch;
    i++;
  }
  return undefined;
}

/** RegExp source for a pattern (without anchors). `*` and `?` also match `/` (callers split paths first). */
function patternSource(pieces: readonly PatternPiece[]): string {
  let source = '';
  for (const piece of pieces) {
    if (piece.quoted) {
      source += escapeRegExp(piece.text);
      continue;
    }
    const text = piece.text;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      if (ch === '*') source += '[\\s\\S]*';
      else if (ch === '?') source += '[\\s\\S]';
      else if (ch === '[') {
        const expression = bracket(text, i + 1);
        if (expression) {
          source += expression.source;
          i = expression.end;
        } else source += '\\[';
      } else source += escapeRegExp(ch);
    }
  }
  return source;
}

export function patternRegExp(pieces: readonly PatternPiece[]): RegExp {
  return new RegExp(`^${patternSource(pieces)}$`, 'u');
}

export function matchPattern(value: string, pieces: readonly PatternPiece[]): boolean {
  return patternRegExp(pieces).test(value);
}

/** `${value#pattern}` and friends: removes the shortest or longest matching prefix or suffix. */
export function removeAffix(value: string, pieces: readonly PatternPiece[], side: 'prefix' | 'suffix', longest: boolean): string {
  const regex = patternRegExp(pieces);
  const lengths = [...Array(value.length + 1).keys()];
  if (longest) lengths.reverse();
  for (const length of lengths) {
    const candidate = side === 'prefix' ? value.slice(0, length) : value.slice(value.length - length);
    if (regex.test(candidate)) return side === 'prefix' ? value.slice(length) : value.slice(0, value.length - length);
  }
  return value;
}

/** Splits pattern pieces at `/` into path components. */
function components(pieces: readonly PatternPiece[]): PatternPiece[][] {
  const result: PatternPiece[][] = [[]];
  for (const piece of pieces) {
    const parts = piece.text.split('/');
    parts.forEach((part, index) => {
      if (index > 0) result.push([]);
      if (part !== '') result[result.length - 1]!.push({ text: part, quoted: piece.quoted });
    });
  }
  return result;
}

/** Pathname expansion against the VFS: sorted matches, or empty when nothing matches. */
export function expandPathname(vfs: Vfs, cwd: string, pieces: readonly PatternPiece[], cred: Credentials): string[] {
  const absolute = pieces[0]?.text.startsWith('/') ?? false;
  let candidates: string[] = [absolute ? '/' : ''];
  for (const component of components(pieces)) {
    if (component.length === 0) continue;
    const literal = component.map((piece) => piece.text).join('');
    const next: string[] = [];
    for (const base of candidates) {
      if (!hasMagic(component)) {
        next.push(joinPath(base, literal));
        continue;
      }
      const regex = patternRegExp(component);
      let entries: Array<{ name: string }>;
      try {
        entries = vfs.readdir(absolutePath(cwd, base === '' ? '.' : base), cred);
      } catch {
        continue;
      }
      for (const entry of entries) {
        // A leading dot must be matched by a literal dot.
        if (entry.name.startsWith('.') && !literal.startsWith('.')) continue;
        if (regex.test(entry.name)) next.push(joinPath(base, entry.name));
      }
    }
    candidates = next;
  }
  return candidates.filter((candidate) => candidate !== '' && vfs.exists(absolutePath(cwd, candidate), cred)).sort();
}

function joinPath(base: string, name: string): string {
  if (base === '') return name;
  return base.endsWith('/') ? `${base}${name}` : `${base}/${name}`;
}
