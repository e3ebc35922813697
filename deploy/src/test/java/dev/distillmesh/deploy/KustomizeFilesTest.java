package dev.distillmesh.deploy;

import static dev.distillmesh.deploy.Repo.stringAt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every YAML file under deploy/ parses, and every kustomization holds together. */
class KustomizeFilesTest {

  @Test
  void everyYamlFileUnderDeployParses() {
    List<Path> files = Repo.yamlFiles("deploy");
    assertTrue(files.size() >= 10, "expected the compose file and the manifests, found " + files);
    for (Path file : files) {
      List<Object> docs = Repo.yamlAll(file);
      assertFalse(docs.isEmpty(), file + " has no YAML document");
      if (file.startsWith(Repo.path("deploy/k8s"))) {
        for (Object doc : docs) {
          assertNotNull(stringAt(doc, "apiVersion"), file + ": a document without apiVersion");
          assertNotNull(stringAt(doc, "kind"), file + ": a document without kind");
        }
      }
    }
  }

  @Test
  void everyKustomizationRendersWithItsResourcesAndPatches() {
    List<Path> dirs = Kustomization.all();
    assertTrue(dirs.contains(Repo.path("deploy/k8s/base")), "no base kustomization: " + dirs);
    for (Path overlay : Kustomization.overlays()) {
      assertTrue(dirs.contains(overlay), "missing overlay " + overlay);
    }
    // render() fails on a resource or patch file that does not exist, and on unknown fields.
    for (Path dir : dirs) {
      Kustomization.Rendered r = Kustomization.render(dir);
      assertFalse(r.resources().isEmpty(), dir + " renders nothing");
    }
  }

  @Test
  void overlaysBuildOnTheBase() {
    int base = Kustomization.render(Repo.path("deploy/k8s/base")).resources().size();
    for (Path overlay : Kustomization.overlays()) {
      assertTrue(Kustomization.render(overlay).resources().size() >= base, overlay + " leaves out base resources");
    }
  }

  @Test
  void everyPatchNamesAResourceOfItsKustomization() {
    for (Path dir : Kustomization.all()) {
      Kustomization.Rendered r = Kustomization.render(dir);
      for (Map<String, Object> patch : r.patches()) {
        String kind = stringAt(patch, "kind");
        String name = stringAt(patch, "metadata.name");
        assertTrue(r.find(kind, name).isPresent(), dir + ": patch for " + kind + "/" + name + ", which does not exist");
      }
    }
  }

  @Test
  void resourceNamesAreUniquePerKind() {
    for (Path overlay : Kustomization.overlays()) {
      List<String> seen = new ArrayList<>();
      for (Map<String, Object> r : Kustomization.render(overlay).resources()) {
        String key = r.get("kind") + "/" + stringAt(r, "metadata.name");
        if (seen.contains(key)) {
          fail(overlay + ": " + key + " defined twice");
        }
        seen.add(key);
      }
    }
  }

  @Test
  void noSecretValuesAreCommitted() {
    for (Path file : Repo.yamlFiles("deploy")) {
      for (Object doc : Repo.yamlAll(file)) {
        assertFalse("Secret".equals(stringAt(doc, "kind")), file + " defines a Secret; create it in the cluster");
        assertEquals(null, Repo.at(doc, "secretGenerator"), file + " generates a Secret from committed values");
      }
    }
  }

  @Test
  void everyConfigMapAWorkloadReadsIsGenerated() {
    for (Path overlay : Kustomization.overlays()) {
      Kustomization.Rendered r = Kustomization.render(overlay);
      for (Map<String, Object> w : r.workloads()) {
        for (Object from : Repo.listAt(Kustomization.container(w), "envFrom")) {
          String name = stringAt(from, "configMapRef.name");
          if (name != null) {
            assertTrue(r.configMaps().containsKey(name),
                overlay + ": " + stringAt(w, "metadata.name") + " reads ConfigMap " + name + ", which is not generated");
          }
        }
      }
    }
  }
}
