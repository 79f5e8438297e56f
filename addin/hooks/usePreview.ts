import { useCallback, useEffect, useRef, useState } from "react";
import type { OpenMessage, PreviewResponse } from "../../shared/api/contract";
import type { ApiClient } from "../api/client";
import { versionChanged } from "../logic/connection";
import { messageKey } from "../office/mailbox";

export interface PreviewState {
  preview: PreviewResponse | null;
  loading: boolean;
  problem: unknown;
  retry(): void;
}

/**
 * POST /api/preview for the open message; a newer selection cancels the older request. When `version`
 * changes (connected, initial sync finished, a newer sync) it is asked again in place: the answer shown stays
 * until the new one arrives.
 */
export function usePreview(api: ApiClient, message: OpenMessage | null, version: string | null = null): PreviewState {
  const [preview, setPreview] = useState<PreviewResponse | null>(null);
  const [loading, setLoading] = useState(false);
  const [problem, setProblem] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);
  const [refreshes, setRefreshes] = useState(0);
  const key = messageKey(message);
  /** The message whose preview is on screen. */
  const shownKey = useRef<string | null>(null);
  const lastVersion = useRef(version);

  useEffect(() => {
    const before = lastVersion.current;
    lastVersion.current = version;
    if (versionChanged(before, version)) setRefreshes((n) => n + 1);
  }, [version]);

  useEffect(() => {
    // Same message already on screen: refresh quietly (no spinner, no flicker, a failure keeps the old answer).
    const quiet = message !== null && shownKey.current === key;
    if (!quiet) {
      setPreview(null);
      shownKey.current = null;
    }
    setProblem(null);
    if (!message) {
      setLoading(false);
      return;
    }
    const controller = new AbortController();
    if (!quiet) setLoading(true);
    api
      .preview(message, controller.signal)
      .then((result) => {
        if (controller.signal.aborted) return;
        shownKey.current = key;
        setPreview(result);
      })
      .catch((error: unknown) => {
        if (!controller.signal.aborted && !quiet) setProblem(error);
      })
      .finally(() => {
        if (!controller.signal.aborted) setLoading(false);
      });
    return () => controller.abort();
    // The message object changes identity on every ItemChanged; the key says whether it really changed.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, key, attempt, refreshes]);

  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  return { preview, loading, problem, retry };
}
