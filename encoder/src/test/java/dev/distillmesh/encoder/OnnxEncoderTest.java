package dev.distillmesh.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real bundled all-MiniLM-L6-v2 through ONNX Runtime, and a user model directory. */
class OnnxEncoderTest {
  private static OnnxEncoder encoder;

  @BeforeAll
  static void load() throws Exception {
    encoder = OnnxEncoder.open(EncoderSpec.bundled(), 2);
  }

  @AfterAll
  static void close() throws Exception {
    encoder.close();
  }

  private static float[] embed(OnnxEncoder e, String text) throws Exception {
    return e.embed(List.of(e.tokenize(text, "")))[0];
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  @Test
  void bundledModelGives384DimensionalUnitVectors() throws Exception {
    assertEquals(384, encoder.dimension());
    float[] v = embed(encoder, "How do I rebuild a collection?");
    assertEquals(384, v.length);
    assertEquals(1.0, Math.sqrt(dot(v, v)), 1e-5);
  }

  @Test
  void aBatchGivesTheSameVectorsAsOneByOne() throws Exception {
    List<String> texts = List.of("short", "a much longer sentence that needs padding in a batch of mixed lengths",
        "what port does the index listen on?");
    float[][] batch = encoder.embed(texts.stream().map(t -> encoder.tokenize(t, "")).toList());
    for (int i = 0; i < texts.size(); i++) {
      float[] single = embed(encoder, texts.get(i));
      for (int d = 0; d < single.length; d++) {
        assertEquals(single[d], batch[i][d], 2e-5, "text " + i + " dim " + d);
      }
    }
  }

  @Test
  void meaningDrivesSimilarity() throws Exception {
    float[] q = embed(encoder, "How can I make search results more accurate?");
    float[] related = embed(encoder, "Raising efSearch makes HNSW search more accurate at some cost in speed.");
    float[] unrelated = embed(encoder, "The cat slept on the warm windowsill all afternoon.");
    assertTrue(dot(q, related) > dot(q, unrelated) + 0.1, dot(q, related) + " vs " + dot(q, unrelated));
  }

  @Test
  void longTextIsTruncatedAndSaysSo() {
    Tokenized shortText = encoder.tokenize("a few words", "");
    assertFalse(shortText.truncated());
    Tokenized longText = encoder.tokenize("word ".repeat(1000), "");
    assertTrue(longText.truncated());
    assertEquals(256, longText.tokens());
  }

  @Test
  void modelDirectoryWithClsPoolingPrefixAndNoNormalisation(@TempDir Path dir) throws Exception {
    copy("/all-minilm-l6-v2.onnx", dir.resolve(EncoderSpec.MODEL_FILE));
    copy("/all-minilm-l6-v2-tokenizer.json", dir.resolve(EncoderSpec.TOKENIZER_FILE));
    Files.writeString(dir.resolve(EncoderSpec.CONFIG_FILE), """
        {"name": "minilm-cls", "pooling": "cls", "normalize": false, "max_tokens": 32,
         "query_prefix": "query: "}""");
    EncoderSpec spec = EncoderSpec.fromDirectory(dir);
    assertEquals(Pooling.CLS, spec.pooling());
    try (OnnxEncoder cls = OnnxEncoder.open(spec, 1)) {
      assertEquals(384, cls.dimension());
      float[] v = embed(cls, "where is my data stored");
      assertTrue(Math.abs(Math.sqrt(dot(v, v)) - 1) > 0.01, "not normalised");
      float[] mean = embed(encoder, "where is my data stored");
      assertTrue(dot(v, mean) / Math.sqrt(dot(v, v)) < 0.999, "CLS pooling differs from mean pooling");
      assertEquals(32, cls.tokenize("word ".repeat(100), "").tokens());
      assertTrue(cls.tokenize("x", "query: ").tokens() > cls.tokenize("x", "").tokens());
    }
  }

  @Test
  void badModelDirectoriesAreExplained(@TempDir Path dir) throws Exception {
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> EncoderSpec.fromDirectory(dir));
    assertTrue(missing.getMessage().contains("model.onnx"), missing.getMessage());
    Files.writeString(dir.resolve(EncoderSpec.MODEL_FILE), "x");
    Files.writeString(dir.resolve(EncoderSpec.TOKENIZER_FILE), "x");
    Files.writeString(dir.resolve(EncoderSpec.CONFIG_FILE), "{\"pooling\": \"max\"}");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> EncoderSpec.fromDirectory(dir))
        .getMessage().contains("\"mean\" or \"cls\""));
    Files.writeString(dir.resolve(EncoderSpec.CONFIG_FILE), "{\"pooling\": \"mean\", \"polling\": 1}");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> EncoderSpec.fromDirectory(dir))
        .getMessage().contains("unknown key \"polling\""));
    Files.writeString(dir.resolve(EncoderSpec.CONFIG_FILE), "{\"normalize\": true}");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> EncoderSpec.fromDirectory(dir))
        .getMessage().contains("\"pooling\" is required"));
    Files.writeString(dir.resolve(EncoderSpec.CONFIG_FILE), "{\"pooling\": \"mean\", \"max_tokens\": 2}");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> EncoderSpec.fromDirectory(dir))
        .getMessage().contains("max_tokens"));
  }

  private static void copy(String resource, Path to) throws Exception {
    try (InputStream in = OnnxEncoderTest.class.getResourceAsStream(resource)) {
      Files.copy(in, to);
    }
  }
}
