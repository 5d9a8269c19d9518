import { channel } from './define';
import { TrustQuery, TrustVerdict } from '../domain/trust';

export const trustChannels = {
  'trust.verify': channel(
    'Would the trusted-endpoints policy trust this user on this device? Answers every reason when not.',
    TrustQuery,
    TrustVerdict,
  ),
};
