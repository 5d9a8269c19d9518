import { timeAgo } from './time-ago';

/** "3 hours ago", with the exact local time on hover and in the machine-readable datetime. */
export function TimeAgo({ iso, withDate = false }: { iso: string; withDate?: boolean }) {
  const exact = new Date(iso).toLocaleString();
  return (
    <time dateTime={iso} title={exact}>
      {withDate ? `${exact} (${timeAgo(iso)})` : timeAgo(iso)}
    </time>
  );
}
