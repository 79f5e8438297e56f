/**
 * The server's pino logger. Tokens, secrets and authorization headers are redacted wherever they
 * appear in a logged object, so a careless `log.info({ result })` cannot leak a token.
 */
import pino, { type Logger } from "pino";

export type { Logger };

export const REDACT_PATHS = [
  "authorization",
  "cookie",
  "*.authorization",
  "*.Authorization",
  "*.cookie",
  "headers.authorization",
  "headers.cookie",
  "req.headers.authorization",
  "req.headers.cookie",
  "res.headers['set-cookie']",
  "accessToken",
  "refreshToken",
  "idToken",
  "access_token",
  "refresh_token",
  "id_token",
  "clientSecret",
  "client_secret",
  "apiKey",
  "token",
  "codeVerifier",
  "code_verifier",
  "secret",
  "password",
  "*.accessToken",
  "*.refreshToken",
  "*.idToken",
  "*.access_token",
  "*.refresh_token",
  "*.id_token",
  "*.clientSecret",
  "*.client_secret",
  "*.apiKey",
  "*.token",
  "*.tokenBlob",
  "*.token_blob",
  "*.codeVerifier",
  "*.code_verifier",
  "*.secret",
  "*.password",
];

export function createLogger(level: string = "info", destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      base: { service: "startdeliver-outlook-sync" },
    },
    destination,
  );
}
