import { useEffect, useState } from "react";
import type { OpenMessage } from "../../shared/api/contract";
import type { PaneServices } from "../services";

/** The open message; follows the selection when the pane is pinned (null: nothing selected). */
export function useOpenMessage(mailbox: PaneServices["mailbox"]): OpenMessage | null {
  const [message, setMessage] = useState<OpenMessage | null>(() => mailbox.read());
  useEffect(() => {
    setMessage(mailbox.read());
    return mailbox.onChange(setMessage);
  }, [mailbox]);
  return message;
}
