// Replaced at bundle time by scripts/build.mjs; read from package.json when run from source.
declare const __NETWIZ_VERSION__: string | undefined;
export const NETWIZ_VERSION: string =
  typeof __NETWIZ_VERSION__ === 'string' ? __NETWIZ_VERSION__ : '0.1.0-dev';
