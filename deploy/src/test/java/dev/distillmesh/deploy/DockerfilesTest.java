package dev.distillmesh.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** deploy/docker/Dockerfile (one target per service), the Triton image, and .dockerignore. */
class DockerfilesTest {
  static final String DOCKERFILE = "deploy/docker/Dockerfile";
  static final String TRITON_DOCKERFILE = "deploy/docker/triton.Dockerfile";
  private static final Pattern NUMERIC_USER = Pattern.compile("(\\d+)(:\\d+)?");

  private static Dockerfile.Stage target(MeshService s) {
    return Dockerfile.read(DOCKERFILE).stage(s.name)
        .orElseThrow(() -> new AssertionError(DOCKERFILE + ": no stage (target) named " + s.name));
  }

  /** ENV as the container sees it: the stage's own over those of the stages it builds on. */
  private static Map<String, String> env(MeshService s) {
    Map<String, String> env = new LinkedHashMap<>();
    List<Dockerfile.Stage> lineage = Dockerfile.read(DOCKERFILE).lineage(s.name);
    for (int i = lineage.size() - 1; i >= 0; i--) {
      env.putAll(lineage.get(i).env());
    }
    return env;
  }

  @ParameterizedTest
  @EnumSource(MeshService.class)
  void exposesTheServicesDefaultPort(MeshService s) {
    assertEquals(List.of(s.defaultPort()), target(s).exposed(), s.name + ": EXPOSE vs the service's default port");
  }

  @ParameterizedTest
  @EnumSource(MeshService.class)
  void runsAsANumericNonRootUser(MeshService s) {
    String user = target(s).user().orElseThrow(() -> new AssertionError(s.name + ": no USER, so root"));
    var m = NUMERIC_USER.matcher(user);
    // Numeric, so that Kubernetes' runAsNonRoot can check it without resolving a name.
    assertTrue(m.matches(), s.name + ": USER " + user + " is not numeric");
    assertTrue(Integer.parseInt(m.group(1)) > 0, s.name + ": USER is root");
  }

  @ParameterizedTest
  @EnumSource(MeshService.class)
  void startsTheServicesJarWithItsLibraries(MeshService s) {
    Dockerfile.Stage stage = target(s);
    String jar = "/app/" + s.name + ".jar";
    List<String> entrypoint = stage.all("ENTRYPOINT");
    assertEquals(1, entrypoint.size(), s.name + ": one ENTRYPOINT");
    assertTrue(entrypoint.get(0).contains("\"-jar\", \"" + jar + "\""), s.name + ": ENTRYPOINT does not run " + jar);
    List<String> copies = stage.all("COPY");
    assertTrue(copies.contains("--from=build /src/" + s.name + "/target/" + s.name + ".jar " + jar),
        s.name + ": the jar is not copied from the build stage: " + copies);
    // The jar's manifest puts lib/ (next to it) on the class path.
    assertTrue(copies.contains("--from=build /src/" + s.name + "/target/lib/ /app/lib/"),
        s.name + ": lib/ is not copied next to the jar: " + copies);
  }

  @Test
  void theBuildStageBuildsEveryService() {
    Dockerfile.Stage build = Dockerfile.read(DOCKERFILE).stage("build").orElseThrow();
    String mvn = build.all("RUN").stream().filter(r -> r.contains("mvn ")).findFirst()
        .orElseThrow(() -> new AssertionError("no mvn in the build stage"));
    var pl = Pattern.compile("-pl\\s+(\\S+)").matcher(mvn);
    assertTrue(pl.find(), "mvn without -pl: " + mvn);
    for (MeshService s : MeshService.values()) {
      assertTrue(List.of(pl.group(1).split(",")).contains(s.name), "the build does not build " + s.name);
    }
    assertTrue(mvn.contains("-am"), "the build must build the modules the services depend on (-am)");
  }

  @ParameterizedTest
  @EnumSource(MeshService.class)
  void setsOnlyVariablesTheServiceReadsAndBindsAllInterfaces(MeshService s) {
    Map<String, String> env = env(s);
    for (String name : env.keySet()) {
      if (name.startsWith("DISTILLMESH_")) {
        assertTrue(s.envNames().contains(name), s.name + " does not read " + name);
      }
    }
    assertEquals("0.0.0.0", env.get(s.bindEnv()), s.name + ": a container must bind all interfaces");
  }

  @ParameterizedTest
  @EnumSource(MeshService.class)
  void declaresAVolumeForEachDirectoryItPersists(MeshService s) {
    Map<String, String> env = env(s);
    List<String> volumes = target(s).all("VOLUME");
    for (String dirEnv : s.persistedDirEnvs()) {
      String dir = env.get(dirEnv);
      assertTrue(dir != null && dir.startsWith("/"), s.name + ": " + dirEnv + " must be an absolute path, is " + dir);
      assertTrue(volumes.contains(dir), s.name + ": no VOLUME " + dir + " (" + volumes + ")");
    }
  }

  @Test
  void runtimeIsDebianWithAJre() {
    Dockerfile.Stage runtime = Dockerfile.read(DOCKERFILE).stage("runtime").orElseThrow();
    assertEquals("debian:bookworm-slim", runtime.base());
    assertTrue(runtime.all("RUN").stream().anyMatch(r -> r.contains("openjdk-17-jre-headless")), "no JRE");
    for (MeshService s : MeshService.values()) {
      assertEquals("runtime", target(s).base(), s.name + " is not built on the runtime stage");
    }
  }

  @Test
  void indexImageHasTheSharedLibrariesTheFaissGlueLinks() {
    // build.sh links libfaiss.a statically and OpenBLAS and GNU OpenMP dynamically.
    String buildSh = Repo.read("index-service/src/main/native/build.sh");
    assertTrue(buildSh.contains("-lopenblas") && buildSh.contains("-lgomp"), "build.sh's link line changed");
    String runs = String.join(" ", target(MeshService.INDEX).all("RUN"));
    assertTrue(runs.contains("libopenblas0"), "index-service image lacks libopenblas0");
    assertTrue(runs.contains("libgomp1"), "index-service image lacks libgomp1");
  }

  @Test
  void tritonImageIsNvidiasWithTheModelRepository() {
    Dockerfile triton = Dockerfile.read(TRITON_DOCKERFILE);
    Dockerfile.Stage last = triton.stages.get(triton.stages.size() - 1);
    assertTrue(last.base().matches("nvcr\\.io/nvidia/tritonserver:\\d+\\.\\d+-py3"), "Triton base " + last.base());
    assertTrue(last.all("COPY").contains("deploy/triton/model_repository /models"), "model repository not copied");
    assertTrue(last.exposed().contains(8001), "Triton's gRPC port 8001 not exposed");
    String user = last.user().orElseThrow(() -> new AssertionError("Triton image runs as root"));
    assertTrue(NUMERIC_USER.matcher(user).matches() && !user.startsWith("0"), "Triton USER " + user);
  }

  @Test
  void dockerignoreKeepsBuildOutputsDataAndGitOut() {
    List<String> patterns = Repo.read(".dockerignore").lines().map(String::strip)
        .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    assertTrue(patterns.contains("**/target") || patterns.contains("**/target/"), ".dockerignore: target/");
    assertTrue(patterns.contains("data") || patterns.contains("data/"), ".dockerignore: data/");
    assertTrue(patterns.contains(".git"), ".dockerignore: .git");
  }
}
