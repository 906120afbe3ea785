/**
 * The UI text, one JSON file per section and language under locales/LANG/, so features
 * add their own files. Each file holds one top-level key (its section).
 */
type Catalog = Record<string, unknown>;

const files = import.meta.glob<Catalog>('./locales/*/*.json', { eager: true, import: 'default' });

function merge(language: string): Catalog {
  const catalog: Catalog = {};
  for (const [path, content] of Object.entries(files)) {
    if (path.startsWith(`./locales/${language}/`)) Object.assign(catalog, content);
  }
  return catalog;
}

export const catalogs = { en: merge('en'), 'zh-CN': merge('zh-CN') };
