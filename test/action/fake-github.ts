/**
 * A small stand-in for the GitHub REST endpoints the Action uses, on 127.0.0.1: issue comments (list, create,
 * update, delete) and pulls. It records every request and can be told to answer with an error a number of
 * times, as GitHub does for read-only tokens (403), missing things (404) and bad days (5xx).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  authorization?: string;
  body?: unknown;
}

export interface FakeComment {
  id: number;
  body: string;
  html_url: string;
  user: { login: string; type?: string };
}

interface Fault {
  method: string;
  path: RegExp;
  status: number;
  remaining: number;
  message: string;
  headers: Record<string, string>;
}

export interface FakeGitHub {
  url: string;
  requests: RecordedRequest[];
  /** issue number → comments */
  comments: Map<number, FakeComment[]>;
  /** Answer the next `times` matching requests with `status`. */
  fail(method: string, path: RegExp, status: number, options?: { times?: number; message?: string; headers?: Record<string, string> }): void;
  close(): Promise<void>;
}

export async function startFakeGitHub(): Promise<FakeGitHub> {
  const requests: RecordedRequest[] = [];
  const comments = new Map<number, FakeComment[]>();
  const faults: Fault[] = [];
  let nextId = 1000;

  const send = (res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(body === undefined ? '' : JSON.stringify(body));
  };

  const handle = (req: IncomingMessage, res: ServerResponse, raw: string): void => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    let body: unknown;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
    }
    requests.push({ method, path: url.pathname, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}), ...(body === undefined ? {} : { body }) });

    const fault = faults.find((f) => f.remaining > 0 && f.method === method && f.path.test(url.pathname));
    if (fault) {
      fault.remaining -= 1;
      send(res, fault.status, { message: fault.message, documentation_url: 'https://docs.github.com/rest' }, fault.headers);
      return;
    }

    let match: RegExpMatchArray | null;
    if ((match = url.pathname.match(/^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/))) {
      const [, owner, repo, number] = match;
      const list = comments.get(Number(number)) ?? [];
      if (method === 'GET') return send(res, 200, list);
      if (method === 'POST') {
        const id = nextId++;
        const comment: FakeComment = {
          id,
          body: (body as { body: string }).body,
          html_url: `https://github.example/${owner}/${repo}/pull/${number}#issuecomment-${id}`,
          user: { login: 'github-actions[bot]', type: 'Bot' },
        };
        comments.set(Number(number), [...list, comment]);
        return send(res, 201, comment);
      }
    }
    if ((match = url.pathname.match(/^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/))) {
      const id = Number(match[1]);
      for (const [number, list] of comments) {
        const comment = list.find((c) => c.id === id);
        if (!comment) continue;
        if (method === 'PATCH') {
          comment.body = (body as { body: string }).body;
          return send(res, 200, comment);
        }
        if (method === 'DELETE') {
          comments.set(number, list.filter((c) => c.id !== id));
          res.writeHead(204);
          res.end();
          return;
        }
      }
      return send(res, 404, { message: 'Not Found' });
    }
    if (url.pathname === '/user' && method === 'GET') {
      // what GitHub answers the Actions token (an installation token): it has no user of its own
      return send(res, 403, { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest/users/users#get-the-authenticated-user' });
    }
    if ((match = url.pathname.match(/^\/repos\/[^/]+\/[^/]+\/pulls\/(\d+)$/)) && method === 'GET') {
      return send(res, 200, { number: Number(match[1]), state: 'open' });
    }
    send(res, 404, { message: `Not Found (fake GitHub has no ${method} ${url.pathname})` });
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    comments,
    fail(method, path, status, options = {}) {
      faults.push({
        method,
        path,
        status,
        remaining: options.times ?? 1,
        message: options.message ?? (status === 403 ? 'Resource not accessible by integration' : 'Server Error'),
        headers: options.headers ?? {},
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
