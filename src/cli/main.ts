/**
 * coffer's command line. Each subcommand lives in commands/ and is loaded
 * only when used; this file declares flags, runs the command, and maps any
 * error to one message and one exit code (exit-codes.ts).
 */
import { Command, CommanderError, Option } from 'commander';
import { CofferError } from '../errors.js';
import { Context, type GlobalFlags } from './context.js';
import { EXIT_CODES_HELP, exitCodeFor } from './exit-codes.js';
import { printJson } from './output.js';
import { VERSION } from './version.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];
const controller = new AbortController();
let interrupted = false;
process.on('SIGINT', () => {
  if (interrupted) process.exit(130);
  interrupted = true;
  controller.abort();
});


/** Runs a command with its context and turns the outcome into an exit code. */
function run<A extends unknown[]>(load: () => Promise<(ctx: Context, ...args: A) => Promise<number>>) {
  return async (...args: unknown[]): Promise<void> => {
    const command = args[args.length - 1] as Command;
    const flags = command.optsWithGlobals<GlobalFlags>();
    let ctx: Context | undefined;
    let code: number;
    try {
      ctx = await Context.create(flags, controller.signal);
      const action = await load();
      code = await action(ctx, ...(args.slice(0, -1) as A));
    } catch (error) {
      code = exitCodeFor(error);
      report(error, flags.json === true);
    } finally {
      await ctx?.close().catch(() => undefined);
    }
    process.exitCode = code;
  };
}

function report(error: unknown, json: boolean): void {
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof CofferError ? error.code : 'FATAL';
  if (json) printJson(process.stdout, { type: 'error', code, message });
  process.stderr.write(`coffer: ${message}\n`);
  if (!(error instanceof CofferError) && process.env['COFFER_DEBUG']) process.stderr.write(`${(error as Error)?.stack}\n`);
}

const program = new Command('coffer')
  .description('Encrypted, deduplicating backups to storage you do not trust')
  .version(VERSION)
  .option('-r, --repo <location>', 'repository: a path or local:PATH (env COFFER_REPOSITORY)')
  .option('--config <file>', 'config file with profiles (env COFFER_CONFIG)')
  .option('--profile <name>', 'profile from the config file (env COFFER_PROFILE)')
  .option('--password-file <file>', 'read the passphrase from a file (env COFFER_PASSWORD_FILE)')
  .option('--password-command <cmd>', 'run a command that prints the passphrase (env COFFER_PASSWORD_COMMAND)')
  .option('--key-id <id>', 'try only this key file')
  .option('--cache-dir <dir>', 'local cache directory (default $XDG_CACHE_HOME/coffer)')
  .option('--no-cache', 'do not use or update the local cache')
  .option('--json', 'machine-readable output (JSON lines)')
  .option('-q, --quiet', 'no progress or informational output')
  .addHelpText('after', `\nPassphrase sources, in order: --password-file, --password-command, COFFER_PASSWORD_FILE,
COFFER_PASSWORD_COMMAND, COFFER_PASSWORD (least safe: visible to other processes), then a prompt.\n\n${EXIT_CODES_HELP}`)
  .showHelpAfterError()
  .exitOverride();

program.command('init')
  .description('create a repository')
  .option('--key-name <name>', 'name of the first key (default user@host)')
  .option('--pack-size <size>', 'target pack size, fixed at init', '16M')
  .option('--chunk-min <size>', 'minimum chunk size, fixed at init', '512K')
  .option('--chunk-avg <size>', 'average chunk size, fixed at init', '1M')
  .option('--chunk-max <size>', 'maximum chunk size, fixed at init', '8M')
  .addOption(new Option('--scrypt-n <N>', 'scrypt cost of the key file (power of two, default 131072)'))
  .action(run(async () => (await import('./commands/init.js')).run));

program.command('backup')
  .description('back up files and directories')
  .argument('<paths...>', 'files and directories to back up')
  .option('-e, --exclude <glob>', 'exclude matching entries (repeatable)', collect)
  .option('--exclude-file <file>', 'read exclude globs from a file (repeatable)', collect)
  .option('-x, --one-file-system', 'do not cross filesystem boundaries')
  .option('--tag <tag>', 'tag the snapshot (repeatable)', collect)
  .option('--host <name>', 'host name to record (default: this host)')
  .action(run(async () => (await import('./commands/backup.js')).run));

program.command('snapshots')
  .description('list snapshots')
  .action(run(async () => (await import('./commands/snapshots.js')).run));

program.command('ls')
  .description('list the files in a snapshot (trees only: no data is read)')
  .argument('<snapshot>', 'snapshot id or "latest"')
  .argument('[path]', 'list only below this path')
  .option('-l, --long', 'show type, mode, owner, size and time')
  .option('--allow-unverified', 'accept a snapshot whose signature does not verify')
  .action(run(async () => (await import('./commands/ls.js')).run));

program.command('cat')
  .description('print a decrypted object as JSON: config, snapshot ID, index ID')
  .argument('<kind>', 'config, snapshot or index')
  .argument('[id]', 'object id')
  .action(run(async () => (await import('./commands/cat.js')).run));

program.command('restore')
  .description('restore a snapshot into a directory')
  .argument('<snapshot>', 'snapshot id or "latest"')
  .option('-t, --target <dir>', 'directory to restore into')
  .option('-i, --include <glob>', 'restore only matching entries (repeatable)', collect)
  .option('-e, --exclude <glob>', 'skip matching entries (repeatable)', collect)
  .option('--overwrite', 'replace existing files in the target')
  .option('--allow-unverified', 'accept a snapshot whose signature does not verify')
  .action(run(async () => (await import('./commands/restore.js')).run));

program.command('check')
  .description('verify the repository')
  .option('--read-data', 'also read and authenticate every byte of every pack')
  .option('--read-data-subset <percent>', 'read this share of packs, e.g. 10%')
  .action(run(async () => (await import('./commands/check.js')).run));

const key = program.command('key').description('manage key files (passphrases)');
key.command('list').description('list key files').action(run(async () => (await import('./commands/key.js')).list));
key.command('add').description('add a key file (a new passphrase for the same repository)')
  .option('--name <name>', 'name for the key')
  .option('--new-password-file <file>', 'read the new passphrase from a file (env COFFER_NEW_PASSWORD_FILE)')
  .option('--scrypt-n <N>', 'scrypt cost of the new key file')
  .action(run(async () => (await import('./commands/key.js')).add));
key.command('remove').description('remove a key file').argument('<id>', 'key id (prefix)')
  .action(run(async () => (await import('./commands/key.js')).remove));
key.command('passwd').description('change the passphrase of the key in use')
  .option('--new-password-file <file>', 'read the new passphrase from a file (env COFFER_NEW_PASSWORD_FILE)')
  .option('--scrypt-n <N>', 'scrypt cost of the new key file')
  .action(run(async () => (await import('./commands/key.js')).passwd));

program.command('prune')
  .description('delete data no snapshot needs, in two phases and without a lock (docs/format.md "Garbage collection")')
  .option('--dry-run', 'show what would be deleted and repacked; change nothing')
  .option('--max-unused <percent>', 'repack packs with more unused space than this (default 10%)')
  .option('--window <duration>', 'safety window before planned packs may be deleted, at least 1h (default 2h)')
  .option('--wait', 'wait until the windows of pending plans have passed, and delete in the same run')
  .option('--allow-unverified', 'count snapshots whose signature does not verify (their data is kept)')
  .option('--force', 'go on although some snapshots cannot be read (data only they reference is deleted)')
  .action(run(async () => (await import('./commands/prune.js')).run));

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (!(error instanceof CommanderError)) report(error, false);
  process.exitCode = exitCodeFor(error);
}
if (interrupted) process.exitCode = 130;
