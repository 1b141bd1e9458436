// Reads a server-sent events answer as it streams, for the tests of the app's event streams: the events so far, and
// a way to hang up (aborting the request, as a browser that leaves does).
export interface SseEvent {
  event: string;
  id: string | undefined;
  data: Record<string, unknown>;
}

export function readEvents(response: Promise<Response>, abort: AbortController) {
  const events: SseEvent[] = [];
  const pump = response.then(async (answer) => {
    if (!answer.body || answer.status !== 200) return;
    const reader = answer.body.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      text += value;
      const blocks = text.split("\n\n");
      text = blocks.pop() ?? "";
      for (const block of blocks) {
        const field = (name: string) => block.split("\n").find((line) => line.startsWith(`${name}: `))?.slice(name.length + 2);
        const event = field("event");
        if (event) events.push({ event, id: field("id"), data: JSON.parse(field("data") ?? "{}") as Record<string, unknown> });
      }
    }
  });
  return {
    response,
    events,
    close: async () => {
      abort.abort();
      await pump;
    },
  };
}
