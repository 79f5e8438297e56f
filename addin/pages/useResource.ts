import { useCallback, useEffect, useRef, useState } from "react";

export interface Resource<T> {
  data: T | null;
  problem: unknown;
  loading: boolean;
  reload(): void;
}

/**
 * Loads `load()` whenever `key` changes; an older answer arriving late never replaces a newer
 * one (the request is aborted). Keeps the last data while reloading so tables don't flash.
 */
export function useResource<T>(key: string, load: (signal: AbortSignal) => Promise<T>): Resource<T> {
  const [data, setData] = useState<T | null>(null);
  const [problem, setProblem] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [nonce, setNonce] = useState(0);
  const loader = useRef(load);
  loader.current = load;

  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    setProblem(null);
    loader
      .current(controller.signal)
      .then((value) => {
        if (controller.signal.aborted) return;
        setData(value);
        setLoading(false);
      })
      .catch((error: unknown) => {
        if (controller.signal.aborted || (error as Error)?.name === "AbortError") return;
        setProblem(error);
        setLoading(false);
      });
    return () => controller.abort();
  }, [key, nonce]);

  const reload = useCallback(() => setNonce((n) => n + 1), []);
  return { data, problem, loading, reload };
}
