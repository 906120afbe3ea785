declare const __APP_VERSION__: string | undefined;

/** Injected at build time from package.json; tests run from source and see 'dev'. */
export const appVersion: string = typeof __APP_VERSION__ === 'string' ? __APP_VERSION__ : 'dev';
