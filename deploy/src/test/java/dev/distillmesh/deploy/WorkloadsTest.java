package dev.distillmesh.deploy;

import static dev.distillmesh.deploy.Repo.at;
import static dev.distillmesh.deploy.Repo.listAt;
import static dev.distillmesh.deploy.Repo.mapAt;
import static dev.distillmesh.deploy.Repo.stringAt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each service's Deployment or StatefulSet, in each overlay, against the service's own settings. */
class WorkloadsTest {

  static Stream<Arguments> overlayAndService() {
    return Kustomization.overlays().stream()
        .flatMap(o -> Stream.of(MeshService.values()).map(s -> Arguments.of(o.getFileName().toString(), s)));
  }

  private static Kustomization.Rendered overlay(String name) {
    return Kustomization.render(Repo.path("deploy/k8s/overlays/" + name));
  }

  private static Map<String, Object> workload(Kustomization.Rendered r, MeshService s) {
    return r.workload(s.name).orElseThrow(() -> new AssertionError(
        r.dir() + ": no Deployment or StatefulSet named " + s.name));
  }

  /** The container's environment as the service sees it: its ConfigMaps, then its env entries. */
  private static Map<String, Object> environment(Kustomization.Rendered r, Map<String, Object> container) {
    Map<String, Object> env = new LinkedHashMap<>();
    for (Object from : listAt(container, "envFrom")) {
      String cm = stringAt(from, "configMapRef.name");
      if (cm != null) {
        env.putAll(r.configMaps().getOrDefault(cm, Map.of()));
      }
    }
    for (Object e : listAt(container, "env")) {
      env.put(stringAt(e, "name"), at(e, "value") != null ? at(e, "value") : at(e, "valueFrom"));
    }
    return env;
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("overlayAndService")
  void listensOnTheServicesDefaultPortAndProbesItWithGrpcHealth(String overlay, MeshService s) {
    Map<String, Object> c = Kustomization.container(workload(overlay(overlay), s));
    int port = s.defaultPort();
    List<Object> ports = listAt(c, "ports");
    assertEquals(2, ports.size(), s.name + ": the gRPC port and the metrics port expected");
    assertEquals(port, at(ports.get(0), "containerPort"), s.name + ": containerPort vs the service's default port");
    assertEquals("metrics", at(ports.get(1), "name"), s.name + ": the second port serves Prometheus metrics");
    Object workload = workload(overlay(overlay), s);
    assertEquals(String.valueOf(at(ports.get(1), "containerPort")),
        mapAt(workload, "spec.template.metadata.annotations").get("prometheus.io/port"),
        s.name + ": the scrape annotation names the metrics port");
    for (String probe : List.of("readinessProbe", "livenessProbe")) {
      assertNotNull(at(c, probe), s.name + " has no " + probe);
      assertEquals(port, at(c, probe + ".grpc.port"), s.name + ": " + probe + " must be a gRPC health check on " + port);
    }
    if (at(c, "startupProbe") != null) {
      assertEquals(port, at(c, "startupProbe.grpc.port"), s.name + ": startupProbe port");
    }
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("overlayAndService")
  void hasRequestsAndLimits(String overlay, MeshService s) {
    Map<String, Object> c = Kustomization.container(workload(overlay(overlay), s));
    for (String kind : List.of("requests", "limits")) {
      for (String resource : List.of("cpu", "memory")) {
        assertNotNull(at(c, "resources." + kind + "." + resource), s.name + ": no resources." + kind + "." + resource);
      }
    }
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("overlayAndService")
  void runsAsANonRootUser(String overlay, MeshService s) {
    Map<String, Object> w = workload(overlay(overlay), s);
    Map<String, Object> pod = mapAt(w, "spec.template.spec.securityContext");
    assertEquals(Boolean.TRUE, pod.get("runAsNonRoot"), s.name + ": runAsNonRoot");
    assertTrue(pod.get("runAsUser") instanceof Integer uid && uid > 0, s.name + ": runAsUser must be a non-zero uid");
    Map<String, Object> c = Kustomization.container(w);
    assertEquals(Boolean.FALSE, at(c, "securityContext.allowPrivilegeEscalation"), s.name + ": allowPrivilegeEscalation");
    assertTrue(listAt(c, "securityContext.capabilities.drop").contains("ALL"), s.name + ": capabilities not dropped");
    if (Boolean.TRUE.equals(at(c, "securityContext.readOnlyRootFilesystem"))) {
      // Netty, FAISS, ONNX Runtime and the tokenizer unpack native libraries into /tmp at start.
      assertTrue(listAt(c, "volumeMounts").stream().anyMatch(m -> "/tmp".equals(stringAt(m, "mountPath"))),
          s.name + ": a read-only root file system needs a writable /tmp");
    }
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("overlayAndService")
  void adminTokenComesOnlyFromASecret(String overlay, MeshService s) {
    Kustomization.Rendered r = overlay(overlay);
    Map<String, Object> c = Kustomization.container(workload(r, s));
    for (Object from : listAt(c, "envFrom")) {
      String cm = stringAt(from, "configMapRef.name");
      assertFalse(r.configMaps().getOrDefault(cm, Map.of()).containsKey(MeshService.ADMIN_TOKEN),
          s.name + ": the admin token is in ConfigMap " + cm);
    }
    List<Object> tokens = listAt(c, "env").stream()
        .filter(e -> MeshService.ADMIN_TOKEN.equals(stringAt(e, "name"))).toList();
    if (s.readsAdminToken()) {
      assertEquals(1, tokens.size(), s.name + " reads the admin token but is not given it: its admin calls would be open");
    }
    for (Object t : tokens) {
      assertNull(at(t, "value"), s.name + ": literal admin token");
      assertNotNull(stringAt(t, "valueFrom.secretKeyRef.name"), s.name + ": admin token not from a secretKeyRef");
      assertNotNull(stringAt(t, "valueFrom.secretKeyRef.key"), s.name + ": admin token secretKeyRef without key");
    }
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("overlayAndService")
  void setsOnlyVariablesTheServiceReads(String overlay, MeshService s) {
    Kustomization.Rendered r = overlay(overlay);
    Map<String, Object> env = environment(r, Kustomization.container(workload(r, s)));
    assertFalse(env.isEmpty(), s.name + " has no environment");
    for (String name : env.keySet()) {
      if (name.startsWith("DISTILLMESH_")) {
        assertTrue(s.envNames().contains(name), s.name + " does not read " + name + " (" + s.configSource
            + " reads " + s.envNames() + ")");
      }
    }
    assertEquals("0.0.0.0", env.get(s.bindEnv()), s.name + ": must bind all interfaces in a pod");
    Object port = env.get(s.portEnv());
    if (port != null) {
      assertEquals(String.valueOf(s.defaultPort()), port.toString(), s.name + ": " + s.portEnv());
    }
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("overlayAndService")
  void persistsItsDirectoriesOnClaimedVolumes(String overlay, MeshService s) {
    Kustomization.Rendered r = overlay(overlay);
    Map<String, Object> w = workload(r, s);
    Map<String, Object> c = Kustomization.container(w);
    Map<String, Object> env = environment(r, c);
    List<String> claims = listAt(w, "spec.volumeClaimTemplates").stream()
        .map(t -> stringAt(t, "metadata.name")).toList();
    for (String dirEnv : s.persistedDirEnvs()) {
      Object dir = env.get(dirEnv);
      assertNotNull(dir, s.name + ": " + dirEnv + " is not set; the default is relative to the working directory");
      assertEquals("StatefulSet", w.get("kind"), s.name + " persists " + dirEnv + ": a StatefulSet keeps its volume");
      String volume = listAt(c, "volumeMounts").stream()
          .filter(m -> dir.equals(stringAt(m, "mountPath"))).map(m -> stringAt(m, "name"))
          .findFirst().orElseThrow(() -> new AssertionError(s.name + ": nothing is mounted at " + dir));
      assertTrue(claims.contains(volume), s.name + ": " + dir + " is on " + volume + ", not a volumeClaimTemplate");
    }
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("overlayAndService")
  void serviceLinksAreOff(String overlay, MeshService s) {
    // Kubernetes would inject <SERVICE>_PORT=tcp://... for every Service; one named like a
    // setting's prefix would override the setting.
    assertEquals(Boolean.FALSE, at(workload(overlay(overlay), s), "spec.template.spec.enableServiceLinks"),
        s.name + ": enableServiceLinks");
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("overlayAndService")
  void statefulSetsAreGovernedByTheirHeadlessService(String overlay, MeshService s) {
    Map<String, Object> w = workload(overlay(overlay), s);
    if ("StatefulSet".equals(w.get("kind"))) {
      assertEquals(s.name + "-headless", stringAt(w, "spec.serviceName"), s.name + ": serviceName");
    }
  }
}
