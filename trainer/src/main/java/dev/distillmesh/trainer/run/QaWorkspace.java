package dev.distillmesh.trainer.run;

import dev.distillmesh.common.DomainException;
import dev.distillmesh.trainer.clients.CollectionState;
import dev.distillmesh.trainer.clients.Passage;
import dev.distillmesh.trainer.clients.StudentLink;
import dev.distillmesh.trainer.clients.Tower;
import dev.distillmesh.trainer.data.QaData;
import dev.distillmesh.trainer.run.model.RunSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A QA run's data: the held-out and (LABELLED) training questions as base embeddings (before the
 * context adapter, the one the run trains), and the served collection their candidates come from.
 * Nothing here grows with the collection: passages are searched for and fetched as a step needs
 * them.
 */
record QaWorkspace(QaData data, float[][] heldOut, float[][] train, int dim, Retrieval collection)
    implements Workspace {

  /**
   * Reads the spec's questions, checks them against the collection (every gold passage must be
   * in it) and has the student encode them.
   */
  static QaWorkspace prepare(RunSpec spec, Hyper hyper, StudentLink student, CollectionState state,
      Retrieval collection) {
    QaData data = QaData.load(Path.of(spec.questions()), spec.holdout(), hyper.seed());
    int dim = student.modelInfo(spec.collection()).dimension();
    if (state.dimension() != dim) {
      throw DomainException.precondition("collection " + spec.collection() + " holds vectors of dimension "
          + state.dimension() + " but the student encodes " + dim);
    }
    if (state.liveCount() == 0) {
      throw DomainException.precondition("collection " + spec.collection() + " holds no passages; ingest them first"
          + " (scripts/student-cli.sh ingest " + spec.collection() + " FILE)");
    }
    checkGolds(spec, data, collection);
    float[][] heldOut = student.encode(data.heldOut().stream().map(QaData.Question::text).toList(), Tower.CONTEXT);
    float[][] train = new float[0][];
    if (spec.source() == RunSpec.Source.LABELLED) {
      train = student.encode(data.train().stream().map(QaData.Question::text).toList(), Tower.CONTEXT);
      if (train.length == 0) {
        throw DomainException.invalid("every question of " + spec.questions() + " is held out; nothing to train on");
      }
    }
    return new QaWorkspace(data, heldOut, train, dim, collection);
  }

  /** Every passage_id the questions name must be a record of the collection. */
  private static void checkGolds(RunSpec spec, QaData data, Retrieval collection) {
    List<String> ids = data.goldIds();
    int missing = 0;
    for (int from = 0; from < ids.size(); from += 4096) {
      List<String> chunk = ids.subList(from, Math.min(ids.size(), from + 4096));
      Map<String, Passage> found = collection.fetch(chunk);
      missing += chunk.size() - found.size();
    }
    if (missing > 0) {
      throw DomainException.precondition(missing + " of the " + ids.size() + " passage ids that " + spec.questions()
          + " names are not records of collection " + spec.collection() + "; ingest those passages with these ids");
    }
  }

  @Override
  public String trainText(int i) {
    return data.train().get(i).text();
  }

  @Override
  public int trainGold(int i) {
    return data.train().get(i).gold();
  }

  /** A QA run primes nothing: the teacher meets each passage when it is first a candidate. */
  @Override
  public List<String> primeTexts() {
    return List.of();
  }

  @Override
  public String primeDescription() {
    return "passages";
  }
}
