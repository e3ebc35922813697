package dev.distillmesh.deploy;

import static dev.distillmesh.deploy.Repo.at;
import static dev.distillmesh.deploy.Repo.listAt;
import static dev.distillmesh.deploy.Repo.stringAt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The two overlays: the embedded teacher without a GPU, and the teacher on Triton with one. */
class TritonManifestsTest {
  private static final Pattern DNS_TARGET = Pattern.compile("dns:///([a-z0-9-]+):(\\d+)");

  private static Kustomization.Rendered embedded() {
    return Kustomization.render(Repo.path("deploy/k8s/overlays/embedded"));
  }

  private static Kustomization.Rendered triton() {
    return Kustomization.render(Repo.path("deploy/k8s/overlays/triton"));
  }

  @Test
  void tritonWorkloadHasAGpuAndTheImageWithTheModels() {
    Map<String, Object> w = triton().workload("triton").orElseThrow(() -> new AssertionError("no triton workload"));
    Map<String, Object> c = Kustomization.container(w);
    Object gpu = Repo.mapAt(c, "resources.limits").get("nvidia.com/gpu");
    assertNotNull(gpu, "Triton does not request nvidia.com/gpu");
    assertTrue(Integer.parseInt(gpu.toString()) >= 1, "nvidia.com/gpu " + gpu);
    assertEquals("distillmesh/triton:0.1.0", c.get("image"), "Triton runs the image of " + DockerfilesTest.TRITON_DOCKERFILE);
    assertNotNull(at(c, "readinessProbe"), "Triton without readinessProbe");
    assertNotNull(at(c, "livenessProbe"), "Triton without livenessProbe");
    assertEquals(Boolean.TRUE, at(w, "spec.template.spec.securityContext.runAsNonRoot"), "Triton runAsNonRoot");
    // Shared memory for the Python backend: /dev/shm must be a memory volume.
    assertTrue(listAt(c, "volumeMounts").stream().anyMatch(m -> "/dev/shm".equals(stringAt(m, "mountPath"))),
        "Triton without a /dev/shm volume");
  }

  @Test
  void tritonContainerSetsOnlyVariablesItsModelsRead() throws IOException {
    String models;
    try (var files = Files.walk(Repo.path("deploy/triton/model_repository"))) {
      models = files.filter(p -> p.toString().endsWith(".py")).map(Repo::read).collect(Collectors.joining("\n"));
    }
    Map<String, Object> c = Kustomization.container(triton().workload("triton").orElseThrow());
    for (Object e : listAt(c, "env")) {
      String name = stringAt(e, "name");
      if (name.startsWith("DISTILLMESH_")) {
        // The models build their names as DISTILLMESH_<MODEL>_<KEY>.
        assertTrue(models.contains(name) || models.contains(name.replaceFirst("_[A-Z_]+$", "_")),
            "no Triton model reads " + name);
      }
    }
  }

  @Test
  void theTeacherUsesTritonThroughItsHeadlessService() {
    Kustomization.Rendered r = triton();
    Map<String, String> teacher = r.configMaps().get(MeshService.TEACHER.configMap);
    assertEquals("triton", teacher.get("DISTILLMESH_TEACHER_BACKEND"));
    Matcher m = DNS_TARGET.matcher(teacher.getOrDefault("DISTILLMESH_TRITON_TARGET", ""));
    assertTrue(m.matches(), "DISTILLMESH_TRITON_TARGET " + teacher.get("DISTILLMESH_TRITON_TARGET"));
    Map<String, Object> svc = r.find("Service", m.group(1)).orElseThrow(() -> new AssertionError("no Service " + m.group(1)));
    assertEquals("None", stringAt(svc, "spec.clusterIP"), m.group(1) + " is not headless");
    int port = Integer.parseInt(m.group(2));
    Map<String, Object> c = Kustomization.container(r.workload("triton").orElseThrow());
    boolean grpc = listAt(c, "ports").stream()
        .anyMatch(p -> "grpc".equals(stringAt(p, "name")) && Integer.valueOf(port).equals(at(p, "containerPort")));
    assertTrue(grpc, "the teacher's Triton port " + port + " is not Triton's gRPC container port");
    Map<String, Object> labels = Kustomization.podLabels(r.workload("triton").orElseThrow());
    Repo.mapAt(svc, "spec.selector").forEach((k, v) -> assertEquals(v, labels.get(k), "triton-headless selector"));
  }

  @Test
  void theEmbeddedOverlayHasNoTritonAndNoGpu() {
    Kustomization.Rendered r = embedded();
    assertEquals("embedded", r.configMaps().get(MeshService.TEACHER.configMap).get("DISTILLMESH_TEACHER_BACKEND"));
    assertFalse(r.workload("triton").isPresent(), "Triton in the embedded overlay");
    for (Map<String, Object> w : r.workloads()) {
      assertFalse(Repo.mapAt(Kustomization.container(w), "resources.limits").containsKey("nvidia.com/gpu"),
          stringAt(w, "metadata.name") + " asks for a GPU in the embedded overlay");
    }
  }
}
