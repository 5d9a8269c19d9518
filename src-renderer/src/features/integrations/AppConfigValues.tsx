import type { Platform } from '../../../../src-shared/domain/integration';
import { appConfigValues, IOS_KEY_NAMES_NOTE } from '../../../../src-shared/domain/ivanti-setup';
import { CopyValue } from '../../shared/ui/CopyValue';
import './integrations.css';
import { Table } from '../../shared/ui/Table';

/** The values the admin pastes into Ivanti for this platform, each with its copy button. */
export function AppConfigValues({ platform, configurationKey }: { platform: Platform; configurationKey: string }) {
  const values = appConfigValues(platform, configurationKey);
  if (values.length === 0) return null;
  const ios = platform === 'ios-appconfig';
  return (
    <>
      <Table label={ios ? 'Apple Managed App Configuration items' : 'Duo Mobile managed configuration values'} caption className="integrations-values-table" columns={[ios ? 'Key' : 'Field in Ivanti', 'Value', ios ? 'Type' : null]}>
        <tbody>
          {values.map((v) => (
            <tr key={v.key}>
              <td>{ios ? <CopyValue label={`${v.label} key`} value={v.key} /> : v.key}</td>
              <td>
                <CopyValue label={`${v.label} value`} value={v.value} />
              </td>
              {ios ? <td className="mono">{v.type}</td> : null}
            </tr>
          ))}
        </tbody>
      </Table>
      {ios ? <p className="small">{IOS_KEY_NAMES_NOTE}</p> : null}
    </>
  );
}
