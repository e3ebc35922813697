package dev.distillmesh.deploy;

import static dev.distillmesh.deploy.Repo.at;
import static dev.distillmesh.deploy.Repo.listAt;
import static dev.distillmesh.deploy.Repo.mapAt;
import static dev.distillmesh.deploy.Repo.stringAt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** deploy/compose.yaml: the mesh on the embedded defaults, and Triton in its profile. */
class ComposeTest {
  private static final String COMPOSE = "deploy/compose.yaml";
  private static final Pattern INTERPOLATION = Pattern.compile("\\$\\{[A-Z0-9_]+(:?[-?][^}]*)?}");
  private static final Pattern PUBLISHED = Pattern.compile("127\\.0\\.0\\.1:(\\d+):(\\d+)");

  private static Map<String, Object> compose() {
    return Repo.yaml(Repo.path(COMPOSE));
  }

  private static Map<String, Object> service(String name) {
    Object svc = at(compose(), "services." + name);
    assertNotNull(svc, COMPOSE + ": no service " + name);
    return Repo.map(svc, name);
  }

  private static Map<String, Object> env(String name) {
    Object env = at(service(name), "environment");
    // The mapping form only: a list of KEY=VALUE strings would hide the names from these checks.
    return env == null ? Map.of() : Repo.map(env, name + ".environment");
  }

  @ParameterizedTest
  @EnumSource(MeshService.class)
  void buildsTheServiceFromItsDockerfileTarget(MeshService s) {
    Map<String, Object> svc = service(s.name);
    assertEquals("..", stringAt(svc, "build.context"), s.name + ": build context must be the repository root");
    assertEquals(DockerfilesTest.DOCKERFILE, stringAt(svc, "build.dockerfile"), s.name + ": dockerfile");
    assertEquals(s.name, stringAt(svc, "build.target"), s.name + ": build target");
    assertTrue(Dockerfile.read(DockerfilesTest.DOCKERFILE).stage(s.name).isPresent(), "no target " + s.name);
  }

  @ParameterizedTest
  @EnumSource(MeshService.class)
  void publishesTheDefaultPortOnLoopbackOnly(MeshService s) {
    List<Object> ports = listAt(service(s.name), "ports");
    assertEquals(2, ports.size(), s.name + ": the gRPC port, then the metrics port");
    Matcher metrics = PUBLISHED.matcher(ports.get(1).toString());
    assertTrue(metrics.matches() && metrics.group(1).equals(metrics.group(2)),
        s.name + ": publish metrics as \"127.0.0.1:PORT:PORT\", got " + ports.get(1));
    Matcher m = PUBLISHED.matcher(ports.get(0).toString());
    assertTrue(m.matches(), s.name + ": publish as \"127.0.0.1:PORT:PORT\", got " + ports.get(0));
    assertEquals(s.defaultPort(), Integer.parseInt(m.group(2)), s.name + ": container port");
    assertEquals(s.defaultPort(), Integer.parseInt(m.group(1)), s.name + ": host port");
  }

  @Test
  void everyPublishedPortIsOnLoopback() {
    for (Object svc : mapAt(compose(), "services").values()) {
      for (Object p : listAt(svc, "ports")) {
        assertTrue(p.toString().startsWith("127.0.0.1:"), "published beyond loopback: " + p);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(MeshService.class)
  void setsOnlyVariablesTheServiceReads(MeshService s) {
    Map<String, Object> env = env(s.name);
    for (String name : env.keySet()) {
      if (name.startsWith("DISTILLMESH_")) {
        assertTrue(s.envNames().contains(name), s.name + " does not read " + name + " (reads " + s.envNames() + ")");
      }
    }
    assertEquals("0.0.0.0", env.get(s.bindEnv()), s.name + ": must bind all interfaces in a container");
    Object port = env.get(s.portEnv());
    if (port != null) {
      assertEquals(String.valueOf(s.defaultPort()), port.toString(), s.name + ": " + s.portEnv());
    }
  }

  @ParameterizedTest
  @EnumSource(MeshService.class)
  void adminTokenComesFromTheCallersEnvironment(MeshService s) {
    Object token = env(s.name).get(MeshService.ADMIN_TOKEN);
    if (s.readsAdminToken()) {
      assertNotNull(token, s.name + " reads the admin token but compose does not pass it");
    }
    if (token != null) {
      assertTrue(INTERPOLATION.matcher(token.toString()).matches(),
          s.name + ": the admin token must be ${...} from the shell, never a value in the file");
    }
  }

  @ParameterizedTest
  @EnumSource(MeshService.class)
  void targetsNameComposeServicesOnTheirPorts(MeshService s) {
    env(s.name).forEach((name, value) -> {
      MeshService target = MeshService.forTargetEnv(name);
      if (target != null) {
        assertEquals(target.name + ":" + target.defaultPort(), value, s.name + ": " + name);
      }
    });
  }

  @ParameterizedTest
  @EnumSource(MeshService.class)
  void persistsItsDirectoriesOnNamedVolumes(MeshService s) {
    Map<String, Object> env = env(s.name);
    List<String> mounts = listAt(service(s.name), "volumes").stream().map(Object::toString).toList();
    for (String dirEnv : s.persistedDirEnvs()) {
      Object dir = env.get(dirEnv);
      assertNotNull(dir, s.name + ": " + dirEnv + " not set");
      assertTrue(mounts.stream().anyMatch(m -> m.matches("[a-z0-9-]+:" + Pattern.quote(dir.toString()))),
          s.name + ": no named volume at " + dir + " (" + mounts + ")");
    }
  }

  @Test
  void servicesUseOnlyDefinedVolumes() {
    Map<String, Object> defined = mapAt(compose(), "volumes");
    int named = 0;
    for (Map.Entry<String, Object> svc : mapAt(compose(), "services").entrySet()) {
      for (Object v : listAt(svc.getValue(), "volumes")) {
        String source = v.toString().split(":")[0];
        if (source.startsWith(".") || source.startsWith("/")) {
          assertTrue(Files.exists(Repo.path("deploy").resolve(source).normalize()),
              svc.getKey() + ": bind mount of " + source + ", which does not exist");
        } else {
          assertTrue(defined.containsKey(source), svc.getKey() + " uses volume " + source + ", not defined");
          named++;
        }
      }
    }
    assertTrue(named >= 3, "expected the index, adapter and runs volumes");
  }

  @Test
  void tritonIsAGpuServiceInItsOwnProfile() {
    Map<String, Object> triton = service("triton");
    assertEquals(List.of("triton"), listAt(triton, "profiles"), "Triton must not start without its profile");
    assertEquals(DockerfilesTest.TRITON_DOCKERFILE, stringAt(triton, "build.dockerfile"));
    List<Object> devices = listAt(triton, "deploy.resources.reservations.devices");
    assertTrue(devices.stream().anyMatch(d -> "nvidia".equals(stringAt(d, "driver"))
        && listAt(d, "capabilities").contains("gpu")), "Triton reserves no NVIDIA GPU");
    assertTrue(listAt(triton, "volumes").stream().anyMatch(v -> v.toString().startsWith("./triton/model_repository:/models")),
        "the model repository is not mounted at /models");
    assertTrue(listAt(triton, "ports").contains("127.0.0.1:8001:8001"), "Triton's gRPC port");
    // Its Python-backend models need more shared memory than Docker's 64 MiB.
    assertNotNull(at(triton, "shm_size"), "Triton without shm_size");
  }

  @Test
  void theTeachersBackendIsSwitchableToTriton() {
    Map<String, Object> env = env(MeshService.TEACHER.name);
    assertEquals("${DISTILLMESH_TEACHER_BACKEND:-embedded}", env.get("DISTILLMESH_TEACHER_BACKEND"),
        "the teacher must default to embedded and take the backend from the shell");
    assertEquals("triton:8001", env.get("DISTILLMESH_TRITON_TARGET"), "the teacher's Triton target");
  }
}
