import { Button, Spinner } from "@fluentui/react-components";
import { useState } from "react";
import { ProblemNotice } from "../components/ProblemNotice";
import { saveFile } from "./downloads";
import type { CsvFile } from "./reportsClient";

export interface ExportButtonProps {
  label: string;
  fetchFile: () => Promise<CsvFile>;
  /** Tests and embedding: receives the file instead of the browser's download. */
  onFile?: (file: CsvFile) => void;
}

/** Downloads a CSV through the API (with the bearer token a plain link couldn't send). */
export function ExportButton({ label, fetchFile, onFile }: ExportButtonProps) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<unknown>(null);
  const run = async () => {
    setBusy(true);
    setProblem(null);
    try {
      const file = await fetchFile();
      (onFile ?? saveFile)(file);
    } catch (error) {
      setProblem(error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Button onClick={() => void run()} disabled={busy} icon={busy ? <Spinner size="tiny" /> : undefined}>
        {label}
      </Button>
      {problem !== null && <ProblemNotice error={problem} onRetry={() => void run()} />}
    </>
  );
}
