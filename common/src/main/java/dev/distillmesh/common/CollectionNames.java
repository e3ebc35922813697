package dev.distillmesh.common;

import java.util.regex.Pattern;

/**
 * The one rule for collection names, shared by the index (which stores them as directory names)
 * and the services that name its collections (the student checks them before it calls the index,
 * so a bad name is the caller's INVALID_ARGUMENT, not a relayed failure).
 */
public final class CollectionNames {
  /** 1 to 64 ASCII letters, digits, '_' or '-': safe as a directory name on every file system. */
  public static final String RULE = "[A-Za-z0-9_-]{1,64}";
  private static final Pattern NAME = Pattern.compile(RULE);

  private CollectionNames() {}

  /**
   * Returns {@code name} if it follows {@link #RULE}.
   *
   * @param field how the message names the value, e.g. "collection name" or "collection"
   * @throws DomainException INVALID_ARGUMENT saying what is allowed
   */
  public static String check(String name, String field) {
    if (name == null || name.isEmpty()) {
      throw DomainException.invalid(field + " is empty; allowed " + RULE);
    }
    if (!NAME.matcher(name).matches()) {
      String shown = name.length() <= 40 ? name : name.substring(0, 40) + "...";
      throw DomainException.invalid(field + " \"" + shown + "\" is not allowed; allowed " + RULE);
    }
    return name;
  }
}
