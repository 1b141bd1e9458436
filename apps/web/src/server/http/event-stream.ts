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
