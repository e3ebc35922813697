package dev.distillmesh.deploy;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One of the four services, with what the deployment files must agree on, read from the service's
 * own {@code *ServerConfig.java}: the environment variables it reads and its default port. Nothing
 * here is a second copy of those: renaming a variable or changing a default port in the code makes
 * the checks of the deployment files fail until they follow.
 *
 * @param name the service's name everywhere in deploy/ (image target, compose service, workload,
 *     Service), which is also its Maven module and jar name
 * @param configSource the settings class, relative to the repository root
 * @param configMap the Kubernetes ConfigMap its pods read
 */
enum MeshService {
  INDEX("index-service", "index-service/src/main/java/dev/distillmesh/index/IndexServerConfig.java",
      "index-service-config"),
  STUDENT("student-service",
      "student-service/src/main/java/dev/distillmesh/student/StudentServerConfig.java", "student-service-config"),
  TEACHER("teacher-service",
      "teacher-service/src/main/java/dev/distillmesh/teacher/TeacherServerConfig.java", "teacher-service-config"),
  TRAINER("trainer", "trainer/src/main/java/dev/distillmesh/trainer/TrainerServerConfig.java", "trainer-config");

  static final String ADMIN_TOKEN = "DISTILLMESH_ADMIN_TOKEN";

  private static final Pattern ENV_NAME = Pattern.compile("\"(DISTILLMESH_[A-Z0-9_]+)\"");
  private static final Pattern ENV_CONSTANT =
      Pattern.compile("String\\s+(ENV_[A-Z0-9_]+)\\s*=\\s*\"(DISTILLMESH_[A-Z0-9_]+)\"");
  // s.integer("port", ENV_PORT, 7401, 0, 65535)
  private static final Pattern PORT_DEFAULT =
      Pattern.compile("\\.integer\\(\\s*\"port\"\\s*,\\s*(ENV_[A-Z0-9_]+)\\s*,\\s*(\\d+)\\s*,");

  final String name;
  final String configSource;
  final String configMap;

  MeshService(String name, String configSource, String configMap) {
    this.name = name;
    this.configSource = configSource;
    this.configMap = configMap;
  }

  private String source() {
    return Repo.read(configSource);
  }

  private static final String MESH_OPTIONS = "common/src/main/java/dev/distillmesh/common/MeshOptions.java";
  private static final String MESH_LOG = "common/src/main/java/dev/distillmesh/common/kafka/MeshLog.java";

  /** Variables read by a shared settings class, named in {@code file}. */
  private record Shared(String file, List<String> names) {}

  /**
   * The settings shared by several services live in {@code MeshOptions} (and scale-out mode's in
   * {@code MeshLog}); a settings class that calls one of these reads the variables listed with it.
   */
  private static final java.util.Map<String, Shared> SHARED = java.util.Map.of(
      "MeshOptions.access(", new Shared(MESH_OPTIONS, List.of(ADMIN_TOKEN, "DISTILLMESH_ADMIN_CLIENTS",
          "DISTILLMESH_REQUIRE_AUTH_FOR_QUERIES")),
      "MeshOptions.serverTls(", new Shared(MESH_OPTIONS, List.of("DISTILLMESH_TLS_CERT", "DISTILLMESH_TLS_KEY",
          "DISTILLMESH_TLS_CLIENT_CA")),
      "MeshOptions.clientTls(", new Shared(MESH_OPTIONS, List.of("DISTILLMESH_TLS_CA", "DISTILLMESH_TLS_CLIENT_CERT",
          "DISTILLMESH_TLS_CLIENT_KEY", "DISTILLMESH_TLS_AUTHORITY")),
      "MeshOptions.maxConnectionAgeSeconds(", new Shared(MESH_OPTIONS, List.of("DISTILLMESH_MAX_CONNECTION_AGE_S")),
      "MeshLog.from(", new Shared(MESH_LOG, List.of("DISTILLMESH_KAFKA", "DISTILLMESH_KAFKA_PROPERTIES")));

  /** Every DISTILLMESH_* variable the service's settings class names, its shared ones included. */
  Set<String> envNames() {
    Set<String> names = new TreeSet<>();
    Matcher m = ENV_NAME.matcher(source());
    while (m.find()) {
      names.add(m.group(1));
    }
    for (var e : SHARED.entrySet()) {
      if (source().contains(e.getKey())) {
        String shared = Repo.read(e.getValue().file());
        for (String name : e.getValue().names()) {
          if (!shared.contains("\"" + name + "\"")) {
            throw new AssertionError(e.getValue().file() + " no longer names " + name + "; update this table");
          }
          names.add(name);
        }
      }
    }
    if (names.isEmpty()) {
      throw new AssertionError(configSource + ": no DISTILLMESH_* variable found; has the settings class moved?");
    }
    return names;
  }

  /** The port the service listens on unless told otherwise. */
  int defaultPort() {
    Matcher m = PORT_DEFAULT.matcher(source());
    if (!m.find()) {
      throw new AssertionError(configSource + ": no s.integer(\"port\", ENV_..., N, ...) to read the default port from");
    }
    return Integer.parseInt(m.group(2));
  }

  /** The variable that sets the port (e.g. DISTILLMESH_INDEX_PORT). */
  String portEnv() {
    return constant(PORT_DEFAULT, "port");
  }

  /** The variable that sets the bind address (e.g. DISTILLMESH_INDEX_BIND). */
  String bindEnv() {
    return envEndingWith("_BIND");
  }

  /** Whether the service reads the admin token (the teacher has no admin calls). */
  boolean readsAdminToken() {
    return envNames().contains(ADMIN_TOKEN);
  }

  /** The variables naming a directory the service persists to (data, adapters, runs). */
  List<String> persistedDirEnvs() {
    return envNames().stream()
        .filter(n -> n.endsWith("_DATA_DIR") || n.endsWith("_ADAPTER_DIR") || n.endsWith("_RUNS_DIR"))
        .toList();
  }

  private String envEndingWith(String suffix) {
    List<String> matches = envNames().stream().filter(n -> n.endsWith(suffix)).toList();
    if (matches.size() != 1) {
      throw new AssertionError(configSource + ": expected one variable ending in " + suffix + ", found " + matches);
    }
    return matches.get(0);
  }

  private String constant(Pattern usage, String what) {
    String src = source();
    Matcher use = usage.matcher(src);
    if (!use.find()) {
      throw new AssertionError(configSource + ": cannot find the " + what + " setting");
    }
    Matcher c = ENV_CONSTANT.matcher(src);
    while (c.find()) {
      if (c.group(1).equals(use.group(1))) {
        return c.group(2);
      }
    }
    throw new AssertionError(configSource + ": constant " + use.group(1) + " not found");
  }

  /** The service whose address a *_TARGET variable names (DISTILLMESH_INDEX_TARGET: the index). */
  static MeshService forTargetEnv(String env) {
    return switch (env) {
      case "DISTILLMESH_INDEX_TARGET" -> INDEX;
      case "DISTILLMESH_STUDENT_TARGET" -> STUDENT;
      case "DISTILLMESH_TEACHER_TARGET" -> TEACHER;
      default -> null;
    };
  }

  static MeshService named(String name) {
    for (MeshService s : values()) {
      if (s.name.equals(name)) {
        return s;
      }
    }
    return null;
  }
}
