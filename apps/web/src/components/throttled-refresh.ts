// Re-renders a page's server components (router.refresh) when live events say it changed — at most once per
// `minMs`, however many events come: a burst becomes one refresh at the end of the interval.
export interface ThrottledRefresh {
  refresh(): void;
  cancel(): void;
}

export function throttledRefresh(router: { refresh(): void }, minMs: number): ThrottledRefresh {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastRefresh = 0;
  return {
    refresh: () => {
      if (timer !== undefined) return;
      timer = setTimeout(
        () => {
          timer = undefined;
          lastRefresh = Date.now();
          router.refresh();
        },
        Math.max(0, lastRefresh + minMs - Date.now()),
      );
    },
    cancel: () => clearTimeout(timer),
  };
}
