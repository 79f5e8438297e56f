import { useCallback, useEffect, useState } from "react";
import type { MeResponse } from "../../shared/api/contract";
import { ApiProblem } from "../api/client";

export type SignInPhase = { kind: "loading" } | { kind: "sign_in"; problem: unknown } | { kind: "problem"; problem: unknown } | { kind: "ready"; me: MeResponse };

/**
 * Who is signed in, shared by the pane and the report pages: asks the server on mount, and signs in
 * interactively on request. `onReady` runs after each successful /me (the pages load the team then).
 */
export function useSignedIn(me: () => Promise<MeResponse>, interactiveSignIn: () => Promise<void>, onReady?: () => void) {
  const [phase, setPhase] = useState<SignInPhase>({ kind: "loading" });
  const [signingIn, setSigningIn] = useState(false);

  const start = useCallback(async () => {
    setPhase({ kind: "loading" });
    try {
      setPhase({ kind: "ready", me: await me() });
      onReady?.();
    } catch (error) {
      const signIn = error instanceof ApiProblem && error.kind === "sign_in";
      // A first visit (no token yet) is not a problem worth a red banner.
      setPhase(signIn ? { kind: "sign_in", problem: error.status === 401 ? error : null } : { kind: "problem", problem: error });
    }
  }, [me, onReady]);

  useEffect(() => {
    void start();
  }, [start]);

  const signIn = useCallback(async () => {
    setSigningIn(true);
    try {
      await interactiveSignIn();
      await start();
    } catch (error) {
      setPhase({ kind: "sign_in", problem: error });
    } finally {
      setSigningIn(false);
    }
  }, [interactiveSignIn, start]);

  return { phase, signingIn, start, signIn };
}
