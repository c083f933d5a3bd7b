/** Default file locations: `$XDG_CONFIG_HOME/net-mesh/` (`~/.config/net-mesh/` when unset). */
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/** The directory net-mesh keeps its files in by default. */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg !== undefined && xdg !== '' && isAbsolute(xdg) ? xdg : join(homedir(), '.config');
  return join(base, 'net-mesh');
}

/** Where `identity generate` writes and `identity show` and nodes read by default. */
export function defaultIdentityPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(configDir(env), 'identity');
}

/** Where net-mesh keeps data by default: `$XDG_DATA_HOME/net-mesh/` (`~/.local/share/net-mesh/` when unset). */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_DATA_HOME;
  const base = xdg !== undefined && xdg !== '' && isAbsolute(xdg) ? xdg : join(env.HOME !== undefined && isAbsolute(env.HOME) ? env.HOME : homedir(), '.local', 'share');
  return join(base, 'net-mesh');
}
