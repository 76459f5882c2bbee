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
  // Set now, not only after the command returns: if the loop empties with a promise still
  // pending after the abort, node would otherwise exit 13 ("unsettled top-level await").
  process.exitCode = 130;
  controller.abort();
});

// A reader that stops early (`coffer find | head`, a failed `tar -x`) ends coffer as SIGPIPE
// would (128 + 13), without a stack trace; any other output failure is an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') process.stderr.write(`coffer: cannot write the output: ${error.message}\n`);
  process.exit(error.code === 'EPIPE' ? 141 : 1);
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
  .option('-r, --repo <location>', 'repository: a path, local:PATH, s3://bucket[/prefix], s3:https://host/bucket[/prefix] or azure:container[/prefix] (env COFFER_REPOSITORY; see docs/backends.md)')
  .option('--config <file>', 'config file with profiles (env COFFER_CONFIG)')
  .option('--profile <name>', 'profile from the config file (env COFFER_PROFILE)')
  .option('--password-file <file>', 'read the passphrase from a file (env COFFER_PASSWORD_FILE)')
  .option('--password-command <cmd>', 'run a command that prints the passphrase (env COFFER_PASSWORD_COMMAND)')
  .option('--key-id <id>', 'try only this key file')
  .option('--key-file <file>', 'use this key file, kept outside the repository (env COFFER_KEY_FILE)')
  .option('--age-identity <file>', 'open age-wrapped key files with this age identity file (repeatable; env COFFER_AGE_IDENTITY)', collect)
  .option('--gpg-identity <file>', 'open OpenPGP-wrapped key files with this private key file through OpenPGP.js (env COFFER_GPG_IDENTITY)')
  .option('--gpg', 'open OpenPGP-wrapped key files with the gpg program (gpg-agent, smartcards) even when a passphrase is set')
  .option('--cache-dir <dir>', 'local cache directory (default $XDG_CACHE_HOME/coffer)')
  .option('--no-cache', 'do not use or update the local cache')
  .option('--json', 'machine-readable output (JSON lines)')
  .option('-q, --quiet', 'no progress or informational output')
  .option('--limit-upload <KiB/s>', 'cap the average upload rate')
  .option('--limit-download <KiB/s>', 'cap the average download rate')
  .option('--connections <n>', 'storage operations in flight at once (default 4 local, 8 cloud)')
  .option('--s3-storage-class <class>', 'S3 storage class for data packs only, e.g. STANDARD_IA or GLACIER_IR')
  .option('--azure-tier <tier>', 'Azure access tier for data packs only: Hot, Cool, Cold or Archive')
  .option('--insecure-http', 'allow plain http to a storage endpoint that is not on this machine')
  .addHelpText('after', `\nPassphrase sources, in order: --password-file, --password-command, COFFER_PASSWORD_FILE,
COFFER_PASSWORD_COMMAND, COFFER_PASSWORD (least safe: visible to other processes), then a prompt.
Key files wrapped by age or OpenPGP open with --age-identity, --gpg-identity or the gpg program (tried
when no passphrase source is set, or with --gpg).\n\n${EXIT_CODES_HELP}`)
  .showHelpAfterError()
  .exitOverride();

program.command('init')
  .description('create a repository')
  .option('--key-name <name>', 'name of the first key (default user@host)')
  .option('--pack-size <size>', 'target pack size, fixed at init', '16M')
  .option('--chunk-min <size>', 'minimum chunk size, fixed at init', '512K')
  .option('--chunk-avg <size>', 'average chunk size, fixed at init', '1M')
  .option('--chunk-max <size>', 'maximum chunk size, fixed at init', '8M')
  .addOption(new Option('--scrypt-n <N>', 'scrypt N of the key file, with r=8, p=1 (power of two; default N=32768, r=8, p=4)'))
  .option('--age-recipient <recipient>', 'wrap the first key file to this age recipient instead of a passphrase (repeatable)', collect)
  .option('--gpg-recipient <id>', 'wrap the first key file to this key of gpg\'s keyring (repeatable)', collect)
  .option('--gpg-recipient-file <file>', 'wrap the first key file to the OpenPGP public key in this file (repeatable)', collect)
  .action(run(async () => (await import('./commands/init.js')).run));

program.command('backup')
  .description('back up files and directories')
  .argument('[paths...]', 'files and directories to back up (with --stdin-from-command: the command)')
  .option('-e, --exclude <glob>', 'exclude matching entries (repeatable)', collect)
  .option('--exclude-file <file>', 'read exclude globs from a file (repeatable)', collect)
  .option('-x, --one-file-system', 'do not cross filesystem boundaries')
  .option('--tag <tag>', 'tag the snapshot (repeatable)', collect)
  .option('--host <name>', 'host name to record (default: this host)')
  .option('--time <timestamp>', 'snapshot time instead of now, to import old backups: RFC 3339 (2024-05-01T10:00:00Z) or local "YYYY-MM-DD HH:MM:SS"')
  .option('--stdin', 'back up standard input as one file (see --stdin-filename)')
  .option('--stdin-filename <name>', 'path of that file in the snapshot (default "stdin")')
  .option('--stdin-from-command', 'back up the output of the command given after "--"; fails if it exits non-zero')
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
  .option('--endorse', 'with --read-data and the full key: sign an index of the verified packs, so every host deduplicates against them')
  .action(run(async () => (await import('./commands/check.js')).run));

const key = program.command('key').description('manage key files (passphrases)');
key.command('list').description('list key files').action(run(async () => (await import('./commands/key.js')).list));
key.command('add').description('add a key file (a new passphrase for the same repository), or a write-only key for a host')
  .option('--name <name>', 'name for the key')
  .option('--new-password-file <file>', 'read the new passphrase from a file (env COFFER_NEW_PASSWORD_FILE)')
  .option('--scrypt-n <N>', 'scrypt cost of the new key file')
  .option('--age-recipient <recipient>', 'wrap the key file to this age recipient instead of a passphrase (repeatable)', collect)
  .option('--gpg-recipient <id>', 'wrap the key file to this key of gpg\'s keyring, through gpg (repeatable)', collect)
  .option('--gpg-recipient-file <file>', 'wrap the key file to the OpenPGP public key in this file, through OpenPGP.js (repeatable)', collect)
  .option('--write-only', 'a key that can back up but not read (a new signer named --name), written to --output')
  .option('--output <file>', 'where to write the write-only key file (outside the repository)')
  .action(run(async () => (await import('./commands/key-signers.js')).add));
key.command('remove').description('remove a key file').argument('<id>', 'key id (prefix)')
  .option('--export-file <file>', 'allow removing the key in use: this export of it (key export) is checked first')
  .action(run(async () => (await import('./commands/key.js')).remove));
key.command('revoke').description('revoke a signer: its later snapshots are flagged, its index entries never endorsed')
  .argument('<name>', 'signer name (or public key prefix)')
  .action(run(async () => (await import('./commands/key-signers.js')).revoke));
key.command('signers').description('list the signers the owner authorized (the signer set)')
  .action(run(async () => (await import('./commands/key-signers.js')).signers));
key.command('passwd').description('change the passphrase of the key in use')
  .option('--new-password-file <file>', 'read the new passphrase from a file (env COFFER_NEW_PASSWORD_FILE)')
  .option('--scrypt-n <N>', 'scrypt cost of the new key file')
  .option('--age-recipient <recipient>', 'wrap the replacement to this age recipient instead (repeatable)', collect)
  .option('--gpg-recipient <id>', 'wrap the replacement to this key of gpg\'s keyring (repeatable)', collect)
  .option('--gpg-recipient-file <file>', 'wrap the replacement to the OpenPGP public key in this file (repeatable)', collect)
  .action(run(async () => (await import('./commands/key.js')).passwd));
key.command('export').description('print the full key as text to keep offline on paper (see docs/security.md "Offline keys")')
  .option('-o, --output <file>', 'write it to a new file (mode 0600) instead of stdout')
  .option('--protect', 'seal it under a new passphrase')
  .option('--new-password-file <file>', 'with --protect: read that passphrase from a file (env COFFER_NEW_PASSWORD_FILE)')
  .option('--scrypt-n <N>', 'with --protect: scrypt cost')
  .action(run(async () => (await import('./commands/key-export.js')).exportCommand));
key.command('import').description('make a key file from a key export (typed back in or printed by key export)')
  .argument('<file>', 'the export, or - for stdin')
  .option('--name <name>', 'name for the key')
  .option('--new-password-file <file>', 'read the new passphrase from a file (env COFFER_NEW_PASSWORD_FILE)')
  .option('--scrypt-n <N>', 'scrypt cost of the new key file')
  .option('--age-recipient <recipient>', 'wrap the key file to this age recipient instead of a passphrase (repeatable)', collect)
  .option('--gpg-recipient <id>', 'wrap the key file to this key of gpg\'s keyring (repeatable)', collect)
  .option('--gpg-recipient-file <file>', 'wrap the key file to the OpenPGP public key in this file (repeatable)', collect)
  .option('-o, --output <file>', 'write the key file to this new file instead of into the repository')
  .action(run(async () => (await import('./commands/key-export.js')).importCommand));

program.command('forget')
  .description('remove snapshots that a retention policy does not keep, or those named (data stays until prune)')
  .argument('[ids...]', 'snapshot ids to remove (instead of a policy)')
  .option('--keep-last <n>', 'keep the n newest snapshots')
  .option('--keep-hourly <n>', 'keep the newest snapshot of each of the n latest hours that have one')
  .option('--keep-daily <n>', 'likewise for days')
  .option('--keep-weekly <n>', 'likewise for ISO weeks (Monday to Sunday)')
  .option('--keep-monthly <n>', 'likewise for months')
  .option('--keep-yearly <n>', 'likewise for years')
  .option('--keep-within <duration>', 'keep snapshots this close to the newest of their group: 1y2m3d4h (years, months, days, hours)')
  .option('--keep-tag <tags>', 'keep snapshots carrying all of these comma-separated tags (repeatable: any list)', collect)
  .option('--group-by <fields>', 'apply the policy per group of host, paths, tags (default host,paths); always also per signer')
  .option('-n, --dry-run', 'only show what would be removed')
  .option('--allow-unverified', 'also apply the policy to (or remove named) snapshots whose signature does not verify')
  .addHelpText('after', `
Counts take a whole number, or -1 / "unlimited". Periods are local calendar periods (TZ);
a snapshot counts at its own time unless that lies more than 1 hour after storage stored
it, when it counts at the storage time. Unverified snapshots are never counted and are left
alone unless --allow-unverified is given. forget removes snapshot objects only: run prune to
reclaim the space. See docs/retention.md.`)
  .action(run(async () => (await import('./commands/forget.js')).run));

// issue 6, copies and repair: long backups can be paused.
program.commands.find((c) => c.name() === 'backup')
  ?.option('--pause-file <file>', 'while this file exists, reading and uploading wait (remove it to go on)');

program.command('copy')
  .description('copy snapshots from another repository into this one (re-keyed, deduplicated, verified, resumable)')
  .argument('[snapshots...]', 'source snapshot ids or "latest" (default: every verified snapshot not yet copied)')
  .option('--from-repo <location>', 'the source repository (env COFFER_FROM_REPOSITORY)')
  .option('--from-password-file <file>', "read the source's passphrase from a file (env COFFER_FROM_PASSWORD_FILE)")
  .option('--from-password-command <cmd>', "run a command that prints the source's passphrase (env COFFER_FROM_PASSWORD_COMMAND)")
  .option('--from-key-id <id>', "try only this key file of the source")
  .option('--pause-file <file>', 'while this file exists, reading and uploading wait (remove it to go on)')
  .action(run(async () => (await import('./commands/copy.js')).run));

const repair = program.command('repair').description('repair a damaged repository');
repair.command('index')
  .description('rebuild the index from the packs alone (reads and verifies every pack)')
  .action(run(async () => (await import('./commands/repair.js')).index));
repair.command('snapshots')
  .description('save damaged snapshots again without the data they lost, and list what was lost')
  .argument('[snapshots...]', 'snapshot ids or "latest" (default: every verified snapshot)')
  .option('--read-data', 'also read the packs the snapshots use, so damaged blobs count as lost')
  .option('--dry-run', 'only report what is lost')
  .option('--forget', 'remove each damaged snapshot once its repaired version is saved')
  .action(run(async () => (await import('./commands/repair.js')).snapshots));

program.command('dump')
  .description('write a file of a snapshot to stdout, or a directory as a tar stream')
  .argument('<snapshot>', 'snapshot id or "latest"')
  .argument('<path>', 'path in the snapshot, as ls shows it ("/" for everything)')
  .option('--tar', 'write a tar stream even for a single file')
  .option('--allow-unverified', 'accept a snapshot whose signature does not verify')
  .action(run(async () => (await import('./commands/dump.js')).run));

program.command('find')
  .description('find files by path, time and size in every snapshot (trees only: no data is read)')
  .argument('[patterns...]', 'globs: without "/" they match names at any depth (*.pdf), with "/" absolute paths')
  .option('--newer <time>', 'modified after: 2024-05-01, 2024-05-01T14:30:00Z, or 3d, 12h, 2w ago')
  .option('--older <time>', 'modified before (same forms)')
  .option('--min-size <size>', 'files of at least this size, e.g. 10M')
  .option('--max-size <size>', 'files of at most this size')
  .option('-s, --snapshot <id>', 'search only this snapshot (repeatable; default: all)', collect)
  .option('--allow-unverified', 'also search snapshots whose signature does not verify')
  .action(run(async () => (await import('./commands/find.js')).run));

program.command('diff')
  .description('show what changed between two snapshots (trees only: no data is read)')
  .argument('<snapshot1>', 'the earlier snapshot: id or "latest"')
  .argument('<snapshot2>', 'the later snapshot')
  .option('--allow-unverified', 'accept snapshots whose signature does not verify')
  .action(run(async () => (await import('./commands/diff.js')).run));

program.command('stats')
  .description('sizes per snapshot and for the repository: restore size, stored size, dedup ratio (trees and index only)')
  .argument('[snapshots...]', 'snapshot ids or "latest" (default: all)')
  .option('--allow-unverified', 'accept snapshots whose signature does not verify')
  .action(run(async () => (await import('./commands/stats.js')).run));

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
