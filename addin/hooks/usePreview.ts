import { useCallback, useEffect, useState } from "react";
import type { OpenMessage, PreviewResponse } from "../../shared/api/contract";
import type { ApiClient } from "../api/client";
import { messageKey } from "../office/mailbox";

export interface PreviewState {
  preview: PreviewResponse | null;
  loading: boolean;
  problem: unknown;
  retry(): void;
}

/** POST /api/preview for the open message; a newer selection cancels the older request. */
export function usePreview(api: ApiClient, message: OpenMessage | null): PreviewState {
  const [preview, setPreview] = useState<PreviewResponse | null>(null);
  const [loading, setLoading] = useState(false);
  const [problem, setProblem] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);
  const key = messageKey(message);

  useEffect(() => {
    setPreview(null);
    setProblem(null);
    if (!message) {
      setLoading(false);
      return;
    }
    const controller = new AbortController();
    setLoading(true);
    api
      .preview(message, controller.signal)
      .then((result) => {
        if (!controller.signal.aborted) setPreview(result);
      })
      .catch((error: unknown) => {
        if (!controller.signal.aborted) setProblem(error);
      })
      .finally(() => {
        if (!controller.signal.aborted) setLoading(false);
      });
    return () => controller.abort();
    // The message object changes identity on every ItemChanged; the key says whether it really changed.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, key, attempt]);

  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  return { preview, loading, problem, retry };
}
