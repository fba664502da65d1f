/**
 * `hwdash reference os-codes|os-families|product-types|windows-releases`: the value lists the docs keep in tables,
 * as the spec records them (generated/reference.ts). They are what `requestedSignatures`, `selectedProductTypes`
 * and `inServicePublishInfo` expect; the service accepts values beyond them, and the CLI warns about those.
 */
import type { Command } from 'commander';
import { examples } from '../arguments.js';
import { action } from '../run.js';
import { table } from '../render.js';

/** Each list: the command that prints it, its spec schema, and what the values are for. */
const LISTS = [
  ['os-codes', 'KnownOsCode', 'operating-system codes, for requestedSignatures and hardwareIds[].operatingSystemCode'],
  ['os-families', 'KnownOsFamilyCode', 'OS family codes, the keys of selectedProductTypes'],
  ['product-types', 'KnownProductType', 'product types, the values of selectedProductTypes'],
  ['windows-releases', 'KnownWindowsRelease', 'Windows releases, for a shipping label\'s inServicePublishInfo flooring and ceiling'],
] as const;

export function registerReferenceCommands(program: Command): void {
  const reference = program
    .command('reference')
    .description('the documented value lists: OS codes, OS family codes, product types, Windows releases')
    .addHelpText('after', examples('hwdash reference os-codes', 'hwdash reference product-types --json | jq -r ".[].value"'));

  for (const [name, schema, what] of LISTS) {
    reference
      .command(name)
      .description(`list the documented ${what}`)
      .addHelpText('after', examples(`hwdash reference ${name}`, `hwdash reference ${name} --json`))
      .action(
        action(async (context) => {
          const { referenceLists } = await import('../../../generated/reference.js');
          const entries = referenceLists[schema];
          const described = entries.some((entry) => entry.description !== undefined);
          context.output.result(entries, () =>
            described ? table(['VALUE', 'DESCRIPTION'], entries.map((entry) => [entry.value, entry.description])) : entries.map((entry) => entry.value).join('\n'),
          );
        }),
      );
  }
}
