package dev.distillmesh.common.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rollout's two record formats: what round-trips, and what a reader refuses and why. */
class RecordFormatsTest {
  private static AdapterRecord adapter() {
    float[] m = new float[9];
    for (int i = 0; i < m.length; i++) {
      m[i] = i * 0.5f - 1;
    }
    return new AdapterRecord("faq", "context", 7, 3, m, "run-1", 0.61, "step 40", 1234L);
  }

  @Test
  void anAdapterRecordRoundTrips() throws Exception {
    AdapterRecord r = adapter();
    AdapterRecord back = AdapterRecord.decode(r.encode());
    assertEquals(new AdapterRecord.Header(AdapterRecord.SCHEMA, "faq", "context", 7), AdapterRecord.header(r.encode()));
    assertArrayEquals(r.matrix(), back.matrix());
    assertEquals(r.runId(), back.runId());
    assertEquals(r.heldOut(), back.heldOut());
    assertEquals("faq/context", r.key());
  }

  @Test
  void aDamagedMatrixIsRefusedByItsCrcButItsHeaderStillNamesTheVersion() throws Exception {
    byte[] bytes = adapter().encode();
    bytes[bytes.length - 10] ^= 0x01;
    assertEquals(7, AdapterRecord.header(bytes).version());
    MalformedRecordException e = assertThrows(MalformedRecordException.class, () -> AdapterRecord.decode(bytes));
    assertEquals("crc", e.reason());
  }

  @Test
  void aNewerSchemaIsRefusedNamingTheVersionAndTheUpgrade() {
    byte[] bytes = adapter().encode();
    ByteBuffer.wrap(bytes).putShort(4, (short) (AdapterRecord.SCHEMA + 1));
    MalformedRecordException e = assertThrows(MalformedRecordException.class, () -> AdapterRecord.decode(bytes));
    assertEquals("schema", e.reason());
    assertTrue(e.getMessage().contains("adapter v7 of faq"), e.getMessage());
  }

  @Test
  void foreignAndTruncatedBytesAreNamedAsSuch() {
    MalformedRecordException foreign = assertThrows(MalformedRecordException.class,
        () -> AdapterRecord.header("hello, not an adapter".getBytes(StandardCharsets.UTF_8)));
    assertEquals("foreign", foreign.reason());
    byte[] bytes = adapter().encode();
    MalformedRecordException cut = assertThrows(MalformedRecordException.class,
        () -> AdapterRecord.decode(Arrays.copyOf(bytes, bytes.length - 20)));
    assertEquals("truncated", cut.reason());
  }

  @Test
  void aReplicaReportRoundTripsAndRefusesForeignBytes() throws Exception {
    ReplicaReport r = new ReplicaReport("student-2", true, 99L, Map.of("faq", 7L),
        Map.of("faq", new ReplicaReport.Refusal(8, "symmetric part below the margin")));
    ReplicaReport back = ReplicaReport.decode(r.encode());
    assertEquals(r, back);
    assertEquals(7, back.servedVersion("faq"));
    assertEquals(0, back.servedVersion("other"));
    assertThrows(MalformedRecordException.class, () -> ReplicaReport.decode(new byte[] {1, 2, 3}));
  }
}
