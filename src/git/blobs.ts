/**
 * Reads git objects through one long-lived `git cat-file --batch`, so loading a registry at a revision (or at two
 * thousand of them) costs one process, not one per file. Contents are cached by blob id: a blob never changes.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { InputError } from '../errors.ts';

interface Pending {
  id: string;
  resolve: (content: Buffer | undefined) => void;
  reject: (error: Error) => void;
}

export class BlobReader {
  private readonly process: ChildProcessWithoutNullStreams;
  private readonly pending: Pending[] = [];
  private buffer: Buffer = Buffer.alloc(0);
  private readonly cache = new Map<string, Promise<Buffer | undefined>>();
  private failure: Error | undefined;

  constructor(repoTop: string) {
    this.process = spawn('git', ['cat-file', '--batch'], { cwd: repoTop, stdio: ['pipe', 'pipe', 'pipe'] });
    this.process.stdout.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      this.drain();
    });
    this.process.on('error', (error) => this.fail(error));
    this.process.on('close', () => this.fail(new InputError('git cat-file stopped unexpectedly')));
  }

  /** The blob's bytes (registry files are decoded by decodeRegistryFile), or undefined when it does not exist. */
  read(id: string): Promise<Buffer | undefined> {
    const cached = this.cache.get(id);
    if (cached) return cached;
    const promise = new Promise<Buffer | undefined>((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.pending.push({ id, resolve, reject });
      this.process.stdin.write(`${id}\n`);
    });
    this.cache.set(id, promise);
    return promise;
  }

  close(): void {
    this.process.stdin.end();
  }

  private drain(): void {
    for (;;) {
      const head = this.pending[0];
      if (!head) return;
      const newline = this.buffer.indexOf(10);
      if (newline < 0) return;
      const header = this.buffer.subarray(0, newline).toString('utf8');
      if (header.endsWith(' missing')) {
        this.buffer = this.buffer.subarray(newline + 1);
        this.pending.shift();
        head.resolve(undefined);
        continue;
      }
      const size = Number(header.split(' ')[2]);
      if (!Number.isFinite(size)) {
        this.fail(new InputError(`unexpected git cat-file output: ${header}`));
        return;
      }
      // header, content, and the newline git writes after the content
      if (this.buffer.length < newline + 1 + size + 1) return;
      // a copy: the buffer it came from is reused for what git writes next
      const content = Buffer.from(this.buffer.subarray(newline + 1, newline + 1 + size));
      this.buffer = this.buffer.subarray(newline + 1 + size + 1);
      this.pending.shift();
      head.resolve(content);
    }
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    for (const pending of this.pending.splice(0)) pending.reject(error);
  }
}
