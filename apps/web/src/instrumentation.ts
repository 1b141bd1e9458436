// Next.js runs register() once per server process before it serves anything. NEXT_RUNTIME is a constant Next
// inlines per bundle (not configuration), so the edge bundle drops the Node-only import below.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startServer } = await import("./server/startup");
  startServer();
}
