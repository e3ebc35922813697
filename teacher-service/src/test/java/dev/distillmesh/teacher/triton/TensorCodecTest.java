package dev.distillmesh.teacher.triton;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.util.List;
import org.junit.jupiter.api.Test;

class TensorCodecTest {

  private static ByteString bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return ByteString.copyFrom(b);
  }

  @Test
  void bytesElementsAreLittleEndianLengthThenUtf8() {
    ByteString encoded = TensorCodec.encodeBytes(List.of("ab", "", "é"));
    assertArrayEquals(new byte[] {2, 0, 0, 0, 'a', 'b', 0, 0, 0, 0, 2, 0, 0, 0, (byte) 0xC3, (byte) 0xA9},
        encoded.toByteArray());
    assertEquals(List.of("ab", "", "é"), TensorCodec.decodeBytes(encoded, 3));
  }

  @Test
  void lengthPrefixAbove255UsesTheSecondByte() {
    ByteString encoded = TensorCodec.encodeBytes(List.of("x".repeat(300)));
    assertArrayEquals(new byte[] {44, 1, 0, 0}, encoded.substring(0, 4).toByteArray());
    assertEquals(304, encoded.size());
  }

  @Test
  void truncatedLengthPrefixIsRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TensorCodec.decodeBytes(bytes(1, 0), 1));
    assertTrue(e.getMessage().contains("4-byte length prefix"), e.getMessage());
  }

  @Test
  void lengthPastTheEndIsRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TensorCodec.decodeBytes(bytes(5, 0, 0, 0, 'a'), 1));
    assertTrue(e.getMessage().contains("declares 5 bytes but only 1 remain"), e.getMessage());
  }

  @Test
  void fewerElementsThanTheShapeIsRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TensorCodec.decodeBytes(bytes(1, 0, 0, 0, 'a'), 2));
    assertTrue(e.getMessage().contains("element 1 of 2"), e.getMessage());
  }

  @Test
  void trailingBytesAreRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TensorCodec.decodeBytes(bytes(1, 0, 0, 0, 'a', 'b'), 1));
    assertTrue(e.getMessage().contains("1 bytes follow"), e.getMessage());
  }

  @Test
  void invalidUtf8IsRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TensorCodec.decodeBytes(bytes(1, 0, 0, 0, 0xFF), 1));
    assertTrue(e.getMessage().contains("not valid UTF-8"), e.getMessage());
  }

  @Test
  void numbersAreLittleEndian() {
    assertArrayEquals(new byte[] {0, 0, (byte) 0x80, 0x3F, 0, 0, 0, (byte) 0xC0},
        TensorCodec.encodeFp32(new float[] {1.0f, -2.0f}).toByteArray());
    assertArrayEquals(new byte[] {1, 0, 0, 0, (byte) 0xFE, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF},
        TensorCodec.encodeInt32(new int[] {1, -2}).toByteArray());
    assertArrayEquals(new byte[] {2, 1, 0, 0, 0, 0, 0, 0},
        TensorCodec.encodeInt64(new long[] {258}).toByteArray());
    assertArrayEquals(new float[] {1.0f, -2.0f}, TensorCodec.decodeFp32(bytes(0, 0, 0x80, 0x3F, 0, 0, 0, 0xC0), 2));
    assertArrayEquals(new int[] {1, -2}, TensorCodec.decodeInt32(bytes(1, 0, 0, 0, 0xFE, 0xFF, 0xFF, 0xFF), 2));
    assertArrayEquals(new long[] {258}, TensorCodec.decodeInt64(bytes(2, 1, 0, 0, 0, 0, 0, 0), 1));
  }

  @Test
  void wrongByteCountForTheShapeIsRejected() {
    IllegalArgumentException fp32 = assertThrows(IllegalArgumentException.class,
        () -> TensorCodec.decodeFp32(bytes(0, 0, 0x80, 0x3F), 2));
    assertTrue(fp32.getMessage().contains("4 bytes do not hold 2 elements"), fp32.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TensorCodec.decodeInt32(bytes(1, 0, 0), 1));
    assertThrows(IllegalArgumentException.class, () -> TensorCodec.decodeInt64(bytes(1, 0, 0, 0), 1));
  }

  @Test
  void elementCountMultipliesDimensionsAndRejectsNegativeOnes() {
    assertEquals(6, TensorCodec.elementCount(List.of(2L, 3L)));
    assertEquals(1, TensorCodec.elementCount(List.of()));
    assertThrows(IllegalArgumentException.class, () -> TensorCodec.elementCount(List.of(-1L, 3L)));
    assertThrows(IllegalArgumentException.class, () -> TensorCodec.elementCount(List.of(1L << 20, 1L << 20)));
  }
}
