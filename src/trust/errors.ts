/**
 * Typed refusals of the trust plane. Every one is a NetError with a stable `code`; `kind` / `reason` say which
 * rule refused, with the same spelling as the counter that counted it.
 */
import { ErrorCode, NetError } from '../core/index.js';

/** Why a token or chain was refused (the reference's `TokenError` variants, plus our chain rules). */
export type TokenErrorKind =
  | 'invalid_format'
  | 'invalid_signature'
  | 'expired'
  | 'not_yet_valid'
  | 'revoked'
  | 'not_authorized'
  | 'wrong_subject'
  | 'untrusted_root'
  | 'delegation_not_allowed'
  | 'delegation_exhausted'
  | 'scope_widened'
  | 'lifetime_widened'
  | 'chain_too_deep'
  | 'ttl_too_long'
  | 'zero_ttl';

const TOKEN_CODE: Record<TokenErrorKind, ErrorCode> = {
  invalid_format: ErrorCode.TokenInvalid,
  invalid_signature: ErrorCode.TokenInvalid,
  expired: ErrorCode.TokenExpired,
  not_yet_valid: ErrorCode.TokenExpired,
  revoked: ErrorCode.TokenRevoked,
  not_authorized: ErrorCode.TokenDenied,
  wrong_subject: ErrorCode.TokenDenied,
  untrusted_root: ErrorCode.TokenDenied,
  delegation_not_allowed: ErrorCode.TokenDenied,
  delegation_exhausted: ErrorCode.TokenDenied,
  scope_widened: ErrorCode.TokenDenied,
  lifetime_widened: ErrorCode.TokenDenied,
  chain_too_deep: ErrorCode.TokenInvalid,
  ttl_too_long: ErrorCode.InvalidArgument,
  zero_ttl: ErrorCode.InvalidArgument,
};

/** A permission token or chain refused (the reference SDK's name). `kind` names the rule. */
export class TokenError extends NetError {
  constructor(readonly kind: TokenErrorKind, message: string, options?: { cause?: unknown }) {
    super(TOKEN_CODE[kind], `token: ${kind}: ${message}`, options);
  }
}

/** Why a capability announcement was refused on receipt; also the name of the counter it increments. */
export type CapabilityRejectReason =
  | 'oversize'
  | 'malformed'
  | 'allow_list_too_long'
  | 'not_from_origin'
  | 'own_announcement'
  | 'duplicate'
  | 'unsigned'
  | 'bad_signature'
  | 'node_id_mismatch'
  | 'entity_rebind'
  | 'stale_version'
  | 'expired'
  | 'hop_limit'
  | 'index_full';

/** A capability announcement refused on receipt (`ERR_CAPABILITY_REJECTED`). */
export class CapabilityError extends NetError {
  constructor(readonly reason: CapabilityRejectReason, message: string, options?: { cause?: unknown }) {
    super(ErrorCode.CapabilityRejected, `capability announcement: ${reason}: ${message}`, options);
  }
}

/** A predicate (wire form or `net-where` header) that does not decode (`ERR_PREDICATE_INVALID`). */
export class PredicateError extends NetError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.PredicateInvalid, `predicate: ${message}`, options);
  }
}
