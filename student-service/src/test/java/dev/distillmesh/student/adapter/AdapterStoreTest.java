package dev.distillmesh.student.adapter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.common.DomainException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
  void startsAsIdentityAndLeavesEmbeddingsAlone(@TempDir Path dir) throws IOException {
    AdapterStore store = AdapterStore.open(dir, DIM);
    Adapter a = store.current(Tower.CONTEXT);
    assertEquals(0, a.version());
    float[] e = {1, 2, 3, 4};
    assertSame(e, a.apply(e));
  }

  @Test
  void appliesTheMatrixRowMajor(@TempDir Path dir) throws IOException {
    AdapterStore store = AdapterStore.open(dir, 2);
    store.install(Tower.RESPONSE, 1, 2, 2, new float[] {2, 1, 0, 3}, "test");
    assertArrayEquals(new float[] {2 * 5 + 1 * 6, 0 * 5 + 3 * 6}, store.current(Tower.RESPONSE).apply(new float[] {5, 6}));
    assertEquals(0, store.current(Tower.CONTEXT).version(), "the other tower is untouched");
  }

  @Test
  void installedVersionsSurviveARestartAndTheNewestWins(@TempDir Path dir) throws IOException {
    AdapterStore store = AdapterStore.open(dir, DIM);
    store.install(Tower.CONTEXT, 1, DIM, DIM, scaled(2), "run a");
    store.install(Tower.CONTEXT, 7, DIM, DIM, scaled(3), "run b");
    AdapterStore reopened = AdapterStore.open(dir, DIM);
    Adapter a = reopened.current(Tower.CONTEXT);
    assertEquals(7, a.version());
    assertEquals("run b", a.description());
    assertArrayEquals(new float[] {3, 3, 3, 3}, a.apply(new float[] {1, 1, 1, 1}));
    assertEquals(0, reopened.current(Tower.RESPONSE).version());
  }

  @Test
  void versionsOnlyMoveForward(@TempDir Path dir) throws IOException {
    AdapterStore store = AdapterStore.open(dir, DIM);
    store.install(Tower.CONTEXT, 3, DIM, DIM, scaled(2), "");
    DomainException e = assertThrows(DomainException.class, () -> store.install(Tower.CONTEXT, 3, DIM, DIM, scaled(2), ""));
    assertEquals(DomainException.Kind.FAILED_PRECONDITION, e.kind());
    assertTrue(e.getMessage().contains("current version 3"), e.getMessage());
  }

  @Test
  void badMatricesAreRejectedAndTheOldAdapterKeepsServing(@TempDir Path dir) throws IOException {
    AdapterStore store = AdapterStore.open(dir, DIM);
    DomainException wrongShape = assertThrows(DomainException.class,
        () -> store.install(Tower.CONTEXT, 1, 3, 3, new float[9], ""));
    assertTrue(wrongShape.getMessage().contains("must be 4x4"), wrongShape.getMessage());
    assertThrows(DomainException.class, () -> store.install(Tower.CONTEXT, 1, DIM, DIM, new float[15], ""));
    float[] nan = scaled(1);
    nan[5] = Float.NaN;
    DomainException notFinite = assertThrows(DomainException.class, () -> store.install(Tower.CONTEXT, 1, DIM, DIM, nan, ""));
    assertTrue(notFinite.getMessage().contains("row 1, col 1"), notFinite.getMessage());
    assertEquals(0, store.current(Tower.CONTEXT).version());
  }

  @Test
  void aDamagedFileStopsTheStartInsteadOfServingGarbage(@TempDir Path dir) throws IOException {
    AdapterStore.open(dir, DIM).install(Tower.CONTEXT, 1, DIM, DIM, scaled(2), "");
    Path file = dir.resolve("context-v1.adapter");
    byte[] bytes = Files.readAllBytes(file);
    bytes[40] ^= 0x10;
    Files.write(file, bytes);
    IOException e = assertThrows(IOException.class, () -> AdapterStore.open(dir, DIM));
    assertTrue(e.getMessage().contains("checksum"), e.getMessage());
  }

  @Test
  void anAdapterForAnotherDimensionIsRefused(@TempDir Path dir) throws IOException {
    AdapterStore.open(dir, DIM).install(Tower.RESPONSE, 1, DIM, DIM, scaled(2), "");
    IOException e = assertThrows(IOException.class, () -> AdapterStore.open(dir, 8));
    assertTrue(e.getMessage().contains("8-dimensional"), e.getMessage());
  }

  @Test
  void onlyTheNewestVersionsAreKept(@TempDir Path dir) throws IOException {
    AdapterStore store = AdapterStore.open(dir, DIM);
    for (int v = 1; v <= AdapterStore.KEEP + 3; v++) {
      store.install(Tower.CONTEXT, v, DIM, DIM, scaled(v), "");
    }
    assertEquals(AdapterStore.KEEP, store.versionsOnDisk(Tower.CONTEXT).size());
    assertEquals(AdapterStore.KEEP + 3L, store.versionsOnDisk(Tower.CONTEXT).get(AdapterStore.KEEP - 1));
  }
}
