package io.tributary.router.security;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/** Who a TLS client certificate (already verified by the handshake) says its holder is. */
public final class CertificateIdentity {

  private CertificateIdentity() {
  }

  /**
   * The common name (CN) of the peer's certificate, the first of chain; null when there is none.
   * With several CNs, the most specific (the last in LDAP order).
   */
  public static String commonName(List<? extends Certificate> chain) {
    if (chain == null || chain.isEmpty() || !(chain.get(0) instanceof X509Certificate x509)) {
      return null;
    }
    try {
      String cn = null;
      for (Rdn rdn : new LdapName(x509.getSubjectX500Principal().getName()).getRdns()) {
        if ("CN".equalsIgnoreCase(rdn.getType())) {
          cn = String.valueOf(rdn.getValue());
        }
      }
      return cn == null || cn.isEmpty() ? null : cn;
    } catch (InvalidNameException e) {
      return null;
    }
  }
}
