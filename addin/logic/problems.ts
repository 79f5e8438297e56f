import { ApiProblem } from "../api/client";

export type NextStep = "sign_in" | "retry" | null;

export interface ProblemView {
  title: string;
  message: string;
  next: NextStep;
}

/** Every failure in plain words with what to do next. */
export function describeProblem(error: unknown): ProblemView {
  const problem = error instanceof ApiProblem ? error : null;
  switch (problem?.kind) {
    case "network":
      return { title: "Can't reach Startdeliver", message: "Check your internet connection, then try again.", next: "retry" };
    case "sign_in":
      return {
        title: problem.status === 401 ? "Your sign-in has expired" : "Sign in to Startdeliver",
        message: problem.status === 401 ? "Sign in again to continue." : problem.message,
        next: "sign_in",
      };
    case "forbidden":
      return {
        title: "Not a Startdeliver team member",
        message: "Your account isn't a team member in Startdeliver; ask your admin.",
        next: null,
      };
    case "invalid":
      return { title: "That didn't work", message: problem.message, next: null };
    case "not_found":
      return { title: "Not found", message: "Startdeliver couldn't find that. Try again in a moment.", next: "retry" };
    case "unavailable":
      return { title: "Startdeliver had a problem", message: "Something went wrong on the server. Try again in a minute.", next: "retry" };
    default:
      return { title: "Something went wrong", message: "Try again; if it keeps happening, ask your admin.", next: "retry" };
  }
}
