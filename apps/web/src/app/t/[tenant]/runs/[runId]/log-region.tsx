// The box a log terminal is drawn in, for the run page's terminal and the job page's viewer alike: a named,
// focusable region ("Log of job build") whose keys scroll the terminal (the caller's onKeyDown), and the state of
// its stream as `data-state` for tests.
import type { KeyboardEvent, Ref, WheelEvent } from "react";

export function LogRegion({ jobKey, state, onKeyDown, onWheel, ref }: { jobKey: string; state: string; onKeyDown(event: KeyboardEvent<HTMLDivElement>): void; onWheel?(event: WheelEvent<HTMLDivElement>): void; ref: Ref<HTMLDivElement> }) {
  return (
    <div className="log-box">
      <div className="log-terminal" role="region" aria-label={`Log of job ${jobKey}`} tabIndex={0} onKeyDown={onKeyDown} onWheel={onWheel} data-testid={`log-terminal-${jobKey}`} data-state={state} ref={ref} />
    </div>
  );
}
