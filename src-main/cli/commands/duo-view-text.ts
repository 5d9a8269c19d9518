import type { DuoEndpointView, DuoUserView } from '../../../src-shared/domain/duo';

const DUO_FLAG: Record<string, string> = { yes: 'managed (yes)', no: 'not managed (no)', unknown: 'unknown' };

/** One endpoint on one line, then its match and any disagreement indented; shared by tec verify and tec duo disagreements. */
export function describeEndpoint(e: DuoEndpointView, who?: string): string {
  const flag = e.trustedEndpoint === null ? 'trusted_endpoint not sent (non-Premier)' : `Duo-managed endpoint: ${DUO_FLAG[e.trustedEndpoint]}`;
  const ours = e.predicted === null ? 'console: no prediction' : `console predicts ${e.predicted ? 'TRUSTED' : 'NOT TRUSTED'}`;
  const seen = e.lastSeenAt === null ? '' : `, last access ${new Date(e.lastSeenAt).toISOString()}`;
  const lines = [
    `  - ${who ? `${who}: ` : ''}${e.osFamily ?? '?'} ${e.osVersion ?? ''} ${e.model ?? ''} (${e.epkey})${seen}: ${flag}; ${ours}`.replace(/\s+/g, ' '),
    `    Match (${e.match.kind}): ${e.match.note}`,
  ];
  if (e.disagreement) lines.push(`    DISAGREEMENT: ${e.disagreement}`);
  return lines.join('\n') + '\n';
}

export function describeDuoView(view: DuoUserView): string {
  const head = view.duoUser
    ? `Duo's view of ${view.duoUser.username} (matched by Duo ${view.duoUser.matchedBy}${view.ivantiMatch ? `; ${view.ivantiMatch}` : ''}), read ${view.readAt === null ? 'never' : new Date(view.readAt).toISOString()}:`
    : "Duo's view:";
  return [head, ...(view.note ? [`  ${view.note}`] : []), ''].join('\n') + view.endpoints.map((e) => describeEndpoint(e)).join('');
}
