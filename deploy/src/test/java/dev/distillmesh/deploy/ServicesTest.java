package dev.distillmesh.deploy;

import static dev.distillmesh.deploy.Repo.at;
import static dev.distillmesh.deploy.Repo.listAt;
import static dev.distillmesh.deploy.Repo.mapAt;
import static dev.distillmesh.deploy.Repo.stringAt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Services, autoscalers and the addresses the services are given for each other, per overlay. */
class ServicesTest {
  private static final Pattern DNS_TARGET = Pattern.compile("dns:///([a-z0-9-]+):(\\d+)");

  static Stream<Arguments> overlayAndService() {
    return Kustomization.overlays().stream()
        .flatMap(o -> Stream.of(MeshService.values()).map(s -> Arguments.of(o.getFileName().toString(), s)));
  }

  static Stream<String> overlayNames() {
    return Kustomization.overlays().stream().map(p -> p.getFileName().toString());
  }

  private static Kustomization.Rendered overlay(String name) {
    return Kustomization.render(Repo.path("deploy/k8s/overlays/" + name));
  }

  private static Map<String, Object> service(Kustomization.Rendered r, String name) {
    return r.find("Service", name).orElseThrow(() -> new AssertionError(r.dir() + ": no Service " + name));
  }

  /** The selector picks the workload's pods: each of its labels is on the pod template. */
  private static void assertSelects(Map<String, Object> selector, Map<String, Object> workload, String what) {
    assertTrue(!selector.isEmpty(), what + ": empty selector");
    Map<String, Object> labels = Kustomization.podLabels(workload);
    selector.forEach((k, v) -> assertEquals(v, labels.get(k), what + ": selector " + k + " does not match the pods"));
  }

  /** The Service's single port is the service's port and reaches the container's. */
  private static void assertPort(Map<String, Object> svc, Map<String, Object> workload, int port, String what) {
    List<Object> ports = listAt(svc, "spec.ports");
    assertEquals(1, ports.size(), what + ": one port expected");
    assertEquals(port, at(ports.get(0), "port"), what + ": port");
    Object target = at(ports.get(0), "targetPort");
    Map<String, Object> containerPort = Repo.map(listAt(Kustomization.container(workload), "ports").get(0), "port");
    if (target instanceof String name) {
      assertEquals(name, containerPort.get("name"), what + ": targetPort names no container port");
    } else if (target != null) {
      assertEquals(containerPort.get("containerPort"), target, what + ": targetPort");
    }
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("overlayAndService")
  void hasAClusterIpService(String overlay, MeshService s) {
    Kustomization.Rendered r = overlay(overlay);
    Map<String, Object> w = r.workload(s.name).orElseThrow();
    Map<String, Object> svc = service(r, s.name);
    assertNotEquals("None", stringAt(svc, "spec.clusterIP"), s.name + " must not be headless");
    String type = stringAt(svc, "spec.type");
    assertTrue(type == null || type.equals("ClusterIP"), s.name + ": type " + type);
    assertSelects(mapAt(svc, "spec.selector"), w, "Service " + s.name);
    assertPort(svc, w, s.defaultPort(), "Service " + s.name);
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("overlayAndService")
  void hasAHeadlessServiceForClientSideBalancing(String overlay, MeshService s) {
    Kustomization.Rendered r = overlay(overlay);
    Map<String, Object> w = r.workload(s.name).orElseThrow();
    Map<String, Object> svc = service(r, s.name + "-headless");
    assertEquals("None", stringAt(svc, "spec.clusterIP"), s.name + "-headless must be headless");
    assertSelects(mapAt(svc, "spec.selector"), w, "Service " + s.name + "-headless");
    assertPort(svc, w, s.defaultPort(), "Service " + s.name + "-headless");
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("overlayAndService")
  void hasACpuAutoscalerOnItsWorkload(String overlay, MeshService s) {
    Kustomization.Rendered r = overlay(overlay);
    Map<String, Object> hpa = r.find("HorizontalPodAutoscaler", s.name)
        .orElseThrow(() -> new AssertionError(overlay + ": no HorizontalPodAutoscaler " + s.name));
    assertEquals("autoscaling/v2", hpa.get("apiVersion"), s.name + ": HPA apiVersion");
    String kind = stringAt(hpa, "spec.scaleTargetRef.kind");
    String name = stringAt(hpa, "spec.scaleTargetRef.name");
    assertEquals("apps/v1", stringAt(hpa, "spec.scaleTargetRef.apiVersion"), s.name + ": scaleTargetRef.apiVersion");
    assertTrue(r.find(kind, name).isPresent(), s.name + ": HPA scales " + kind + "/" + name + ", which does not exist");
    assertEquals(s.name, name, s.name + ": HPA scales another workload");
    int min = (Integer) at(hpa, "spec.minReplicas");
    int max = (Integer) at(hpa, "spec.maxReplicas");
    assertTrue(1 <= min && min <= max, s.name + ": replicas " + min + ".." + max);
    boolean cpu = listAt(hpa, "spec.metrics").stream().anyMatch(m -> "Resource".equals(stringAt(m, "type"))
        && "cpu".equals(stringAt(m, "resource.name"))
        && "Utilization".equals(stringAt(m, "resource.target.type")));
    assertTrue(cpu, s.name + ": HPA has no CPU utilisation metric");
    // The autoscaler owns the replica count: a replicas field would be reset by every apply.
    if (max > 1) {
      assertEquals(null, at(r.find(kind, name).orElseThrow(), "spec.replicas"),
          s.name + ": drop spec.replicas, the HPA sets it");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("overlayNames")
  void targetsNameHeadlessServicesOnTheirPorts(String overlay) {
    Kustomization.Rendered r = overlay(overlay);
    int checked = 0;
    for (Map.Entry<String, Map<String, String>> cm : r.configMaps().entrySet()) {
      for (Map.Entry<String, String> e : cm.getValue().entrySet()) {
        if (!e.getKey().endsWith("_TARGET")) {
          continue;
        }
        String what = overlay + ": " + cm.getKey() + " " + e.getKey() + "=" + e.getValue();
        Matcher m = DNS_TARGET.matcher(e.getValue());
        assertTrue(m.matches(), what + ": expected dns:///<service>-headless:<port>, for per-call balancing");
        Map<String, Object> svc = service(r, m.group(1));
        assertEquals("None", stringAt(svc, "spec.clusterIP"), what + ": not a headless Service");
        int port = Integer.parseInt(m.group(2));
        assertTrue(listAt(svc, "spec.ports").stream().anyMatch(p -> Integer.valueOf(port).equals(at(p, "port"))),
            what + ": the Service has no port " + port);
        MeshService target = MeshService.forTargetEnv(e.getKey());
        if (target != null) {
          assertEquals(target.name + "-headless", m.group(1), what);
          assertEquals(target.defaultPort(), port, what + ": not " + target.name + "'s port");
        }
        checked++;
      }
    }
    assertTrue(checked >= 4, overlay + ": expected the student's and the trainer's targets, checked " + checked);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("overlayNames")
  void disruptionBudgetsSelectAWorkload(String overlay) {
    Kustomization.Rendered r = overlay(overlay);
    for (Map<String, Object> pdb : r.ofKind("PodDisruptionBudget")) {
      Map<String, Object> selector = mapAt(pdb, "spec.selector.matchLabels");
      boolean any = r.workloads().stream().anyMatch(w -> {
        Map<String, Object> labels = Kustomization.podLabels(w);
        return !selector.isEmpty() && selector.entrySet().stream()
            .allMatch(en -> en.getValue().equals(labels.get(en.getKey())));
      });
      assertTrue(any, overlay + ": PodDisruptionBudget " + stringAt(pdb, "metadata.name") + " selects no pods");
      assertNotNull(at(pdb, "spec.maxUnavailable") != null ? at(pdb, "spec.maxUnavailable") : at(pdb, "spec.minAvailable"),
          "PodDisruptionBudget without a budget");
    }
  }
}
