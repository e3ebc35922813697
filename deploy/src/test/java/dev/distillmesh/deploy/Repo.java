package dev.distillmesh.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** The repository the tests run in: files, YAML, and small accessors for parsed YAML trees. */
final class Repo {
  static final Path ROOT = findRoot();

  private Repo() {}

  /** Walks up from the working directory (Maven runs tests in deploy/) to the repository root. */
  private static Path findRoot() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("pom.xml")) && Files.isDirectory(p.resolve("deploy/k8s"))) {
        return p;
      }
    }
    throw new IllegalStateException("no repository root (pom.xml next to deploy/k8s) above "
        + Path.of("").toAbsolutePath());
  }

  static Path path(String relative) {
    return ROOT.resolve(relative);
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String read(String relative) {
    return read(path(relative));
  }

  /** Every document of a YAML file (empty documents left out), with SnakeYAML's safe constructor. */
  static List<Object> yamlAll(Path file) {
    Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
    List<Object> docs = new ArrayList<>();
    for (Object doc : yaml.loadAll(read(file))) {
      if (doc != null) {
        docs.add(doc);
      }
    }
    return docs;
  }

  static Map<String, Object> yaml(Path file) {
    List<Object> docs = yamlAll(file);
    assertTrue(docs.size() == 1, file + ": expected one YAML document, found " + docs.size());
    return map(docs.get(0), file.toString());
  }

  /** Every *.yaml / *.yml file under a directory of the repository. */
  static List<Path> yamlFiles(String relativeDir) {
    try (var files = Files.walk(path(relativeDir))) {
      return files.filter(Files::isRegularFile)
          .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
          .filter(p -> !p.toString().contains("/target/"))
          .sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object node, String what) {
    if (!(node instanceof Map)) {
      throw new AssertionError(what + ": expected a mapping, got " + node);
    }
    return (Map<String, Object>) node;
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object node, String what) {
    if (!(node instanceof List)) {
      throw new AssertionError(what + ": expected a list, got " + node);
    }
    return (List<Object>) node;
  }

  /** The node at a dotted path of mapping keys, or null where a key is missing. */
  static Object at(Object node, String dottedPath) {
    Object current = node;
    for (String key : dottedPath.split("\\.")) {
      if (!(current instanceof Map<?, ?> m)) {
        return null;
      }
      current = m.get(key);
    }
    return current;
  }

  static Map<String, Object> mapAt(Object node, String dottedPath) {
    Object v = at(node, dottedPath);
    return v == null ? Map.of() : map(v, dottedPath);
  }

  static List<Object> listAt(Object node, String dottedPath) {
    Object v = at(node, dottedPath);
    return v == null ? List.of() : list(v, dottedPath);
  }

  static String stringAt(Object node, String dottedPath) {
    Object v = at(node, dottedPath);
    return v == null ? null : Objects.toString(v);
  }
}
