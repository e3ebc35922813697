package dev.distillmesh.common.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * Reads PEM files into the key and trust managers TLS needs. Parsing here (rather than letting
 * the TLS library do it on first use) is what makes a bad file fail at start with a message that
 * names the setting and the file, not with a handshake error later. Error messages never carry
 * file contents: a private key must not end up in a log.
 */
final class Pem {
  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");
  private static final String CONVERT = "convert it with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pkcs8.pem";
  /** Protects the key only inside an in-memory KeyStore that never leaves this process. */
  private static final char[] IN_MEMORY = "in-memory".toCharArray();

  private Pem() {}

  /** The certificate chain in {@code chain} (leaf first) with the matching private key in {@code key}. */
  static KeyManager[] keyManagers(Path chain, String chainSetting, Path key, String keySetting) {
    List<X509Certificate> certificates = certificates(chain, chainSetting);
    X509Certificate leaf = certificates.get(0);
    try {
      leaf.checkValidity();
    } catch (CertificateExpiredException e) {
      throw fail(chainSetting, chain, "certificate " + leaf.getSubjectX500Principal() + " expired on " + leaf.getNotAfter());
    } catch (CertificateNotYetValidException e) {
      throw fail(chainSetting, chain, "certificate " + leaf.getSubjectX500Principal() + " is not valid before "
          + leaf.getNotBefore());
    }
    PrivateKey privateKey = privateKey(key, keySetting);
    if (!belongTogether(privateKey, leaf)) {
      throw fail(keySetting, key, "this key does not belong to the certificate " + leaf.getSubjectX500Principal()
          + " in " + chainSetting + " " + chain);
    }
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      store.setKeyEntry("key", privateKey, IN_MEMORY, certificates.toArray(X509Certificate[]::new));
      KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      factory.init(store, IN_MEMORY);
      return factory.getKeyManagers();
    } catch (GeneralSecurityException | IOException e) {
      throw fail(keySetting, key, "cannot be used as a TLS key (" + e.getClass().getSimpleName() + ")");
    }
  }

  /** Trusts the certificates in {@code bundle} (one or more CAs) as roots. */
  static TrustManager[] trustManagers(Path bundle, String setting) {
    List<X509Certificate> roots = certificates(bundle, setting);
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      for (int i = 0; i < roots.size(); i++) {
        store.setCertificateEntry("ca-" + i, roots.get(i));
      }
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      return factory.getTrustManagers();
    } catch (GeneralSecurityException | IOException e) {
      throw fail(setting, bundle, "cannot be used as trusted certificates (" + e.getClass().getSimpleName() + ")");
    }
  }

  static List<X509Certificate> certificates(Path file, String setting) {
    String text = read(file, setting);
    List<X509Certificate> out = new ArrayList<>();
    CertificateFactory factory;
    try {
      factory = CertificateFactory.getInstance("X.509");
    } catch (CertificateException e) {
      throw new IllegalStateException("this JVM has no X.509 support", e);
    }
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      if (!m.group(1).equals("CERTIFICATE")) {
        continue;
      }
      try {
        byte[] der = Base64.getMimeDecoder().decode(m.group(2));
        out.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
      } catch (IllegalArgumentException | CertificateException e) {
        throw fail(setting, file, "certificate " + (out.size() + 1) + " is not a valid X.509 certificate");
      }
    }
    if (out.isEmpty()) {
      throw fail(setting, file, text.contains("PRIVATE KEY-----")
          ? "holds a private key, not a certificate (-----BEGIN CERTIFICATE-----)"
          : "no PEM certificate (-----BEGIN CERTIFICATE-----) in it");
    }
    return out;
  }

  static PrivateKey privateKey(Path file, String setting) {
    String text = read(file, setting);
    List<String[]> keys = new ArrayList<>(); // {type, base64 body}
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      if (m.group(1).endsWith("PRIVATE KEY")) {
        keys.add(new String[] {m.group(1), m.group(2)});
      }
    }
    if (keys.isEmpty() && text.contains("PRIVATE KEY-----")) {
      // e.g. a traditional encrypted key, whose PEM headers (Proc-Type, DEK-Info) no key block has
      throw fail(setting, file, "its private key block cannot be read (encrypted?); " + CONVERT);
    }
    if (keys.isEmpty()) {
      throw fail(setting, file, text.contains("-----BEGIN CERTIFICATE-----")
          ? "holds a certificate, not a private key (-----BEGIN PRIVATE KEY-----)"
          : "no PEM private key (-----BEGIN PRIVATE KEY-----) in it");
    }
    if (keys.size() > 1) {
      throw fail(setting, file, "holds " + keys.size() + " private keys; expected one");
    }
    String type = keys.get(0)[0];
    switch (type) {
      case "PRIVATE KEY" -> { }
      case "ENCRYPTED PRIVATE KEY" -> throw fail(setting, file, "the key is encrypted; decrypt it: " + CONVERT);
      case "RSA PRIVATE KEY", "EC PRIVATE KEY", "DSA PRIVATE KEY" -> throw fail(setting, file,
          "the key is in the traditional OpenSSL form (-----BEGIN " + type + "-----), not PKCS#8; " + CONVERT);
      default -> throw fail(setting, file, "unsupported key type (-----BEGIN " + type + "-----); expected PKCS#8");
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(keys.get(0)[1]);
    } catch (IllegalArgumentException e) {
      throw fail(setting, file, "the PEM key is not valid base64");
    }
    for (String algorithm : List.of("RSA", "EC", "EdDSA", "DSA")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // not this algorithm; try the next
      }
    }
    throw fail(setting, file, "not a valid PKCS#8 RSA, EC, EdDSA or DSA private key");
  }

  /** Signs with the key and verifies with the certificate: the only check that works for every key type. */
  private static boolean belongTogether(PrivateKey key, X509Certificate certificate) {
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "EdDSA", "Ed25519", "Ed448" -> "EdDSA";
      case "DSA" -> "SHA256withDSA";
      default -> null;
    };
    if (algorithm == null) {
      return true; // unknown to us; the TLS library will judge
    }
    byte[] probe = "distillmesh key check".getBytes(StandardCharsets.US_ASCII);
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false; // e.g. an EC key with an RSA certificate
    }
  }

  private static String read(Path file, String setting) {
    try {
      // PEM is ASCII; Latin-1 decodes any bytes, so a binary file fails as "no PEM", not as a charset error.
      return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
    } catch (NoSuchFileException e) {
      throw fail(setting, file, "no such file");
    } catch (AccessDeniedException e) {
      throw fail(setting, file, "permission denied");
    } catch (IOException e) {
      throw fail(setting, file, "cannot be read (" + e.getMessage() + ")");
    }
  }

  private static IllegalArgumentException fail(String setting, Path file, String why) {
    return new IllegalArgumentException(setting + ": " + file + ": " + why);
  }
}
