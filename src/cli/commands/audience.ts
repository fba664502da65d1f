import type { Command } from 'commander';
import { examples } from '../arguments.js';
import { audienceTable } from '../render.js';
import { action } from '../run.js';

export function registerAudienceCommands(program: Command): void {
  const audience = program
    .command('audience')
    .description('audiences a shipping label can be restricted to (targeting.restrictedToAudiences)')
    .addHelpText('after', examples('hwdash audience list'));

  audience
    .command('list')
    .description('list the audiences; their id goes into a shipping label\'s restrictedToAudiences or `shipping-label create --audience`')
    .addHelpText('after', examples('hwdash audience list', 'hwdash audience list --json | jq -r ".[].id"'))
    .action(
      action(async (context) => {
        const client = await context.client();
        const audiences = await Array.fromAsync(client.audiences.list({ signal: context.signal }));
        context.output.result(audiences, () => audienceTable(audiences));
      }),
    );
}
