// A server-sent events response: the headers every event stream of the app answers with.
export function eventStreamResponse(body: ReadableStream<Uint8Array>): Response {
  return new Response(body, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      // no-transform: compression would buffer the stream.
      "cache-control": "no-cache, no-transform",
      // nginx: pass each event on as it comes.
      "x-accel-buffering": "no",
    },
  });
}

/** What a stream's setup uses to talk to its client. */
export interface EventStreamSink {
  /** One event; `id` is what EventSource sends back as Last-Event-ID when it reconnects. */
  send(event: string, data: unknown, id?: string): void;
  /** Sends `failure` with the message and ends the response: the server gave up. */
  fail(message: string): void;
  /** Calls `task` every `ms` until the stream ends. */
  every(ms: number, task: () => void): void;
  /** Called once when the stream ends (the client went away, or fail()). */
  onClose(cleanup: () => void): void;
  readonly closed: AbortSignal;
}

/**
 * A server-sent events response whose `setup` runs when the body is first read: `retry: 2000` first, a `: keepalive`
 * comment every `heartbeatMs`, and everything the setup registered undone when the client goes away (the request
 * aborts or the reader cancels) or the setup fails (its message sent as `failure`).
 */
export function serverSentEvents(request: Request, heartbeatMs: number, setup: (sink: EventStreamSink) => Promise<void>): Response {
  const encoder = new TextEncoder();
  const abort = new AbortController();
  const timers: ReturnType<typeof setInterval>[] = [];
  const cleanups: (() => void)[] = [];
  let stream: ReadableStreamDefaultController<Uint8Array> | null = null;
  const close = () => {
    if (abort.signal.aborted) return;
    abort.abort();
    for (const timer of timers) clearInterval(timer);
    for (const cleanup of cleanups) cleanup();
    try {
      stream?.close();
    } catch {
      // The reader cancelled the stream already.
    }
  };
  request.signal.addEventListener("abort", close);
  const write = (text: string) => {
    if (!abort.signal.aborted) stream?.enqueue(encoder.encode(text));
  };
  const sink: EventStreamSink = {
    send: (event, data, id) => write(`${id === undefined ? "" : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`),
    fail: (message) => {
      sink.send("failure", { message });
      close();
    },
    every: (ms, task) => {
      if (!abort.signal.aborted) timers.push(setInterval(task, ms));
    },
    onClose: (cleanup) => {
      if (abort.signal.aborted) cleanup();
      else cleanups.push(cleanup);
    },
    closed: abort.signal,
  };
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      stream = controller;
      write("retry: 2000\n\n");
      try {
        await setup(sink);
        sink.every(heartbeatMs, () => write(": keepalive\n\n"));
      } catch (error) {
        sink.fail(error instanceof Error ? error.message : String(error));
      }
    },
    cancel: close,
  });
  return eventStreamResponse(body);
}
