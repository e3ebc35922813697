package dev.distillmesh.teacher;

import com.google.common.base.Utf8;
import dev.distillmesh.common.DomainException;
import java.util.List;
import java.util.TreeSet;

/**
 * What a client may ask of the teacher, checked before a request reaches a backend. Messages name
 * the field, the value and what is allowed.
 */
public final class TeacherLimits {
  public static final int MAX_TEXT_BYTES = 16 * 1024;
  public static final int MAX_ITEMS = 256;
  public static final int MAX_CANDIDATES = 4096;
  public static final int MAX_PAIRS = 16384;
  public static final int MAX_CONTEXTS = 64;
  public static final int MAX_N = 64;
  public static final int MAX_TOP_K = 1000;
  public static final float MAX_TEMPERATURE = 10f;
  public static final int MAX_NEW_TOKENS = 1024;
  public static final int DEFAULT_NEW_TOKENS = 64;

  private TeacherLimits() {}

  /** Checks a score request against the limits and against what {@code teacher} can produce. */
  public static void checkScore(Teacher teacher, ScoreKind kind, List<ScoreItem> items) {
    if (kind == null) {
      throw DomainException.invalid("kind is unset; choose one of " + List.of(ScoreKind.values()));
    }
    if (!teacher.kinds().contains(kind)) {
      throw DomainException.precondition("the " + teacher.backend() + " teacher cannot produce " + kind
          + "; it has " + new TreeSet<>(teacher.kinds()) + howToGet(kind));
    }
    if (items.isEmpty() || items.size() > MAX_ITEMS) {
      throw DomainException.invalid("items must hold 1.." + MAX_ITEMS + " entries, got " + items.size());
    }
    int pairs = 0;
    for (int i = 0; i < items.size(); i++) {
      ScoreItem item = items.get(i);
      requireText("items[" + i + "].context", item.context());
      int n = item.candidates().size();
      if (n == 0 || n > MAX_CANDIDATES) {
        throw DomainException.invalid("items[" + i + "].candidates must hold 1.." + MAX_CANDIDATES
            + " texts, got " + n);
      }
      for (int j = 0; j < n; j++) {
        requireText("items[" + i + "].candidates[" + j + "]", item.candidates().get(j));
      }
      pairs += n;
    }
    if (pairs > MAX_PAIRS) {
      throw DomainException.tooLarge("the request holds " + pairs + " (context, candidate) pairs; the limit is "
          + MAX_PAIRS + " per request (split it, or use StreamScores)");
    }
  }

  private static String howToGet(ScoreKind kind) {
    return switch (kind) {
      case LOG_LIKELIHOOD, MUTUAL_INFORMATION ->
          " (" + kind + " needs a language model: start the teacher-service with --backend triton; see deploy/triton)";
      case COHERENCE ->
          " (COHERENCE needs a response-selection model: --backend triton with --triton-selector MODEL; see deploy/triton)";
      case RELEVANCE -> " (RELEVANCE comes from the embedded encoder ensemble: --backend embedded)";
    };
  }

  /**
   * Checks the contexts of a generate request and applies the sampling defaults (0 means default,
   * as the contract says).
   */
  public static Sampling checkGenerate(List<String> contexts, int n, int topK, float topP, float temperature,
      int minLength, int maxTokens, long seed) {
    if (contexts.isEmpty() || contexts.size() > MAX_CONTEXTS) {
      throw DomainException.invalid("contexts must hold 1.." + MAX_CONTEXTS + " texts, got " + contexts.size());
    }
    for (int i = 0; i < contexts.size(); i++) {
      requireText("contexts[" + i + "]", contexts.get(i));
    }
    int count = n == 0 ? 1 : n;
    if (count < 1 || count > MAX_N) {
      throw DomainException.invalid("sampling.n must be in 1.." + MAX_N + " (0 means 1), got " + Integer.toUnsignedString(n));
    }
    if (topK < 0 || topK > MAX_TOP_K) {
      throw DomainException.invalid("sampling.top_k must be 0 (off) or 1.." + MAX_TOP_K + ", got "
          + Integer.toUnsignedString(topK));
    }
    float p = topP == 0 ? 1f : topP;
    if (!(p > 0 && p <= 1)) {
      throw DomainException.invalid("sampling.top_p must be in (0, 1] (0 means 1), got " + topP);
    }
    float t = temperature == 0 ? 1f : temperature;
    if (!(t > 0 && t <= MAX_TEMPERATURE)) {
      throw DomainException.invalid("sampling.temperature must be in (0, " + MAX_TEMPERATURE + "] (0 means 1), got "
          + temperature);
    }
    int max = maxTokens == 0 ? DEFAULT_NEW_TOKENS : maxTokens;
    if (max < 1 || max > MAX_NEW_TOKENS) {
      throw DomainException.invalid("sampling.max_tokens must be in 1.." + MAX_NEW_TOKENS + " (0 means "
          + DEFAULT_NEW_TOKENS + "), got " + Integer.toUnsignedString(maxTokens));
    }
    if (minLength < 0 || minLength > max) {
      throw DomainException.invalid("sampling.min_length must be at most max_tokens (" + max + "), got "
          + Integer.toUnsignedString(minLength));
    }
    return new Sampling(count, topK, p, t, minLength, max, seed);
  }

  private static void requireText(String field, String text) {
    if (text.isBlank()) {
      throw DomainException.invalid(field + " is empty; give some text to judge");
    }
    int bytes = Utf8.encodedLength(text);
    if (bytes > MAX_TEXT_BYTES) {
      throw DomainException.tooLarge(field + " is " + bytes + " bytes of UTF-8; the limit is " + MAX_TEXT_BYTES
          + " (the models read only their first tokens anyway)");
    }
  }
}
