#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { VERSION } from '../version.js';
import { CliError, createCliClient, EXIT } from './client.js';
import { configCommand, exportCommand } from './config-commands.js';
import { statusCommand } from './status-command.js';
import { watchCommand } from './watch-command.js';

/**
 * `statuschecker`: the server's API from a shell or a CI job. Exit codes: 0 fine, 1 the answer is
 * "no" (a service DOWN, an invalid config document), 2 `plan --detailed-exitcode` found changes,
 * 3 the server could not be asked (unreachable, token refused), 64 a wrong command line.
 */
function program(): Command {
  const cli = new Command('statuschecker')
    .description('Ask a statuschecker server: status, live transitions, config as code.')
    .version(VERSION)
    .addOption(
      new Option('--url <url>', 'the server, or its /graphql endpoint')
        .env('STATUSCHECKER_URL')
        .default('http://127.0.0.1:4000'),
    )
    .addOption(new Option('--token <token>', 'an API token (better: STATUSCHECKER_TOKEN)').env('STATUSCHECKER_TOKEN'))
    .option('--json', 'output for programs: JSON instead of text', false)
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });

  const client = () => {
    const { url, token } = cli.opts<{ url: string; token?: string }>();
    return createCliClient({ url, token });
  };
  const json = () => cli.opts<{ json: boolean }>().json;
  const out = (text: string) => void process.stdout.write(text);
  const err = (text: string) => void process.stderr.write(text);

  cli
    .command('status')
    .description('a table of every service, broken ones first; exits 1 when any is DOWN')
    .action(async () => {
      process.exitCode = await statusCommand(client(), { json: json() }, out);
    });

  cli
    .command('watch')
    .description('print every status change as it happens, until interrupted')
    .action(async () => {
      const stop = new AbortController();
      process.once('SIGINT', () => stop.abort());
      process.once('SIGTERM', () => stop.abort());
      process.exitCode = await watchCommand(client(), { json: json() }, out, stop.signal, (text) =>
        process.stderr.write(text),
      );
    });

  const configCommandOf = (name: 'plan' | 'apply', description: string) =>
    cli
      .command(name)
      .description(description)
      .requiredOption('-f, --file <file>', 'the config document (YAML, or JSON when it ends in .json; - for stdin)')
      .option('--prune', 'also delete what the document does not name', false);

  configCommandOf('plan', 'what applying the document would change (nothing is written)')
    .option('--detailed-exitcode', 'exit 2 when there are changes, 0 when there are none', false)
    .action(async (options: { file: string; prune: boolean; detailedExitcode: boolean }) => {
      process.exitCode = await configCommand(client(), false, { ...options, json: json() }, out, err);
    });
  configCommandOf('apply', 'apply the document, all or nothing').action(
    async (options: { file: string; prune: boolean }) => {
      process.exitCode = await configCommand(client(), true, { ...options, json: json() }, out, err);
    },
  );
  cli
    .command('export')
    .description('every service, channel, window and page as a config document')
    .option('--format <format>', 'yaml or json', 'yaml')
    .action(async (options: { format: string }) => {
      process.exitCode = await exportCommand(client(), options.format, out);
    });

  return cli;
}

async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    if (err instanceof CliError) {
      process.stderr.write(`statuschecker: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`statuschecker: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT.UNAVAILABLE;
  }
}

process.exitCode = await main(process.argv);
