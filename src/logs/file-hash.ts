/**
 * The SHA-256 of an input file for the imports table, computed on another thread: hashing 829 MB on the importer's
 * own thread cost it ~0.5 s of the ~8 s it spends on 2,000,000 events, while DuckDB's core is idle until the first
 * unit is staged. Only for regular files, which can be read twice; stdin and pipes are hashed as they are read.
 */
import { statSync } from 'node:fs';
import { workerThreads } from '../builtins.ts';

// CommonJS run by the worker (eval), so it needs nothing from the bundle. It reads into one buffer, over and over: a
// stream reads into a new buffer each time, and in the shared VM each fresh page costs a fault (~12 µs).
const HASH_FILE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { closeSync, openSync, readSync } = require('node:fs');
const hash = createHash('sha256');
const buffer = Buffer.allocUnsafe(1 << 20);
let fd;
try {
  fd = openSync(workerData, 'r');
  for (let read; (read = readSync(fd, buffer, 0, buffer.length, null)) > 0; ) hash.update(buffer.subarray(0, read));
  parentPort.postMessage(hash.digest('hex'));
} catch {
  parentPort.postMessage(null);
} finally {
  if (fd !== undefined) closeSync(fd);
}
`;

export interface BackgroundHash {
  /** The hex digest; undefined when the file could not be read again. */
  digest: Promise<string | undefined>;
  /** Stops the worker when the import ends without needing the hash (it would keep the process alive). */
  cancel(): void;
}

/** The file's SHA-256 from a worker thread, or undefined when `path` is not a regular file (hash it as it is read). */
export function hashFileInBackground(path: string): BackgroundHash | undefined {
  try {
    if (path === '-' || !statSync(path).isFile()) return undefined;
  } catch {
    return undefined;
  }
  const worker = new (workerThreads().Worker)(HASH_FILE, { eval: true, workerData: path });
  const digest = new Promise<string | undefined>((resolve) => {
    // a hash that cannot be computed leaves the column NULL, as for an import that never finished
    worker.once('message', (hex: string | null) => resolve(hex ?? undefined));
    worker.once('error', () => resolve(undefined));
    worker.once('exit', () => resolve(undefined));
  });
  return { digest, cancel: () => void worker.terminate() };
}
