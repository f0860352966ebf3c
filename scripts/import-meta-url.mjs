// Injected into the command line's CommonJS bundle (scripts/bundle.mjs):
// the sources are ES modules that find their files from import.meta.url,
// which a CommonJS file lacks; the bundle's own file is the answer.
import { pathToFileURL } from 'node:url';

// eslint-disable-next-line no-undef
export const importMetaUrl = pathToFileURL(__filename).href;
