import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

export interface Listening {
  url: string
  close(): Promise<void>
}

export type Handler = (
  req: IncomingMessage,
  res: ServerResponse,
  body: string
) => void | Promise<void>

/** An HTTP server on a free loopback port; close() also ends connections left hanging by fault tests. */
export async function listen(handler: Handler): Promise<Listening> {
  const sockets = new Set<Socket>()
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', chunk => chunks.push(chunk))
    req.on('end', () => {
      Promise.resolve(handler(req, res, Buffer.concat(chunks).toString('utf8'))).catch(error => {
        if (!res.headersSent) sendJson(res, 500, { code: 13, message: String(error) })
        else res.destroy()
      })
    })
  })
  server.on('connection', socket => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise(resolve => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {}
): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    ...headers
  })
  res.end(text)
}

/** Ways a server can misbehave, shared by the stand-ins; each is consumed by one request. */
export type Fault =
  | {
      kind: 'status'
      status: number
      body?: string
      contentType?: string
      headers?: Record<string, string>
    }
  | { kind: 'hang' }
  | { kind: 'reset' }
  | { kind: 'cut' }
  | { kind: 'redirect'; location: string; status?: number }
  /** An error that quotes the request back, as some gateways do. */
  | { kind: 'echo'; status: number }

/** Plays a fault; `full` is the answer a healthy server would give, for the "cut" fault. */
export function playFault(
  res: ServerResponse,
  fault: Fault,
  full: Buffer = Buffer.from('{"partial": "answer that never ends"}'),
  requestBody = ''
): void {
  switch (fault.kind) {
    case 'status': {
      const body =
        fault.body ?? JSON.stringify({ code: 14, message: `fault injected: HTTP ${fault.status}` })
      res.writeHead(fault.status, {
        'Content-Type': fault.contentType ?? 'application/json',
        ...fault.headers
      })
      res.end(body)
      return
    }
    case 'hang':
      return // accepted, never answered
    case 'reset':
      res.socket?.destroy()
      return
    case 'cut':
      res.writeHead(200, {
        'Content-Type': 'application/octet-stream',
        'Content-Length': full.length
      })
      res.write(full.subarray(0, Math.floor(full.length / 2)))
      setTimeout(() => res.socket?.destroy(), 20)
      return
    case 'echo':
      sendJson(res, fault.status, { code: 3, message: `cannot parse request ${requestBody}` })
      return
    case 'redirect':
      res.writeHead(fault.status ?? 307, { Location: fault.location })
      res.end()
      return
  }
}
