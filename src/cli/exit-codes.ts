/**
 * The `net-mesh` exit codes, and the one place that maps errors to them. docs/CLI.md carries the same table;
 * `test/cli/cli-doc.test.ts` checks that the two agree.
 */
import { ErrorCode, NetError } from '../core/index.js';

export const ExitCode = {
  Ok: 0,
  Internal: 1,
  Usage: 2,
  KeyFile: 3,
  Network: 4,
  Auth: 5,
  NotFound: 6,
  AlreadyExists: 7,
  Data: 8,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Every exit code with its name (as in docs/CLI.md) and meaning, ascending. */
export const EXIT_CODES: readonly { readonly code: ExitCode; readonly name: string; readonly meaning: string }[] = [
  { code: ExitCode.Ok, name: 'ok', meaning: 'success' },
  { code: ExitCode.Internal, name: 'internal', meaning: 'internal error (a bug, or an unexpected system failure)' },
  { code: ExitCode.Usage, name: 'usage', meaning: 'bad command line or configuration file' },
  { code: ExitCode.KeyFile, name: 'key-file', meaning: 'identity or PSK file missing, malformed, existing, or readable by others' },
  { code: ExitCode.Network, name: 'network', meaning: 'network failure: peer or bus broker unreachable, timed out, not connected, refused' },
  { code: ExitCode.Auth, name: 'auth', meaning: 'authentication failure: wrong PSK, wrong peer key, bad signature' },
  { code: ExitCode.NotFound, name: 'not-found', meaning: 'the task, memory or log named does not exist' },
  { code: ExitCode.AlreadyExists, name: 'exists', meaning: 'the row or store already exists (restore into a non-empty store without --force)' },
  { code: ExitCode.Data, name: 'data', meaning: 'stored data or a snapshot bundle is corrupt or of an unknown version' },
];

/**
 * Exit code for each NetError code. A `Record` over every code, so adding an ErrorCode fails type checking here
 * until someone decides which exit code it gets.
 */
const BY_ERROR_CODE: Record<ErrorCode, ExitCode> = {
  [ErrorCode.DecodeShort]: ExitCode.Internal,
  [ErrorCode.DecodeLong]: ExitCode.Internal,
  [ErrorCode.DecodeBadMagic]: ExitCode.Internal,
  [ErrorCode.DecodeBadVersion]: ExitCode.Internal,
  [ErrorCode.DecodeLength]: ExitCode.Internal,
  [ErrorCode.DecodeLimit]: ExitCode.Internal,
  [ErrorCode.DecodeReserved]: ExitCode.Internal,
  [ErrorCode.DecodeValue]: ExitCode.Internal,
  [ErrorCode.InvalidArgument]: ExitCode.Usage,
  [ErrorCode.ChannelName]: ExitCode.Usage,
  [ErrorCode.Config]: ExitCode.Usage,
  [ErrorCode.AuthFailed]: ExitCode.Auth,
  [ErrorCode.BadKey]: ExitCode.Auth,
  [ErrorCode.BadSignature]: ExitCode.Auth,
  [ErrorCode.CounterExhausted]: ExitCode.Internal,
  [ErrorCode.Replay]: ExitCode.Auth,
  [ErrorCode.HandshakeFailed]: ExitCode.Auth,
  [ErrorCode.HandshakeState]: ExitCode.Internal,
  [ErrorCode.IdentityFile]: ExitCode.KeyFile,
  [ErrorCode.IdentityPermissions]: ExitCode.KeyFile,
  [ErrorCode.KeyFile]: ExitCode.KeyFile,
  [ErrorCode.Backpressure]: ExitCode.Internal,
  [ErrorCode.NotConnected]: ExitCode.Network,
  [ErrorCode.Closed]: ExitCode.Internal,
  [ErrorCode.Timeout]: ExitCode.Network,
  [ErrorCode.Aborted]: ExitCode.Internal,
  [ErrorCode.PayloadTooLarge]: ExitCode.Internal,
  [ErrorCode.CursorBackend]: ExitCode.Internal,
  [ErrorCode.Adapter]: ExitCode.Network,
  [ErrorCode.StorageIO]: ExitCode.Internal,
  [ErrorCode.StorageFull]: ExitCode.Internal,
  [ErrorCode.StorageCorrupt]: ExitCode.Data,
  [ErrorCode.StoragePoisoned]: ExitCode.Internal,
  [ErrorCode.StorageLocked]: ExitCode.Internal,
  [ErrorCode.Lagged]: ExitCode.Internal,
  [ErrorCode.TokenInvalid]: ExitCode.Auth,
  [ErrorCode.TokenExpired]: ExitCode.Auth,
  [ErrorCode.TokenRevoked]: ExitCode.Auth,
  [ErrorCode.TokenDenied]: ExitCode.Auth,
  [ErrorCode.CapabilityRejected]: ExitCode.Auth,
  [ErrorCode.PredicateInvalid]: ExitCode.Usage,
  [ErrorCode.FoldStopped]: ExitCode.Data,
  [ErrorCode.FoldSkipped]: ExitCode.Data,
  [ErrorCode.SnapshotInvalid]: ExitCode.Data,
  [ErrorCode.NotFound]: ExitCode.NotFound,
  [ErrorCode.AlreadyExists]: ExitCode.AlreadyExists,
};

/** The exit code for an error that reached the top of a command. Anything that is not a NetError is internal. */
export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof NetError) return BY_ERROR_CODE[error.code] ?? ExitCode.Internal;
  return ExitCode.Internal;
}
