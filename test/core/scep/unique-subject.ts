/** A subject no earlier test used: scepserver refuses a second certificate for a CN that has a fresh one. */
export function uniqueSubject(label: string): string {
  return `CN=${label}-${process.pid}-${Math.random().toString(36).slice(2, 8)},O=Acme Test`;
}
