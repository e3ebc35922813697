package dev.distillmesh.student.adapter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.common.DomainException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdapterStoreTest {
  private static final int DIM = 4;

  private static float[] scaled(float s) {
    float[] m = new float[DIM * DIM];
    for (int i = 0; i < DIM; i++) {
      m[i * DIM + i] = s;
    }
    return m;
  }

  @Test
  void everyCollectionStartsAsIdentityAndLeavesEmbeddingsAlone(@TempDir Path dir) throws IOException {
    AdapterStore store = AdapterStore.open(dir, DIM);
    Adapter a = store.current("faq");
    assertEquals(0, a.version());
    assertEquals(Tower.CONTEXT, a.tower());
    float[] e = {1, 2, 3, 4};
    assertSame(e, a.apply(e));
    assertEquals(List.of(), store.collections());
  }

  @Test
  void anAdapterBelongsToItsCollectionOnly(@TempDir Path dir) throws IOException {
    AdapterStore store = AdapterStore.open(dir, 2);
    store.install("qa", 1, 2, 2, new float[] {2, 1, 0, 3}, "test");
    assertArrayEquals(new float[] {2 * 5 + 1 * 6, 0 * 5 + 3 * 6}, store.current("qa").apply(new float[] {5, 6}));
    assertEquals(0, store.current("chat").version(), "another collection is untouched");
    assertEquals(List.of("qa"), store.collections());
    // Versions are per collection: chat may start at 1 although qa is already there.
    store.install("chat", 1, 2, 2, new float[] {1, 0, 0, 1}, "chat run");
    assertEquals(List.of("chat", "qa"), store.collections());
    assertTrue(Files.isRegularFile(dir.resolve("qa").resolve("context-v1.adapter")));
    assertTrue(Files.isRegularFile(dir.resolve("chat").resolve("context-v1.adapter")));
  }

  @Test
  void eachCollectionsVersionsSurviveARestartAndTheNewestWins(@TempDir Path dir) throws IOException {
    AdapterStore store = AdapterStore.open(dir, DIM);
    store.install("qa", 1, DIM, DIM, scaled(2), "run a");
    store.install("qa", 7, DIM, DIM, scaled(3), "run b");
    store.install("chat", 2, DIM, DIM, scaled(1.5f), "chat run");
    AdapterStore reopened = AdapterStore.open(dir, DIM);
    Adapter qa = reopened.current("qa");
    assertEquals(7, qa.version());
    assertEquals("run b", qa.description());
    assertArrayEquals(new float[] {3, 3, 3, 3}, qa.apply(new float[] {1, 1, 1, 1}));
    assertEquals(2, reopened.current("chat").version());
    assertArrayEquals(new float[] {1.5f, 1.5f, 1.5f, 1.5f}, reopened.current("chat").apply(new float[] {1, 1, 1, 1}));
    assertEquals(0, reopened.current("other").version());
    assertEquals(List.of("chat", "qa"), reopened.collections());
  }

  @Test
  void versionsOnlyMoveForwardPerCollection(@TempDir Path dir) throws IOException {
    AdapterStore store = AdapterStore.open(dir, DIM);
    store.install("qa", 3, DIM, DIM, scaled(2), "");
    DomainException e = assertThrows(DomainException.class, () -> store.install("qa", 3, DIM, DIM, scaled(2), ""));
    assertEquals(DomainException.Kind.FAILED_PRECONDITION, e.kind());
    assertTrue(e.getMessage().contains("collection qa's current context version 3"), e.getMessage());
  }

  @Test
  void aCollectionIsRequiredAndMustBeAName(@TempDir Path dir) throws IOException {
    AdapterStore store = AdapterStore.open(dir, DIM);
    DomainException none = assertThrows(DomainException.class, () -> store.install("", 1, DIM, DIM, scaled(2), ""));
    assertEquals(DomainException.Kind.INVALID_ARGUMENT, none.kind());
    assertTrue(none.getMessage().contains("collection is empty"), none.getMessage());
    DomainException escape = assertThrows(DomainException.class,
        () -> store.install("../up", 1, DIM, DIM, scaled(2), ""));
    assertEquals(DomainException.Kind.INVALID_ARGUMENT, escape.kind());
    assertTrue(escape.getMessage().contains("is not allowed"), escape.getMessage());
    assertEquals(List.of(), store.collections());
    try (var files = Files.list(dir)) {
      assertEquals(0, files.count(), "nothing written for a refused adapter");
    }
  }

  @Test
  void badMatricesAreRejectedAndTheOldAdapterKeepsServing(@TempDir Path dir) throws IOException {
    AdapterStore store = AdapterStore.open(dir, DIM);
    DomainException wrongShape = assertThrows(DomainException.class,
        () -> store.install("qa", 1, 3, 3, new float[9], ""));
    assertTrue(wrongShape.getMessage().contains("must be 4x4"), wrongShape.getMessage());
    assertThrows(DomainException.class, () -> store.install("qa", 1, DIM, DIM, new float[15], ""));
    float[] nan = scaled(1);
    nan[5] = Float.NaN;
    DomainException notFinite = assertThrows(DomainException.class, () -> store.install("qa", 1, DIM, DIM, nan, ""));
    assertTrue(notFinite.getMessage().contains("row 1, col 1"), notFinite.getMessage());
    assertEquals(0, store.current("qa").version());
  }

  @Test
  void aDamagedFileStopsTheStartInsteadOfServingGarbage(@TempDir Path dir) throws IOException {
    AdapterStore.open(dir, DIM).install("qa", 1, DIM, DIM, scaled(2), "");
    Path file = dir.resolve("qa").resolve("context-v1.adapter");
    byte[] bytes = Files.readAllBytes(file);
    bytes[40] ^= 0x10;
    Files.write(file, bytes);
    IOException e = assertThrows(IOException.class, () -> AdapterStore.open(dir, DIM));
    assertTrue(e.getMessage().contains("checksum"), e.getMessage());
    assertTrue(e.getMessage().contains("context-v1.adapter"), e.getMessage());
  }

  @Test
  void anAdapterForAnotherDimensionIsRefused(@TempDir Path dir) throws IOException {
    AdapterStore.open(dir, DIM).install("qa", 1, DIM, DIM, scaled(2), "");
    IOException e = assertThrows(IOException.class, () -> AdapterStore.open(dir, 8));
    assertTrue(e.getMessage().contains("8-dimensional"), e.getMessage());
  }

  @Test
  void onlyTheNewestVersionsOfEachCollectionAreKept(@TempDir Path dir) throws IOException {
    AdapterStore store = AdapterStore.open(dir, DIM);
    for (int v = 1; v <= AdapterStore.KEEP + 3; v++) {
      store.install("qa", v, DIM, DIM, scaled(1 + v / 10f), "");
    }
    store.install("chat", 1, DIM, DIM, scaled(2), "");
    assertEquals(AdapterStore.KEEP, store.versionsOnDisk("qa").size());
    assertEquals(AdapterStore.KEEP + 3L, store.versionsOnDisk("qa").get(AdapterStore.KEEP - 1));
    assertEquals(List.of(1L), store.versionsOnDisk("chat"), "pruning one collection leaves the others");
  }

  @Test
  void adaptersOfTheGlobalLayoutAreNamedInAWarningAndNotServed(@TempDir Path dir) throws IOException {
    // What a store wrote before adapters belonged to a collection: files at the top level.
    Path old = dir.resolve("old");
    AdapterStore.open(old, DIM).install("x", 4, DIM, DIM, scaled(2), "trained for some collection");
    Files.createDirectories(dir.resolve("store"));
    Files.move(old.resolve("x").resolve("context-v4.adapter"), dir.resolve("store").resolve("context-v4.adapter"));
    Files.write(dir.resolve("store").resolve("response-v2.adapter"), new byte[] {1, 2, 3});
    Files.createDirectories(dir.resolve("store").resolve("not a name"));

    String log = captureStderr(() -> {
      AdapterStore store = AdapterStore.open(dir.resolve("store"), DIM);
      assertEquals(List.of(), store.collections());
      assertEquals(0, store.current("x").version(), "not guessed to belong to any collection");
    });
    assertTrue(log.contains("WARN"), log);
    assertTrue(log.contains("[context-v4.adapter, response-v2.adapter]"), log);
    assertTrue(log.contains("not a name"), log);
    assertTrue(Files.exists(dir.resolve("store").resolve("context-v4.adapter")), "left for the operator");
  }

  private static String captureStderr(ThrowingRunnable action) throws IOException {
    PrintStream original = System.err;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(original);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private interface ThrowingRunnable {
    void run() throws IOException;
  }
}
