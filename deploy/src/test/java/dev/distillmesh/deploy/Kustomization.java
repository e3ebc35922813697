package dev.distillmesh.deploy;

import static dev.distillmesh.deploy.Repo.at;
import static dev.distillmesh.deploy.Repo.list;
import static dev.distillmesh.deploy.Repo.listAt;
import static dev.distillmesh.deploy.Repo.map;
import static dev.distillmesh.deploy.Repo.mapAt;
import static dev.distillmesh.deploy.Repo.stringAt;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The part of kustomize these manifests use, enough to check an overlay as it would be applied:
 * resources (files and directories with their own kustomization), configMapGenerator with literals
 * (create and merge), and patches by path (checked to exist and to name a resource, not applied).
 * Anything else in a kustomization.yaml fails, so a new feature gets a check too.
 */
final class Kustomization {
  private static final List<String> KNOWN_FIELDS = List.of(
      "apiVersion", "kind", "namespace", "labels", "resources", "configMapGenerator", "patches",
      // Rewrites image names for a registry; the checks read the names as written.
      "images");

  /** The manifests of a rendered kustomization, and its ConfigMaps by (unhashed) name. */
  record Rendered(Path dir, List<Map<String, Object>> resources, Map<String, Map<String, String>> configMaps,
      List<Map<String, Object>> patches) {

    List<Map<String, Object>> ofKind(String kind) {
      return resources.stream().filter(r -> kind.equals(r.get("kind"))).toList();
    }

    Optional<Map<String, Object>> find(String kind, String name) {
      return resources.stream()
          .filter(r -> kind.equals(r.get("kind")) && name.equals(stringAt(r, "metadata.name")))
          .findFirst();
    }

    /** The Deployment or StatefulSet of that name. */
    Optional<Map<String, Object>> workload(String name) {
      return find("StatefulSet", name).or(() -> find("Deployment", name));
    }

    List<Map<String, Object>> workloads() {
      List<Map<String, Object>> all = new ArrayList<>(ofKind("Deployment"));
      all.addAll(ofKind("StatefulSet"));
      return all;
    }
  }

  private Kustomization() {}

  static Rendered render(Path dir) {
    Path file = dir.resolve("kustomization.yaml");
    if (!Files.isRegularFile(file)) {
      throw new AssertionError(dir + " has no kustomization.yaml");
    }
    Map<String, Object> k = Repo.yaml(file);
    for (String field : k.keySet()) {
      if (!KNOWN_FIELDS.contains(field)) {
        throw new AssertionError(file + ": field '" + field + "' is not understood by these checks; teach"
            + " Kustomization.java about it");
      }
    }
    List<Map<String, Object>> resources = new ArrayList<>();
    Map<String, Map<String, String>> configMaps = new LinkedHashMap<>();
    List<Map<String, Object>> patches = new ArrayList<>();
    for (Object entry : listAt(k, "resources")) {
      Path p = dir.resolve(entry.toString()).normalize();
      if (Files.isDirectory(p)) {
        Rendered base = render(p);
        resources.addAll(base.resources());
        configMaps.putAll(base.configMaps());
        patches.addAll(base.patches());
      } else if (Files.isRegularFile(p)) {
        for (Object doc : Repo.yamlAll(p)) {
          resources.add(map(doc, p.toString()));
        }
      } else {
        throw new AssertionError(file + ": resource " + entry + " does not exist (" + p + ")");
      }
    }
    for (Object g : listAt(k, "configMapGenerator")) {
      String name = stringAt(g, "name");
      String behavior = Optional.ofNullable(stringAt(g, "behavior")).orElse("create");
      if (at(g, "files") != null || at(g, "envs") != null) {
        throw new AssertionError(file + ": configMapGenerator " + name + " uses files/envs; these checks read literals");
      }
      Map<String, String> data = new LinkedHashMap<>();
      for (Object literal : listAt(g, "literals")) {
        String s = literal.toString();
        int eq = s.indexOf('=');
        if (eq <= 0) {
          throw new AssertionError(file + ": literal '" + s + "' of " + name + " is not KEY=VALUE");
        }
        data.put(s.substring(0, eq), s.substring(eq + 1));
      }
      switch (behavior) {
        case "create" -> {
          if (configMaps.containsKey(name)) {
            throw new AssertionError(file + ": ConfigMap " + name + " created twice");
          }
          configMaps.put(name, data);
        }
        case "merge" -> {
          Map<String, String> existing = configMaps.get(name);
          if (existing == null) {
            throw new AssertionError(file + ": merges into ConfigMap " + name + ", which the base does not create");
          }
          Map<String, String> merged = new LinkedHashMap<>(existing);
          merged.putAll(data);
          configMaps.put(name, merged);
        }
        case "replace" -> configMaps.put(name, data);
        default -> throw new AssertionError(file + ": unknown behavior " + behavior);
      }
    }
    for (Object patch : listAt(k, "patches")) {
      String path = stringAt(patch, "path");
      if (path == null) {
        throw new AssertionError(file + ": only patches by path are checked: " + patch);
      }
      Path p = dir.resolve(path).normalize();
      if (!Files.isRegularFile(p)) {
        throw new AssertionError(file + ": patch " + path + " does not exist (" + p + ")");
      }
      patches.add(Repo.yaml(p));
    }
    return new Rendered(dir, List.copyOf(resources), configMaps, List.copyOf(patches));
  }

  /** Every kustomization directory under deploy/k8s. */
  static List<Path> all() {
    return Repo.yamlFiles("deploy/k8s").stream()
        .filter(p -> p.getFileName().toString().equals("kustomization.yaml"))
        .map(Path::getParent).toList();
  }

  /** The overlays: what is applied to a cluster. */
  static List<Path> overlays() {
    return List.of(Repo.path("deploy/k8s/overlays/embedded"), Repo.path("deploy/k8s/overlays/triton"),
        Repo.path("deploy/k8s/overlays/scale-out"));
  }

  /** The pod template's single application container. */
  static Map<String, Object> container(Map<String, Object> workload) {
    List<Object> containers = list(at(workload, "spec.template.spec.containers"),
        stringAt(workload, "metadata.name") + " containers");
    if (containers.size() != 1) {
      throw new AssertionError(stringAt(workload, "metadata.name") + ": expected one container, found "
          + containers.size());
    }
    return map(containers.get(0), "container");
  }

  static Map<String, Object> podLabels(Map<String, Object> workload) {
    return mapAt(workload, "spec.template.metadata.labels");
  }
}
