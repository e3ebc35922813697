package dev.distillmesh.encoder;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A transformer encoder run by ONNX Runtime: HuggingFace tokenizer (DJL) for word pieces, one
 * {@code OrtSession} for the network, pooling and optional L2 normalisation in Java.
 *
 * <p>Thread-safe: tokenizing and {@link #embed} may be called from many threads (ONNX Runtime
 * sessions and the Rust tokenizer are safe for concurrent use); each {@link #embed} call is one
 * ONNX Runtime run that uses up to {@code threads} intra-op threads. Whoever opens it closes it.
 */
public final class OnnxEncoder implements AutoCloseable {
  private static final String IDS = "input_ids";
  private static final String MASK = "attention_mask";
  private static final String TYPES = "token_type_ids";

  private final EncoderSpec spec;
  private final int threads;
  private final OrtEnvironment env;
  private final OrtSession session;
  private final HuggingFaceTokenizer tokenizer;
  private final boolean feedsTypeIds;
  private final String outputName;
  private final int dimension;
  private final int specialTokens;

  private OnnxEncoder(EncoderSpec spec, int threads, OrtSession session, HuggingFaceTokenizer tokenizer)
      throws OrtException {
    this.spec = spec;
    this.threads = threads;
    this.env = OrtEnvironment.getEnvironment();
    this.session = session;
    this.tokenizer = tokenizer;
    Set<String> inputs = session.getInputNames();
    if (!inputs.contains(IDS) || !inputs.contains(MASK)) {
      throw new IllegalArgumentException("model " + spec.name() + " must take inputs " + IDS + " and "
          + MASK + "; it takes " + inputs);
    }
    this.feedsTypeIds = inputs.contains(TYPES);
    Map<String, NodeInfo> outputs = session.getOutputInfo();
    this.outputName = outputs.containsKey("last_hidden_state") ? "last_hidden_state" : outputs.keySet().iterator().next();
    this.specialTokens = tokenizer.encode("", true, false).getIds().length;
    // The dimension is the last axis of the output; probe once in case the export left it symbolic.
    long[] shape = ((TensorInfo) outputs.get(outputName).getInfo()).getShape();
    long last = shape[shape.length - 1];
    this.dimension = last > 0 ? (int) last : probeDimension();
  }

  /**
   * Loads the model and tokenizer named by {@code spec}.
   *
   * @param threads ONNX Runtime intra-op threads per run (set explicitly: the default is one per core)
   */
  public static OnnxEncoder open(EncoderSpec spec, int threads) throws IOException, OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OrtSession session;
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(threads);
      options.setInterOpNumThreads(1);
      // By default ONNX Runtime's worker threads spin after each run, waiting for the next. In a
      // server they would burn the cores that gRPC, the index client and the next request need.
      options.addConfigEntry("session.intra_op.allow_spinning", "0");
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      session = env.createSession(spec.modelBytes(), options);
    }
    HuggingFaceTokenizer tokenizer;
    try (InputStream in = spec.openTokenizer()) {
      // Replaces whatever padding/truncation tokenizer.json asks for: truncate at maxTokens, never
      // pad (embed pads each batch to its longest text).
      tokenizer = HuggingFaceTokenizer.newInstance(in, Map.of(
          "maxLength", Integer.toString(spec.maxTokens()),
          "truncation", "true",
          "padding", "false"));
    } catch (IOException | RuntimeException e) {
      session.close();
      throw e;
    }
    try {
      return new OnnxEncoder(spec, threads, session, tokenizer);
    } catch (OrtException | RuntimeException e) {
      tokenizer.close();
      session.close();
      throw e;
    }
  }

  public EncoderSpec spec() {
    return spec;
  }

  /** Length of the sentence embeddings. */
  public int dimension() {
    return dimension;
  }

  public int threads() {
    return threads;
  }

  /** Tokenizes {@code prefix + text}, truncating at the model's maximum length. */
  public Tokenized tokenize(String text, String prefix) {
    Encoding e = tokenizer.encode(prefix + text, true, false);
    return new Tokenized(e.getIds(), e.getTypeIds(), e.exceedMaxLength());
  }

  /**
   * Word pieces of {@code text} without special tokens, capped at the maximum length; used to
   * decide which dialogue turns fit.
   */
  public int countTokens(String text) {
    return tokenizer.encode(text, false, false).getIds().length;
  }

  /** Special tokens the tokenizer adds around one text ([CLS] and [SEP] for BERT). */
  public int specialTokens() {
    return specialTokens;
  }

  /**
   * Sentence embeddings of a batch, in order: one ONNX Runtime run with the batch padded to its
   * longest text.
   */
  public float[][] embed(List<Tokenized> batch) throws OrtException {
    int n = batch.size();
    if (n == 0) {
      return new float[0][];
    }
    int seq = 0;
    for (Tokenized t : batch) {
      seq = Math.max(seq, t.tokens());
    }
    long[] ids = new long[n * seq];
    long[] mask = new long[n * seq];
    long[] types = new long[n * seq];
    for (int b = 0; b < n; b++) {
      Tokenized t = batch.get(b);
      System.arraycopy(t.ids(), 0, ids, b * seq, t.tokens());
      System.arraycopy(t.typeIds(), 0, types, b * seq, t.tokens());
      java.util.Arrays.fill(mask, b * seq, b * seq + t.tokens(), 1L);
    }
    long[] shape = {n, seq};
    Map<String, OnnxTensor> inputs = new HashMap<>();
    try {
      inputs.put(IDS, OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
      inputs.put(MASK, OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
      if (feedsTypeIds) {
        inputs.put(TYPES, OnnxTensor.createTensor(env, LongBuffer.wrap(types), shape));
      }
      try (OrtSession.Result result = session.run(inputs, Set.of(outputName))) {
        OnnxTensor out = (OnnxTensor) result.get(0);
        long[] outShape = out.getInfo().getShape();
        float[][] vectors = outShape.length == 2
            ? copyRows(out.getFloatBuffer(), n, (int) outShape[1])
            : Pool.pool(spec.pooling(), out.getFloatBuffer(), mask, n, seq, (int) outShape[2]);
        if (spec.normalize()) {
          for (float[] v : vectors) {
            Pool.normalize(v);
          }
        }
        return vectors;
      }
    } finally {
      for (OnnxTensor t : inputs.values()) {
        t.close();
      }
    }
  }

  private int probeDimension() throws OrtException {
    return embed(List.of(tokenize("probe", "")))[0].length;
  }

  private static float[][] copyRows(FloatBuffer buffer, int n, int dim) {
    float[][] out = new float[n][dim];
    for (int b = 0; b < n; b++) {
      buffer.get(out[b]);
    }
    return out;
  }

  @Override
  public void close() throws OrtException {
    tokenizer.close();
    session.close();
  }
}
