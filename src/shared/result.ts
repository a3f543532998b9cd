// Typed results for everything that crosses a process boundary: a call either
// succeeds with a value or fails with a code the UI can act on and a message a
// person can read. Nothing is thrown across IPC or the WebSocket.

export type ErrorCode =
  | 'invalid-request'   // malformed message or parameters (schema violation)
  | 'unknown-method'
  | 'unknown-spr'
  | 'unknown-interrupt'
  | 'strategy-not-allowed'
  | 'unknown-preset'
  | 'unknown-guest'
  | 'invalid-state'     // e.g. starting a guest that crashed
  | 'bad-image'         // malformed or unsupported ELF
  | 'unavailable'       // the capability is not present in this build/host
  | 'internal';

export interface LabError {
  code: ErrorCode;
  message: string;
  /** Extra detail: offending field, valid names, ... */
  detail?: unknown;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: LabError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (code: ErrorCode, message: string, detail?: unknown): Result<never> =>
  ({ ok: false, error: detail === undefined ? { code, message } : { code, message, detail } });

/** An Error that carries a LabError code, for code paths that prefer throwing internally. */
export class LabFailure extends Error {
  constructor(readonly code: ErrorCode, message: string, readonly detail?: unknown) {
    super(message);
    this.name = 'LabFailure';
  }
  toError(): LabError {
    return this.detail === undefined ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, detail: this.detail };
  }
}
