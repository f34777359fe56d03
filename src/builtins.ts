/**
 * Node built-ins that only some commands use, loaded on first use: `check` and `validate` never gunzip or start a
 * worker, and loading zlib and worker_threads at start-up cost every command ~2 ms (measured on Node 20).
 * (child_process is not among them: commander loads it at start-up anyway.)
 */
import { createRequire } from 'node:module';

const requireBuiltin = createRequire(import.meta.url);

export const zlib = (): typeof import('node:zlib') => requireBuiltin('node:zlib') as typeof import('node:zlib');
export const workerThreads = (): typeof import('node:worker_threads') => requireBuiltin('node:worker_threads') as typeof import('node:worker_threads');
