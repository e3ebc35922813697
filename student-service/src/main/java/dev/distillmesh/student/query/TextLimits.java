package dev.distillmesh.student.query;

import com.google.common.base.Utf8;
import dev.distillmesh.common.CollectionNames;
import dev.distillmesh.common.DomainException;

/** Validation of client-supplied texts and parameters, with messages that name the field. */
final class TextLimits {
  static final int MAX_TEXT_BYTES = 16 * 1024;
  static final int MAX_K = 100;
  static final int DEFAULT_K = 10;
  static final int MAX_EF_SEARCH = 4096;
  static final int MAX_TURNS = 64;
  static final int MAX_ENCODE_TEXTS = 256;

  private TextLimits() {}

  /** Rejects empty, blank or oversized text; {@code field} names it in the message. */
  static String requireText(String field, String text) {
    if (text.isBlank()) {
      throw DomainException.invalid(field + " is empty; give some text to encode");
    }
    return requireSize(field, text);
  }

  /** Rejects text over {@link #MAX_TEXT_BYTES}; empty text passes. */
  static String requireSize(String field, String text) {
    int bytes = Utf8.encodedLength(text);
    if (bytes > MAX_TEXT_BYTES) {
      throw DomainException.tooLarge(field + " is " + bytes + " bytes of UTF-8; the limit is "
          + MAX_TEXT_BYTES + " (the model reads only its first tokens anyway)");
    }
    return text;
  }

  static int k(int k) {
    if (k == 0) {
      return DEFAULT_K;
    }
    if (k < 0 || k > MAX_K) {
      throw DomainException.invalid("k must be in 1.." + MAX_K + " (0 means " + DEFAULT_K + "), got " + k);
    }
    return k;
  }

  static int efSearch(int ef) {
    if (ef < 0 || ef > MAX_EF_SEARCH) {
      throw DomainException.invalid("ef_search must be 0 (the collection's default) or 1.." + MAX_EF_SEARCH + ", got " + ef);
    }
    return ef;
  }

  static String collection(String name) {
    if (name.isEmpty()) {
      throw DomainException.invalid("collection is empty; name the index-service collection to search");
    }
    // The index's own rule, checked here so a bad name is this caller's INVALID_ARGUMENT.
    return CollectionNames.check(name, "collection");
  }
}
