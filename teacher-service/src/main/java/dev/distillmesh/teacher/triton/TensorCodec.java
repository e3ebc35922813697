package dev.distillmesh.teacher.triton;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes and decodes the raw tensor contents of the KServe v2 protocol ({@code raw_input_contents}
 * and {@code raw_output_contents}): elements flattened in row-major order, little-endian, with no
 * padding. A BYTES element is a 4-byte little-endian unsigned length followed by that many bytes;
 * this class reads and writes them as UTF-8 text.
 *
 * <p>Decoders check the payload against the number of elements the shape promises and reject a
 * truncated length prefix, a length running past the end, trailing bytes, a byte count that does
 * not match, and invalid UTF-8, with an {@link IllegalArgumentException} saying which. Stateless and
 * thread-safe.
 */
public final class TensorCodec {
  private TensorCodec() {}

  /** The 4-byte length prefix and the UTF-8 bytes of each text, in order. */
  public static ByteString encodeBytes(List<String> texts) {
    List<byte[]> encoded = new ArrayList<>(texts.size());
    int total = 0;
    for (String text : texts) {
      byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
      encoded.add(utf8);
      total = Math.addExact(total, Math.addExact(4, utf8.length));
    }
    ByteBuffer buffer = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
    for (byte[] utf8 : encoded) {
      buffer.putInt(utf8.length);
      buffer.put(utf8);
    }
    buffer.flip();
    return ByteString.copyFrom(buffer);
  }

  /**
   * Reads exactly {@code count} length-prefixed UTF-8 elements that fill {@code raw} completely.
   *
   * @throws IllegalArgumentException if the payload is malformed or holds another number of elements
   */
  public static List<String> decodeBytes(ByteString raw, int count) {
    ByteBuffer buffer = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    List<String> texts = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      if (buffer.remaining() < 4) {
        throw new IllegalArgumentException("BYTES element " + i + " of " + count + ": only "
            + buffer.remaining() + " bytes left at offset " + buffer.position()
            + ", a 4-byte length prefix is needed");
      }
      long length = Integer.toUnsignedLong(buffer.getInt());
      if (length > buffer.remaining()) {
        throw new IllegalArgumentException("BYTES element " + i + " of " + count + " declares "
            + length + " bytes but only " + buffer.remaining() + " remain after offset " + (buffer.position() - 4));
      }
      ByteBuffer element = buffer.slice();
      element.limit((int) length);
      buffer.position(buffer.position() + (int) length);
      try {
        CharBuffer chars = utf8.decode(element);
        texts.add(chars.toString());
      } catch (CharacterCodingException e) {
        throw new IllegalArgumentException("BYTES element " + i + " of " + count + " is not valid UTF-8", e);
      }
    }
    if (buffer.hasRemaining()) {
      throw new IllegalArgumentException(buffer.remaining() + " bytes follow the " + count
          + " BYTES elements the shape holds");
    }
    return texts;
  }

  /** 4 little-endian bytes per IEEE 754 single. */
  public static ByteString encodeFp32(float[] values) {
    ByteBuffer buffer = allocate(values.length, 4);
    buffer.asFloatBuffer().put(values);
    return ByteString.copyFrom(buffer);
  }

  /** @throws IllegalArgumentException if {@code raw} is not exactly {@code count} × 4 bytes */
  public static float[] decodeFp32(ByteString raw, int count) {
    float[] values = new float[count];
    view(raw, count, 4, "FP32").asFloatBuffer().get(values);
    return values;
  }

  /** 4 little-endian bytes per value. */
  public static ByteString encodeInt32(int[] values) {
    ByteBuffer buffer = allocate(values.length, 4);
    buffer.asIntBuffer().put(values);
    return ByteString.copyFrom(buffer);
  }

  /** @throws IllegalArgumentException if {@code raw} is not exactly {@code count} × 4 bytes */
  public static int[] decodeInt32(ByteString raw, int count) {
    int[] values = new int[count];
    view(raw, count, 4, "INT32").asIntBuffer().get(values);
    return values;
  }

  /** 8 little-endian bytes per value. */
  public static ByteString encodeInt64(long[] values) {
    ByteBuffer buffer = allocate(values.length, 8);
    buffer.asLongBuffer().put(values);
    return ByteString.copyFrom(buffer);
  }

  /** @throws IllegalArgumentException if {@code raw} is not exactly {@code count} × 8 bytes */
  public static long[] decodeInt64(ByteString raw, int count) {
    long[] values = new long[count];
    view(raw, count, 8, "INT64").asLongBuffer().get(values);
    return values;
  }

  /**
   * The number of elements a shape holds.
   *
   * @throws IllegalArgumentException for a negative dimension or a count past {@link Integer#MAX_VALUE}
   */
  public static int elementCount(List<Long> shape) {
    long count = 1;
    for (long dim : shape) {
      if (dim < 0) {
        throw new IllegalArgumentException("shape " + shape + " has a negative dimension");
      }
      count *= dim;
      if (count > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("shape " + shape + " holds more than " + Integer.MAX_VALUE + " elements");
      }
    }
    return (int) count;
  }

  private static ByteBuffer allocate(int count, int width) {
    return ByteBuffer.allocate(Math.multiplyExact(count, width)).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static ByteBuffer view(ByteString raw, int count, int width, String datatype) {
    long expected = (long) count * width;
    if (raw.size() != expected) {
      throw new IllegalArgumentException(datatype + " contents of " + raw.size() + " bytes do not hold "
          + count + " elements (" + count + " × " + width + " = " + expected + " bytes expected)");
    }
    return raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }
}
