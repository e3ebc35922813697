package dev.distillmesh.common;

import dev.distillmesh.common.tls.ClientTls;
import dev.distillmesh.common.tls.ServerTls;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The settings every distillmesh process shares: TLS for its server and for the calls it makes,
 * who counts as an admin, and connection age. Their flag and environment names are here and
 * nowhere else; each service's config reads them through this class and appends the usage text.
 *
 * <p>Files are read once here to fail at start with a message naming the setting and the file,
 * not at the first handshake; configs keep only the paths.
 */
public final class MeshOptions {
  /** A setting's command-line flag (without "--") and environment variable. */
  public record Name(String flag, String env) {
    /** How error messages name it: {@code --flag (ENV)}. */
    public String label() {
      return "--" + flag + " (" + env + ")";
    }
  }

  public static final Name TLS_CERT = new Name("tls-cert", "DISTILLMESH_TLS_CERT");
  public static final Name TLS_KEY = new Name("tls-key", "DISTILLMESH_TLS_KEY");
  public static final Name TLS_CLIENT_CA = new Name("tls-client-ca", "DISTILLMESH_TLS_CLIENT_CA");
  public static final Name TLS_CA = new Name("tls-ca", "DISTILLMESH_TLS_CA");
  public static final Name TLS_CLIENT_CERT = new Name("tls-client-cert", "DISTILLMESH_TLS_CLIENT_CERT");
  public static final Name TLS_CLIENT_KEY = new Name("tls-client-key", "DISTILLMESH_TLS_CLIENT_KEY");
  public static final Name TLS_AUTHORITY = new Name("tls-authority", "DISTILLMESH_TLS_AUTHORITY");
  public static final Name ADMIN_CLIENTS = new Name("admin-clients", "DISTILLMESH_ADMIN_CLIENTS");
  public static final Name REQUIRE_AUTH_FOR_QUERIES =
      new Name("require-auth-for-queries", "DISTILLMESH_REQUIRE_AUTH_FOR_QUERIES");
  public static final Name MAX_CONNECTION_AGE = new Name("max-connection-age-s", "DISTILLMESH_MAX_CONNECTION_AGE_S");
  /** The admin token: environment only, since other users can read a process's flags. */
  public static final String ENV_ADMIN_TOKEN = "DISTILLMESH_ADMIN_TOKEN";

  /** Usage lines for {@link #serverTls} and {@link #maxConnectionAgeSeconds}. */
  public static final String SERVER_USAGE = """
      TLS for this server (plaintext unless --tls-cert is set; PEM files, keys in PKCS#8):
        --tls-cert FILE        certificate chain this server presents   (env %s)
        --tls-key FILE         its private key                          (env %s)
        --tls-client-ca FILE   CAs that sign client certificates: turns on mutual TLS, a client
                               without a certificate from one of them is refused (env %s)
        --max-connection-age-s N  ask clients to reconnect after N s, so round-robin clients find
                               new replicas; 0 = never                  (env %s, default 0)
      """.formatted(TLS_CERT.env, TLS_KEY.env, TLS_CLIENT_CA.env, MAX_CONNECTION_AGE.env);

  /** Usage lines for {@link #clientTls(Settings)}. */
  public static final String CLIENT_USAGE = """
      TLS for the calls this server makes (plaintext unless --tls-ca is set):
        --tls-ca FILE          CAs that sign the called servers' certificates (env %s)
        --tls-client-cert FILE certificate presented to them, for mutual TLS (env %s)
        --tls-client-key FILE  its private key                          (env %s)
        --tls-authority NAME   name expected in their certificates instead of the target's host
                                                                        (env %s)
      Targets are host:port or dns:///host:port; calls go round-robin over every address the
      name resolves to (a headless Service's pods, say).
      """.formatted(TLS_CA.env, TLS_CLIENT_CERT.env, TLS_CLIENT_KEY.env, TLS_AUTHORITY.env);

  /** Usage lines for {@link #access}. */
  public static final String ACCESS_USAGE = """
      Admin access: admin RPCs need the admin token (env %s only; flags are visible to other
      users) or, with mutual TLS, a client certificate named in --admin-clients. Without either,
      they are open to anyone who can connect.
        --admin-clients A,B    client certificate names (subject CN, DNS or URI SAN) allowed to
                               call admin RPCs; needs --tls-client-ca     (env %s)
        --require-auth-for-queries true|false  query RPCs need the same credential (env %s,
                               default false)
      """.formatted(ENV_ADMIN_TOKEN, ADMIN_CLIENTS.env, REQUIRE_AUTH_FOR_QUERIES.env);

  /** Usage lines for {@link #clientTls(Map, Map)}. */
  public static final String CLI_USAGE = """
      TLS (plaintext unless --tls-ca is set; each option also reads its environment variable):
        --tls-ca FILE           CAs that sign the server's certificate   (%s)
        --tls-client-cert FILE  client certificate, for mutual TLS       (%s)
        --tls-client-key FILE   its private key                          (%s)
        --tls-authority NAME    name expected in the server's certificate (%s)
      """.formatted(TLS_CA.env, TLS_CLIENT_CERT.env, TLS_CLIENT_KEY.env, TLS_AUTHORITY.env);

  private MeshOptions() {}

  /** The server's TLS; the files are checked now. */
  public static ServerTls serverTls(Settings s) {
    ServerTls tls = new ServerTls(path(s, TLS_CERT), path(s, TLS_KEY), path(s, TLS_CLIENT_CA));
    tls.credentials();
    return tls;
  }

  /** TLS for the calls a server makes; the files are checked now. */
  public static ClientTls clientTls(Settings s) {
    return clientTls(name -> s.string(name.flag, name.env, null));
  }

  /**
   * TLS for a CLI: from its options (as {@link CliOptions#take} returns them), else the environment.
   * The files are checked now.
   */
  public static ClientTls clientTls(Map<String, String> options, Map<String, String> env) {
    return clientTls(name -> {
      String v = options.containsKey(name.flag) ? options.get(name.flag) : env.get(name.env);
      return v == null || v.isBlank() ? null : v;
    });
  }

  /**
   * Who may call admin (and possibly query) RPCs.
   *
   * @param tls the server's TLS: an allow-list of client certificates needs mutual TLS
   */
  public static AccessPolicy access(Settings s, ServerTls tls) {
    Set<String> clients = new LinkedHashSet<>();
    Arrays.stream(s.string(ADMIN_CLIENTS.flag, ADMIN_CLIENTS.env, "").split(","))
        .map(String::strip).filter(n -> !n.isEmpty()).forEach(clients::add);
    if (!clients.isEmpty() && !tls.mutual()) {
      throw new IllegalArgumentException(ADMIN_CLIENTS.label() + " names client certificates, which only mutual TLS"
          + " verifies: set " + TLS_CLIENT_CA.label() + " (with " + TLS_CERT.label() + " and " + TLS_KEY.label() + ")");
    }
    boolean queries = s.bool(REQUIRE_AUTH_FOR_QUERIES.flag, REQUIRE_AUTH_FOR_QUERIES.env, false);
    return new AccessPolicy(s.secret(ENV_ADMIN_TOKEN), clients, queries);
  }

  /** Seconds after which the server asks a client to reconnect; 0 = never. */
  public static int maxConnectionAgeSeconds(Settings s) {
    return s.integer(MAX_CONNECTION_AGE.flag, MAX_CONNECTION_AGE.env, 0, 0, 30 * 86400);
  }

  private interface Lookup {
    String get(Name name);
  }

  private static ClientTls clientTls(Lookup lookup) {
    ClientTls tls = new ClientTls(path(lookup.get(TLS_CA)), path(lookup.get(TLS_CLIENT_CERT)),
        path(lookup.get(TLS_CLIENT_KEY)), lookup.get(TLS_AUTHORITY));
    tls.credentials();
    return tls;
  }

  private static Path path(Settings s, Name name) {
    return path(s.string(name.flag, name.env, null));
  }

  private static Path path(String value) {
    return value == null ? null : Path.of(value);
  }
}
