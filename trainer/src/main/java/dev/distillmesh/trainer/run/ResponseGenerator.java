package dev.distillmesh.trainer.run;

import com.google.gson.JsonObject;
import dev.distillmesh.trainer.clients.Generations;
import dev.distillmesh.trainer.clients.NewDocument;
import dev.distillmesh.trainer.clients.StudentLink;
import dev.distillmesh.trainer.clients.TeacherLink;
import dev.distillmesh.trainer.clients.Tower;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Data-level G2R: has the teacher generate responses for training contexts. A context is sent to
 * the teacher once; new responses join the response set ({@link DialogueWorkspace}) and are
 * ingested into the served collection, with their provenance, through the student. Owned by the
 * run's thread.
 */
final class ResponseGenerator {
  private static final int CHUNK = 64;

  private final String runId;
  private final String collection;
  private final Hyper hyper;
  private final DialogueWorkspace workspace;
  private final TeacherLink teacher;
  private final StudentLink student;
  private final LongConsumer added;
  private final Map<String, int[]> generatedFor = new HashMap<>();

  /** @param added told how many responses new to the collection each ingest added */
  ResponseGenerator(String runId, String collection, Hyper hyper, DialogueWorkspace workspace, TeacherLink teacher,
      StudentLink student, LongConsumer added) {
    this.runId = runId;
    this.collection = collection;
    this.hyper = hyper;
    this.workspace = workspace;
    this.teacher = teacher;
    this.student = student;
    this.added = added;
  }

  /**
   * The pool indices of the responses the teacher generated for each context, or null when the run
   * does not generate (generated_per_context 0).
   */
  List<int[]> generated(List<String> contexts) throws Exception {
    int m = hyper.generatedPerContext();
    if (m == 0) {
      return null;
    }
    List<String> missing = contexts.stream().filter(c -> !generatedFor.containsKey(c)).distinct().toList();
    for (int from = 0; from < missing.size(); from += CHUNK) {
      List<String> chunk = missing.subList(from, Math.min(missing.size(), from + CHUNK));
      Generations g = teacher.generate(chunk, m, 20, hyper.generateMinLength(), hyper.seed());
      Map<String, NewDocument> fresh = new LinkedHashMap<>(); // new texts, in order, once each
      for (int i = 0; i < chunk.size(); i++) {
        for (String candidate : g.candidates().get(i)) {
          String text = candidate.strip();
          if (!text.isEmpty() && !workspace.knows(text) && !fresh.containsKey(text)) {
            fresh.put(text, document(text, chunk.get(i), g.model()));
          }
        }
      }
      if (!fresh.isEmpty()) {
        List<String> newTexts = new ArrayList<>(fresh.keySet());
        workspace.addResponses(newTexts, student.encode(newTexts, Tower.RESPONSE));
        added.accept(student.ingest(collection, new ArrayList<>(fresh.values())));
      }
      for (int i = 0; i < chunk.size(); i++) {
        generatedFor.put(chunk.get(i), g.candidates().get(i).stream().map(String::strip).filter(workspace::knows)
            .mapToInt(workspace::indexOf).distinct().toArray());
      }
    }
    return contexts.stream().map(generatedFor::get).toList();
  }

  /**
   * A generated response as the served collection keeps it: its id is derived from its text (so a
   * resumed run re-ingests it in place), its metadata says where it came from.
   */
  private NewDocument document(String text, String context, String model) {
    JsonObject meta = new JsonObject();
    meta.addProperty("provenance", "teacher-generated");
    meta.addProperty("teacher_model", model);
    meta.addProperty("run", runId);
    meta.addProperty("context", context.length() > 512 ? context.substring(context.length() - 512) : context);
    return new NewDocument("gen-" + sha256(text).substring(0, 24), text, meta.toString());
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }
}
