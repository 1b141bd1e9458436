// A CPU profile of this process over one window of a benchmark (not its set-up), written as a .cpuprofile that
// Chrome's DevTools opens. Undefined when no file is asked for.
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";

export async function windowProfile(file: string | undefined): Promise<{ stop(): Promise<void> } | undefined> {
  if (!file) return undefined;
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
  return {
    async stop() {
      const { profile } = await session.post("Profiler.stop");
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}
