package dev.distillmesh.index.store;

import dev.distillmesh.common.DomainException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Where the next ListRecords page starts: a slot of one generation of one collection. Slots are
 * only ever appended within a generation and never move, so a slot offset stays a valid position
 * however the generation is written to meanwhile; a swap renumbers every slot, which is why the
 * token names the generation it belongs to. Clients see it as an opaque (base64url) string.
 */
record PageToken(String collection, long generation, long slot) {
  String encode() {
    String plain = generation + ":" + slot + ":" + collection;
    return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
  }

  /** Reads a token issued for {@code collection}; INVALID_ARGUMENT for anything else. */
  static PageToken decode(String token, String collection) {
    PageToken t = parse(token);
    if (t == null) {
      throw DomainException.invalid("page_token \"" + Limits.abbreviate(token) + "\" is not one that"
          + " ListRecords issued; send an empty page_token for the first page, then each page's"
          + " next_page_token verbatim");
    }
    if (!t.collection.equals(collection)) {
      throw DomainException.invalid("page_token belongs to a listing of collection " + t.collection
          + ", not " + collection + "; send an empty page_token to list " + collection + " from the start");
    }
    return t;
  }

  private static PageToken parse(String token) {
    try {
      String[] parts = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8).split(":", 3);
      if (parts.length != 3) {
        return null;
      }
      long generation = Long.parseLong(parts[0]);
      long slot = Long.parseLong(parts[1]);
      return generation < 1 || slot < 0 ? null : new PageToken(parts[2], generation, slot);
    } catch (IllegalArgumentException e) { // bad base64 or a bad number
      return null;
    }
  }
}
