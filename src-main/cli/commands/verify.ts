import { TRUST_REASON_TITLES, type TrustVerdict } from '../../../src-shared/domain/trust';
import type { DuoUserView } from '../../../src-shared/domain/duo';
import { describeDuoView } from './duo-view-text';
import { AppError, isErrorCode } from '../../../src-shared/errors';
import { dispatch } from '../../core/app/dispatch';
import { parseCommandArgs } from '../args';
import { EXIT, printJson, reportError, type CliIo } from '../cli-io';
import { openCore } from '../open-core';

export const USAGE = 'tec verify --user USERNAME --identifier DEVICE_CLIENT_ID [--platform android|ios|ios-appconfig|ios-certs] [--json] [--data-dir DIR]';

/**
 * `tec verify`: would the trusted-endpoints policy trust this user on this device, and if not, every reason why.
 * It goes through the same contract handler as the app's "Verify your setup" (input parsed by the same schema), so the
 * two cannot disagree. Exit 0 trusted, 7 not trusted (EXIT.negative), 8 can't tell (EXIT.cantTell: our copy of the
 * device's space is stale), other codes for errors.
 */
export async function runVerifyCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(
    argv,
    {
      user: { type: 'string' },
      identifier: { type: 'string' },
      platform: { type: 'string' },
      json: { type: 'boolean' },
      'data-dir': { type: 'string' },
    },
    { min: 0, max: 0, usage: USAGE },
  );
  const json = values.json === true;
  const core = openCore(io, values['data-dir']);
  try {
    const envelope = await dispatch(
      core.handlers,
      'trust.verify',
      { user: values.user ?? '', identifier: values.identifier ?? '', ...(values.platform === undefined ? {} : { platform: values.platform }) },
      { signal: io.signal },
    );
    if (!envelope.ok) {
      const { code, message, details } = envelope.error;
      return reportError(io, new AppError(isErrorCode(code) ? code : 'INTERNAL', message, details), json);
    }
    const verdict = envelope.value as TrustVerdict;
    // Duo's own record of the user's endpoints, beside the prediction, when a Duo Admin API connection exists.
    const duo = await dispatch(core.handlers, 'duo.userView', { user: verdict.user }, { signal: io.signal });
    const duoView = duo.ok && (duo.value as DuoUserView).connected ? (duo.value as DuoUserView) : null;
    if (json) printJson(io, duoView ? { ...verdict, duo: duoView } : verdict);
    else io.stdout.write(describe(verdict) + (duoView ? describeDuoView(duoView) : ''));
    return verdict.answer === 'trusted' ? EXIT.ok : verdict.answer === 'cant-tell' ? EXIT.cantTell : EXIT.negative;
  } finally {
    await core.close();
  }
}

/** The deciding reason and the action first, then the informational findings, then the supporting checks. */
function describe(verdict: TrustVerdict): string {
  const who = `${verdict.user} on device ${verdict.identifier}`;
  const findings = verdict.findings.map((f) => `  Note: ${f.message}`);
  if (verdict.trusted) return [`TRUSTED: ${who}, through "${verdict.trustedBy?.integrationName}".`, ...findings, ''].join('\n');
  const lead = [`  Why: ${verdict.lead.message}`, ...(verdict.lead.action ? [`  What to do: ${verdict.lead.action}`] : [])];
  const checks = verdict.reasons.map((r) => `  - ${TRUST_REASON_TITLES[r.code]}${r.integrationName ? ` [${r.integrationName}]` : ''}: ${r.message}`);
  return [`${verdict.answer === 'cant-tell' ? "CAN'T TELL" : 'NOT TRUSTED'}: ${who}.`, ...lead, ...findings, ...(checks.length > 1 ? ['  Every check that failed:', ...checks] : []), ''].join('\n');
}
