/** Errors of the operator surface: configuration files and PSK files. Both are NetErrors with stable codes. */
import { ErrorCode, NetError } from '../core/index.js';

/** Where a configuration problem is: the file, the key (`node.bind`, `peers[1].static_key`) and the line. */
export interface ConfigLocation {
  file?: string | undefined;
  key?: string | undefined;
  line?: number | undefined;
  column?: number | undefined;
}

/**
 * A configuration file or flag that does not parse or validate (`ERR_CONFIG`). The message reads
 * `file:line: key: problem`, with whichever parts are known.
 */
export class ConfigError extends NetError {
  readonly file: string | undefined;
  readonly key: string | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;
  /** The problem without the location prefix. */
  readonly detail: string;

  constructor(detail: string, where: ConfigLocation = {}, options?: { cause?: unknown }) {
    super(ErrorCode.Config, formatLocated(detail, where), options);
    this.detail = detail;
    this.file = where.file;
    this.key = where.key;
    this.line = where.line;
    this.column = where.column;
  }
}

/** A PSK file that is missing, malformed or readable by group or others (`ERR_KEY_FILE`). */
export class KeyFileError extends NetError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.KeyFile, message, options);
  }
}

function formatLocated(detail: string, where: ConfigLocation): string {
  let prefix = '';
  if (where.file !== undefined) prefix += where.line !== undefined ? `${where.file}:${where.line}: ` : `${where.file}: `;
  else if (where.line !== undefined) prefix += `line ${where.line}: `;
  if (where.key !== undefined) prefix += `${where.key}: `;
  return prefix + detail;
}
