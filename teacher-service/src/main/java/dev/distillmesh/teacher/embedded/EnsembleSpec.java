package dev.distillmesh.teacher.embedded;

import dev.distillmesh.encoder.EncoderSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The members of the embedded teacher's ensemble and their weights, parsed from the
 * {@code --ensemble} setting: comma-separated {@code MODEL[:WEIGHT]} entries, where MODEL is a
 * bundled model name ({@link EncoderSpec#BUNDLED_MODELS}) or a model directory, and WEIGHT a
 * positive number (default 1). Examples: {@code e5-small-v2},
 * {@code e5-small-v2:0.7,bge-small-en-v1.5:0.3}, {@code /models/my-encoder:2}.
 */
public record EnsembleSpec(List<Member> members) {

  /** One encoder of the ensemble and its weight in the weighted sum of cosine similarities. */
  public record Member(EncoderSpec encoder, float weight) {}

  public EnsembleSpec {
    if (members.isEmpty()) {
      throw new IllegalArgumentException("the ensemble needs at least one model");
    }
    members = List.copyOf(members);
  }

  public static EnsembleSpec parse(String text) {
    List<Member> members = new ArrayList<>();
    for (String raw : text.split(",", -1)) {
      String entry = raw.strip();
      if (entry.isEmpty()) {
        throw new IllegalArgumentException("ensemble \"" + text + "\" has an empty entry; write MODEL[:WEIGHT],...");
      }
      String model = entry;
      float weight = 1f;
      int colon = entry.lastIndexOf(':');
      if (colon > 0) {
        String tail = entry.substring(colon + 1);
        try {
          weight = Float.parseFloat(tail);
          model = entry.substring(0, colon);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("ensemble entry \"" + entry + "\": \"" + tail
              + "\" is not a weight; write MODEL[:WEIGHT] with a positive number");
        }
        if (!(weight > 0) || Float.isInfinite(weight)) {
          throw new IllegalArgumentException("ensemble entry \"" + entry + "\": the weight must be a positive number");
        }
      }
      members.add(new Member(resolve(model), weight));
    }
    return new EnsembleSpec(members);
  }

  private static EncoderSpec resolve(String model) {
    if (EncoderSpec.BUNDLED_MODELS.containsKey(model)) {
      return EncoderSpec.bundled(model);
    }
    Path dir = Path.of(model);
    if (Files.isDirectory(dir)) {
      return EncoderSpec.fromDirectory(dir);
    }
    throw new IllegalArgumentException("ensemble model \"" + model + "\" is neither a bundled model ("
        + String.join(", ", EncoderSpec.BUNDLED_MODELS.keySet()) + ") nor a model directory");
  }

  /** "e5-small-v2" for one member, "e5-small-v2*0.7+bge-small-en-v1.5*0.3" for several. */
  public String label() {
    if (members.size() == 1) {
      return members.get(0).encoder().name();
    }
    List<String> parts = new ArrayList<>();
    for (Member m : members) {
      parts.add(m.encoder().name() + "*" + m.weight());
    }
    return String.join("+", parts);
  }
}
