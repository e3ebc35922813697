package dev.distillmesh.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.common.DomainException;
import dev.distillmesh.trainer.run.model.RunSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Paths from a client are confined to the data directories, whatever the path does to get out. */
class DataRootsTest {
  private static String refused(DataRoots roots, String path) {
    DomainException e = assertThrows(DomainException.class, () -> roots.resolve(path, "passages"));
    assertEquals(DomainException.Kind.INVALID_ARGUMENT, e.kind(), e.getMessage());
    return e.getMessage();
  }

  @Test
  void filesInsideResolveToTheirRealPathAbsoluteOrRelative(@TempDir Path dir) throws Exception {
    Path a = Files.createDirectories(dir.resolve("a"));
    Path b = Files.createDirectories(dir.resolve("b"));
    Path file = Files.writeString(Files.createDirectories(b.resolve("qa")).resolve("p.jsonl"), "{}\n");
    DataRoots roots = new DataRoots(List.of(a, b));
    assertEquals(file.toRealPath(), roots.resolve(file.toString(), "passages"));
    assertEquals(file.toRealPath(), roots.resolve("qa/p.jsonl", "passages"), "relative: tried in each directory");
    assertEquals(file.toRealPath(), roots.resolve(b + "/qa/../qa/./p.jsonl", "passages"));
    Files.createSymbolicLink(a.resolve("link.jsonl"), file);
    assertEquals(file.toRealPath(), roots.resolve("link.jsonl", "passages"), "a link may point to another data dir");
    RunSpec spec = roots.confine(new RunSpec("r", "c", "qa/p.jsonl", file.toString(), null, "", null, null, null,
        "", "", 0, false));
    assertEquals(file.toRealPath().toString(), spec.passages());
    assertEquals(file.toRealPath().toString(), spec.questions());
    assertEquals("", spec.dialogues(), "empty fields stay empty");
  }

  @Test
  void nothingOutsideIsReadAndTheAnswerDoesNotSayWhetherItExists(@TempDir Path dir) throws Exception {
    Path inputs = Files.createDirectories(dir.resolve("inputs"));
    Path secret = Files.writeString(dir.resolve("secret.jsonl"), "{\"id\": \"SECRET\", \"text\": \"t\"}\n");
    Files.createSymbolicLink(inputs.resolve("escape.jsonl"), secret);
    Files.createSymbolicLink(inputs.resolve("etc"), Path.of("/etc"));
    DataRoots roots = new DataRoots(List.of(inputs));
    String[] outside = {"/etc/passwd", "/etc/shadow", "/root/.bash_history", "/etc/no-such-file", "/dev/zero",
        secret.toString(), "../secret.jsonl", "../../../../etc/passwd", inputs + "/../secret.jsonl",
        "escape.jsonl", "etc/passwd", "/", inputs.toString(), ".", "nul\0byte"};
    for (String path : outside) {
      String m = refused(roots, path);
      assertEquals("passages file " + path + " is not inside the trainer's data directories " + roots.roots()
          + "; put the file in one of them (relative paths are read from them), or start the trainer with"
          + " --data-dirs naming its directory", m, "the same answer for every outside path, existing or not");
    }
  }

  @Test
  void insideOnlyRegularFilesAreRead(@TempDir Path dir) throws Exception {
    Path inputs = Files.createDirectories(dir.resolve("inputs"));
    Files.createDirectories(inputs.resolve("sub"));
    DataRoots roots = new DataRoots(List.of(inputs));
    assertTrue(refused(roots, "sub").contains("is not a regular file"));
    assertTrue(refused(roots, "missing.jsonl").contains("does not exist"));
    // Even an operator who names /dev as a data directory does not let a device be read.
    DataRoots dev = new DataRoots(List.of(Path.of("/dev")));
    assertTrue(refused(dev, "/dev/zero").contains("is not a regular file"));
    assertTrue(refused(dev, "urandom").contains("is not a regular file"));
    // A directory that does not exist yet lets nothing through.
    DataRoots later = new DataRoots(List.of(dir.resolve("later")));
    assertTrue(refused(later, dir.resolve("later/p.jsonl").toString()).contains("does not exist"));
  }
}
