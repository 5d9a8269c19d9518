import './trust.css';
import { TRUST_REASON_TITLES, type TrustVerdict } from '../../../../src-shared/domain/trust';

/**
 * A trust verdict as the verify panel and the device drawer both show it: the deciding reason and the action first,
 * then informational findings, then the supporting checks per integration of the device's platform.
 */
const ANSWERS: Record<TrustVerdict['answer'], { title: string; className: string }> = {
  trusted: { title: 'Trusted', className: 'trust-verdict-trusted' },
  'not-trusted': { title: 'Not trusted', className: 'trust-verdict-untrusted' },
  'cant-tell': { title: "Can't tell", className: 'trust-verdict-cant-tell' },
};

export function TrustVerdictView({ verdict }: { verdict: TrustVerdict }) {
  const { lead } = verdict;
  const answer = ANSWERS[verdict.answer];
  return (
    <div role="status" aria-live="polite" data-testid="trust-verdict" className={`trust-verdict ${answer.className}`}>
      <p data-testid="trust-lead">
        <strong>
          {answer.title} for {verdict.user}.
        </strong>{' '}
        {lead.message}
      </p>
      {lead.action ? (
        <p data-testid="trust-action">
          <strong>What to do:</strong> {lead.action}
        </p>
      ) : null}
      {verdict.findings.length > 0 ? (
        <ul aria-label="Worth knowing" className="trust-findings">
          {verdict.findings.map((f) => (
            <li key={f.code}>{f.message}</li>
          ))}
        </ul>
      ) : null}
      {verdict.integrations.length > 0 ? (
        <details className="trust-checks">
          <summary>Checks per integration ({verdict.integrations.length})</summary>
          <ul aria-label="Checks per integration">
            {verdict.integrations.map((i) => (
              <li key={i.integrationId}>
                <strong>{i.integrationName}</strong>: {i.trusted ? 'passes every check' : `${i.reasons.length} failed`}
                {i.reasons.length > 0 ? (
                  <ul>
                    {i.reasons.map((r, n) => (
                      <li key={`${r.code}-${n}`}>
                        <strong>{TRUST_REASON_TITLES[r.code]}</strong>: {r.message}
                      </li>
                    ))}
                  </ul>
                ) : null}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </div>
  );
}
