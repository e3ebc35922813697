package dev.distillmesh.common.tls;

import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.security.auth.x500.X500Principal;

/**
 * The names in a client's certificate that an allow-list can match: subject common names, DNS
 * SANs and URI SANs (e.g. a SPIFFE ID). Only meaningful for a certificate the TLS handshake
 * verified, which is the case for every peer certificate of a server with client auth REQUIRE.
 */
public record PeerIdentity(List<String> commonNames, List<String> dnsNames, List<String> uris) {
  private static final int SAN_DNS = 2;
  private static final int SAN_URI = 6;

  public PeerIdentity {
    commonNames = List.copyOf(commonNames);
    dnsNames = List.copyOf(dnsNames);
    uris = List.copyOf(uris);
  }

  /** The identity of the session's peer; null without a session or a peer certificate. */
  public static PeerIdentity of(SSLSession session) {
    if (session == null) {
      return null;
    }
    Certificate[] chain;
    try {
      chain = session.getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
    return chain.length > 0 && chain[0] instanceof X509Certificate leaf ? of(leaf) : null;
  }

  public static PeerIdentity of(X509Certificate certificate) {
    List<String> cns = new ArrayList<>();
    try {
      for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName(X500Principal.RFC2253)).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          cns.add(rdn.getValue().toString());
        }
      }
    } catch (InvalidNameException e) {
      // A subject the JDK itself printed is always a valid name; leave the CNs empty if not.
    }
    List<String> dns = new ArrayList<>();
    List<String> uris = new ArrayList<>();
    try {
      Collection<List<?>> sans = certificate.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          if (san.size() >= 2 && san.get(0) instanceof Integer type && san.get(1) instanceof String value) {
            if (type == SAN_DNS) {
              dns.add(value);
            } else if (type == SAN_URI) {
              uris.add(value);
            }
          }
        }
      }
    } catch (CertificateParsingException e) {
      // An unparsable SAN extension names nobody; the CN may still match.
    }
    return new PeerIdentity(cns, dns, uris);
  }

  /**
   * Whether any name matches an entry of {@code allowed}: common names and URIs exactly, DNS names
   * ignoring case (DNS is case-insensitive). No wildcards: an allow-list names clients one by one.
   */
  public boolean matchesAny(Set<String> allowed) {
    for (String cn : commonNames) {
      if (allowed.contains(cn)) {
        return true;
      }
    }
    for (String uri : uris) {
      if (allowed.contains(uri)) {
        return true;
      }
    }
    for (String name : dnsNames) {
      for (String a : allowed) {
        if (a.toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
          return true;
        }
      }
    }
    return false;
  }

  @Override
  public String toString() {
    List<String> parts = new ArrayList<>();
    commonNames.forEach(n -> parts.add("CN=" + n));
    dnsNames.forEach(n -> parts.add("DNS:" + n));
    uris.forEach(n -> parts.add("URI:" + n));
    return parts.isEmpty() ? "(no names)" : String.join(", ", parts);
  }
}
