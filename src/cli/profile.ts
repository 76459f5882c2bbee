/**
 * Where the repository is and which options apply: flags, then environment,
 * then a named profile in the TOML config file. The config file is
 * `--config FILE`, else COFFER_CONFIG, else `$XDG_CONFIG_HOME/coffer/config.toml`
 * (`~/.config/coffer/config.toml` without it); only the default location may
 * be absent. The profile is `--profile NAME`, else COFFER_PROFILE, else the
 * file's top-level `default_profile`.
 *
 * ```toml
 * default_profile = "home"
 * [profiles.home]
 * repository = "/mnt/backup/coffer"
 * password_file = "~/.config/coffer/home.pass"
 * exclude = ["*.tmp", "node_modules"]
 * ```
 *
 * Unknown keys are errors, so a typo such as `exlude` cannot silently back up
 * what it meant to skip. Path-valued keys may start with `~/` and are
 * otherwise relative to the config file's folder.
 */
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { UsageError, describe } from '../errors.js';
import type { ProfilePasswordSources } from './password.js';

/** Command-line flags that feed settings; undefined (or an empty list) means not given. */
export interface SettingsFlags {
  readonly repo?: string;
  readonly config?: string;
  readonly profile?: string;
  readonly passwordFile?: string;
  readonly passwordCommand?: string;
  readonly cacheDir?: string;
  readonly exclude?: readonly string[];
  /** Repeatable on the command line. */
  readonly excludeFile?: string | readonly string[];
  readonly host?: string;
  readonly tags?: readonly string[];
  readonly keyFile?: string;
}

/** Passphrase sources for readPassword, which also consults the environment: spread them into its options. */
export interface PasswordSettings {
  readonly passwordFile?: string;
  readonly passwordCommand?: string;
  readonly profile?: ProfilePasswordSources;
}

export interface Settings {
  /** Repository location, if any source gave one (see requireRepository). */
  readonly repository: string | undefined;
  /** The config file that was read, if one existed. */
  readonly configFile: string | undefined;
  /** The selected profile's name, if any. */
  readonly profile: string | undefined;
  readonly password: PasswordSettings;
  readonly cacheDir: string | undefined;
  /** Flags replace the profile's list; they do not add to it. */
  readonly exclude: readonly string[];
  readonly excludeFile: readonly string[];
  readonly host: string | undefined;
  readonly tags: readonly string[];
  readonly keyFile: string | undefined;
}

/** Reads a text file; must reject with an error whose `code` is 'ENOENT' when the file is missing. */
export type ReadText = (path: string) => Promise<string>;

export interface ResolveSettingsOptions {
  readonly flags: SettingsFlags;
  readonly env: NodeJS.ProcessEnv;
  readonly readFile: ReadText;
  /** For `~`; defaults to $HOME, then os.homedir(). */
  readonly homeDir?: string;
}

type KeyKind = 'string' | 'path' | 'strings';

const PROFILE_KEYS: Readonly<Record<string, KeyKind>> = {
  repository: 'string',
  password_file: 'path',
  password_command: 'string',
  cache_dir: 'path',
  exclude: 'strings',
  exclude_file: 'path',
  host: 'string',
  tags: 'strings',
  key_file: 'path',
};

type Profile = Partial<Record<string, string | readonly string[]>>;

interface Config {
  readonly defaultProfile: string | undefined;
  readonly profiles: ReadonlyMap<string, Profile>;
}

/** Merges flags > environment > profile into Settings. */
export async function resolveSettings(options: ResolveSettingsOptions): Promise<Settings> {
  const { flags, env } = options;
  const home = options.homeDir ?? nonEmpty(env['HOME']) ?? homedir();
  const explicitConfig = flags.config ?? nonEmpty(env['COFFER_CONFIG']);
  const configFile = explicitConfig ?? defaultConfigPath(env, home);
  const text = await readConfig(options.readFile, configFile, explicitConfig !== undefined);
  const config = text === undefined ? undefined : parseConfig(text, configFile, home);

  const profileName = flags.profile ?? nonEmpty(env['COFFER_PROFILE']) ?? config?.defaultProfile;
  let profile: Profile = {};
  if (profileName !== undefined) {
    if (config === undefined) {
      throw new UsageError(`profile "${profileName}" selected, but there is no config file at ${configFile}`);
    }
    const found = config.profiles.get(profileName);
    if (found === undefined) {
      const known = [...config.profiles.keys()].sort();
      const list = known.length === 0 ? 'it defines no profiles' : `known profiles: ${known.join(', ')}`;
      throw new UsageError(`unknown profile "${profileName}" in ${configFile}; ${list}`);
    }
    profile = found;
  }

  const str = (key: string): string | undefined => {
    const value = profile[key];
    return typeof value === 'string' ? value : undefined;
  };
  const list = (key: string): readonly string[] | undefined => {
    const value = profile[key];
    return Array.isArray(value) ? value : undefined;
  };
  const passwordFile = str('password_file');
  const passwordCommand = str('password_command');
  const password: PasswordSettings = {
    ...(flags.passwordFile === undefined ? {} : { passwordFile: flags.passwordFile }),
    ...(flags.passwordCommand === undefined ? {} : { passwordCommand: flags.passwordCommand }),
    ...(profileName !== undefined && (passwordFile !== undefined || passwordCommand !== undefined)
      ? { profile: profilePassword(profileName, passwordFile, passwordCommand) }
      : {}),
  };
  return {
    repository: flags.repo ?? nonEmpty(env['COFFER_REPOSITORY']) ?? str('repository'),
    configFile: config === undefined ? undefined : configFile,
    profile: profileName,
    password,
    cacheDir: flags.cacheDir ?? str('cache_dir'),
    exclude: given(flags.exclude) ?? list('exclude') ?? [],
    excludeFile: given(([] as string[]).concat(flags.excludeFile ?? [])) ?? ([] as string[]).concat(str('exclude_file') ?? []),
    host: flags.host ?? str('host'),
    tags: given(flags.tags) ?? list('tags') ?? [],
    keyFile: flags.keyFile ?? nonEmpty(env['COFFER_KEY_FILE']) ?? str('key_file'),
  };
}

/** The repository location, or a UsageError saying how to give one. */
export function requireRepository(settings: Settings): string {
  if (settings.repository === undefined) {
    throw new UsageError('no repository: use --repo, COFFER_REPOSITORY or a profile with "repository"');
  }
  return settings.repository;
}

/** `$XDG_CONFIG_HOME/coffer/config.toml`; a relative XDG_CONFIG_HOME is ignored, as the XDG spec says. */
export function defaultConfigPath(env: NodeJS.ProcessEnv, home: string): string {
  const xdg = nonEmpty(env['XDG_CONFIG_HOME']);
  const base = xdg !== undefined && isAbsolute(xdg) ? xdg : join(home, '.config');
  return join(base, 'coffer', 'config.toml');
}

async function readConfig(readFile: ReadText, path: string, required: boolean): Promise<string | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (!required && (code === 'ENOENT' || code === 'ENOTDIR')) return undefined;
    throw new UsageError(`cannot read config file ${path}: ${describe(error)}`, { cause: error });
  }
}

function parseConfig(text: string, file: string, home: string): Config {
  let table: Record<string, unknown>;
  try {
    table = parse(text);
  } catch (error) {
    if (error instanceof TomlError) {
      const reason = (error.message.split('\n')[0] ?? '').replace(/^Invalid TOML document: /, '');
      throw new UsageError(`config file ${file}: line ${error.line}, column ${error.column}: ${reason}`, {
        cause: error,
      });
    }
    throw new UsageError(`config file ${file}: ${describe(error)}`, { cause: error });
  }
  const fail = (message: string): never => {
    throw new UsageError(`config file ${file}: ${message}`);
  };
  const unknownTop = Object.keys(table).filter((key) => key !== 'default_profile' && key !== 'profiles');
  if (unknownTop.length > 0) fail(`unknown key ${quoteAll(unknownTop)} (known: default_profile, profiles)`);
  const defaultProfile = table['default_profile'];
  if (defaultProfile !== undefined && typeof defaultProfile !== 'string') fail('default_profile must be a string');

  const profiles = new Map<string, Profile>();
  const rawProfiles = table['profiles'] ?? {};
  if (!isTable(rawProfiles)) return fail('profiles must be a table of [profiles.NAME] tables');
  for (const [name, raw] of Object.entries(rawProfiles)) {
    if (!isTable(raw)) return fail(`profiles.${name} must be a table`);
    const unknown = Object.keys(raw).filter((key) => !(key in PROFILE_KEYS));
    if (unknown.length > 0) {
      fail(`unknown key ${quoteAll(unknown.map((k) => `profiles.${name}.${k}`))} (known: ${Object.keys(PROFILE_KEYS).join(', ')})`);
    }
    const profile: Profile = {};
    for (const [key, value] of Object.entries(raw)) {
      const kind = PROFILE_KEYS[key];
      if (kind === 'strings') {
        if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
          fail(`profiles.${name}.${key} must be an array of strings`);
        }
        profile[key] = value as string[];
      } else {
        if (typeof value !== 'string') return fail(`profiles.${name}.${key} must be a string`);
        profile[key] = kind === 'path' ? resolvePath(value, dirname(file), home) : value;
      }
    }
    if (profile['password_file'] !== undefined && profile['password_command'] !== undefined) {
      fail(`profiles.${name} sets both password_file and password_command; keep one`);
    }
    profiles.set(name, profile);
  }
  return { defaultProfile: defaultProfile as string | undefined, profiles };
}

function profilePassword(name: string, passwordFile?: string, passwordCommand?: string): ProfilePasswordSources {
  return {
    name,
    ...(passwordFile === undefined ? {} : { passwordFile }),
    ...(passwordCommand === undefined ? {} : { passwordCommand }),
  };
}

function resolvePath(value: string, base: string, home: string): string {
  if (value === '~') return home;
  if (value.startsWith('~/')) return join(home, value.slice(2));
  return resolve(base, value);
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function quoteAll(keys: readonly string[]): string {
  return keys.map((k) => `"${k}"`).join(', ');
}

function given(values: readonly string[] | undefined): readonly string[] | undefined {
  return values === undefined || values.length === 0 ? undefined : values;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
