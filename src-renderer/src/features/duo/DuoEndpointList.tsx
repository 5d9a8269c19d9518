import type { DuoEndpointView } from '../../../../src-shared/domain/duo';
import { Table } from '../../shared/ui/Table';

const FLAG: Record<string, string> = { yes: 'Yes', no: 'No', unknown: 'Unknown' };

/**
 * Duo's endpoints beside the console's prediction. "Duo-managed endpoint" is Duo's trusted_endpoint flag ("a
 * Duo-managed endpoint"), shown as such and not as Duo's sign-in decision.
 */
export function DuoEndpointList({ endpoints, label, showUser }: { endpoints: (DuoEndpointView & { username?: string })[]; label: string; showUser?: boolean }) {
  return (
    <Table label={label} columns={[showUser ? 'Duo user' : null, 'Duo endpoint', "Duo-managed endpoint (Duo's flag)", 'Console predicts', 'Matched device', 'Last access to Duo']}>
      <tbody>
        {endpoints.map((e) => (
          <tr key={e.epkey} data-disagrees={e.disagreement ? 'yes' : undefined}>
            {showUser ? <td>{e.username}</td> : null}
            <td>
              {e.osFamily ?? '?'} {e.osVersion ?? ''} {e.model ?? ''}
              <br />
              <span className="mono small">{e.epkey}</span>
            </td>
            <td>{e.trustedEndpoint === null ? 'Not sent (Premier only)' : FLAG[e.trustedEndpoint]}</td>
            <td>
              {e.predicted === null ? 'No prediction' : e.predicted ? 'Trusted' : 'Not trusted'}
              {e.disagreement ? (
                <p className="warning-text small">
                  <strong>Disagreement.</strong> {e.disagreement}
                </p>
              ) : null}
            </td>
            <td>
              <strong>{e.match.kind === 'identifier' ? 'By identifier' : e.match.kind === 'likely' ? 'Likely' : 'None'}</strong>
              <span className="small">: {e.match.note}</span>
              {e.match.identifier ? <span className="mono small"> ({e.match.identifier})</span> : null}
            </td>
            <td>{e.lastSeenAt === null ? '—' : new Date(e.lastSeenAt).toLocaleString()}</td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
