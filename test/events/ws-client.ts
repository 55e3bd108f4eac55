// @ts-expect-error ws ships no types here (a dependency of @fastify/websocket, used only by this test client)
import WebSocket from 'ws';

/** A minimal graphql-transport-ws client for tests: connection_init with a token, subscribe, collect. */
export async function connectWs(url: string, token: string | null, headers: Record<string, string> = {}) {
  const socket = new WebSocket(url, 'graphql-transport-ws', { headers });
  const messages: Array<{ type: string; id?: string; payload?: any }> = [];
  const waiters: Array<() => void> = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.on('close', (code: number, reason: Buffer) => resolve({ code, reason: String(reason) })));
  socket.on('message', (raw: Buffer) => {
    messages.push(JSON.parse(String(raw)));
    for (const w of waiters.splice(0)) w();
  });
  await new Promise<void>((resolve, reject) => { socket.once('open', () => resolve()); socket.once('error', reject); });
  socket.send(JSON.stringify({ type: 'connection_init', payload: token ? { authorization: `Bearer ${token}` } : {} }));
  const until = (test: () => boolean, ms = 15_000) => new Promise<void>((resolve, reject) => {
    const check = () => { if (test()) { clearTimeout(timer); resolve(); } else waiters.push(check); };
    const timer = setTimeout(() => reject(new Error(`ws: not met after ${ms} ms: ${JSON.stringify(messages)}`)), ms);
    check();
  });
  let ids = 0;
  return {
    messages,
    closed,
    until,
    acked: () => until(() => messages.some((m) => m.type === 'connection_ack')),
    subscribe(query: string, variables: Record<string, unknown> = {}) {
      const id = String(++ids);
      socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables } }));
      return id;
    },
    next: (id: string) => messages.filter((m) => m.id === id && m.type === 'next').map((m) => m.payload),
    errors: (id: string) => messages.filter((m) => m.id === id && m.type === 'error').map((m) => m.payload),
    /** Send a raw frame (hostile-input tests). */
    send: (data: string) => socket.send(data),
    close: () => socket.close(),
  };
}
