import type { Integration } from '../../src-shared/domain/integration';
import { AppError } from '../../src-shared/errors';
import type { Core } from '../core/app/composition-root';
import { callChannel } from './channel-call';

/** Commands name an integration the way admins do: by its name (any case), or by its id as `--json` shows it. */
export async function findIntegration(core: Core, nameOrId: string, signal: AbortSignal): Promise<Integration> {
  const all = await callChannel(core, 'integrations.list', {}, signal);
  const wanted = nameOrId.trim();
  const found = all.find((i) => i.id === wanted) ?? all.find((i) => i.name.toLowerCase() === wanted.toLowerCase());
  if (found) return found;
  const known = all.length === 0 ? 'There are no integrations yet (tec integration add).' : `Known: ${all.map((i) => `"${i.name}"`).join(', ')}.`;
  throw new AppError('INTEGRATION_NOT_FOUND', `There is no integration called "${wanted}". ${known}`, { name: wanted });
}
