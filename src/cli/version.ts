/** The program name and version written into snapshots. */
import { createRequire } from 'node:module';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };
export const VERSION = version;
export const PROGRAM = `coffer ${version}`;
