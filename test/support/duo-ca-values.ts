/** The Duo CA values an admin pastes from a legacy integration's iOS instructions in the Duo Admin Panel (test data). */
export const DUO_CA_VALUES = {
  name: 'Duo CA',
  caType: 'microsoft',
  scepUrl: 'https://duo-ca.example/certsrv/mscep/mscep.dll',
  username: 'duo-scep',
  password: 'pasted-from-duo',
  challengeUrl: 'https://duo-ca.example/certsrv/mscep_admin/',
  subject: 'CN=Duo Device,O=Acme',
} as const;
