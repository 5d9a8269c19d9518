export function CertificatesPage() {
  return (
    <section aria-labelledby="certificates-title">
      <h1 id="certificates-title">Certificates</h1>
      <div className="empty-state">
        <h2>No certificates issued</h2>
        <p>
          Certificates belong to the legacy iOS certificate integration, which reached end of life. New setups should use
          the iOS (App Config) integration, which needs no certificates.
        </p>
      </div>
    </section>
  );
}
