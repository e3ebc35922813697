package dev.distillmesh.common.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The scale-out record formats: what round-trips, and what a reader refuses and why. */
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

  @Test
  void aTrafficRecordRoundTripsBothKinds() throws Exception {
    TrafficRecord answer = new TrafficRecord(TrafficRecord.Kind.ANSWER, "faq", "student-1", 5L, List.of("how? ünï ✓"));
    assertEquals(answer, TrafficRecord.decode(answer.encode()));
    TrafficRecord respond = new TrafficRecord(TrafficRecord.Kind.RESPOND, "chat", "student-2", 6L,
        List.of("hi", "hello there", ""));
    TrafficRecord back = TrafficRecord.decode(respond.encode());
    assertEquals(respond, back);
    assertEquals("hi hello there ", back.query());
  }

  @Test
  void aNewerTrafficSchemaIsReadForTheFieldsThisReaderKnows() throws Exception {
    byte[] v1 = new TrafficRecord(TrafficRecord.Kind.ANSWER, "faq", "s", 5L, List.of("q")).encode();
    byte[] v2 = Arrays.copyOf(v1, v1.length + 9); // schema 2 appends a field this reader does not know
    ByteBuffer.wrap(v2).putShort(4, (short) (TrafficRecord.SCHEMA + 1));
    assertEquals("q", TrafficRecord.decode(v2).query());
    MalformedRecordException trailing = assertThrows(MalformedRecordException.class,
        () -> TrafficRecord.decode(Arrays.copyOf(v1, v1.length + 1)));
    assertEquals("truncated", trailing.reason(), "in its own schema, extra bytes are damage");
  }

  @Test
  void foreignAndDamagedTrafficIsNamedAsSuch() {
    byte[] bytes = new TrafficRecord(TrafficRecord.Kind.ANSWER, "faq", "s", 5L, List.of("a question")).encode();
    assertEquals("foreign", assertThrows(MalformedRecordException.class,
        () -> TrafficRecord.decode("not traffic".getBytes(StandardCharsets.UTF_8))).reason());
    assertEquals("foreign", assertThrows(MalformedRecordException.class, () -> TrafficRecord.decode(null)).reason());
    assertEquals("truncated", assertThrows(MalformedRecordException.class,
        () -> TrafficRecord.decode(Arrays.copyOf(bytes, bytes.length - 3))).reason());
    byte[] lying = bytes.clone();
    ByteBuffer.wrap(lying).putInt(lying.length - "a question".length() - 4, Integer.MAX_VALUE);
    assertEquals("truncated", assertThrows(MalformedRecordException.class, () -> TrafficRecord.decode(lying)).reason());
    assertThrows(IllegalArgumentException.class,
        () -> new TrafficRecord(TrafficRecord.Kind.ANSWER, "faq", "s", 1L, List.of("a", "b")));
  }
}
