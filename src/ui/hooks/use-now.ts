import { useEffect, useState } from 'react';

/** A clock that ticks only while `active` (a command runs), for spinners and elapsed time. */
export function useNow(active: boolean, now: () => number = Date.now, everyMs = 125): number {
  const [t, setT] = useState(now);
  useEffect(() => {
    if (!active) return;
    setT(now());
    const timer = setInterval(() => setT(now()), everyMs);
    return () => clearInterval(timer);
  }, [active, now, everyMs]);
  return t;
}
