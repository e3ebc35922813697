package dev.distillmesh.trainer.run;

import dev.distillmesh.common.DomainException;
import dev.distillmesh.trainer.clients.StudentLink;
import dev.distillmesh.trainer.clients.Tower;
import dev.distillmesh.trainer.data.QaData;
import dev.distillmesh.trainer.run.model.RunSpec;
import java.nio.file.Path;
import java.util.List;

/**
 * A QA run's data: the passage pool as the index serves it (response adapter applied), and the
 * held-out and (LABELLED) training questions before the context adapter, the one the run trains.
 */
record QaWorkspace(QaData data, float[][] pool, float[][] heldOut, float[][] train) implements Workspace {

  /** Reads the spec's files and has the student encode them. */
  static QaWorkspace prepare(RunSpec spec, Hyper hyper, StudentLink student) {
    QaData data = QaData.load(Path.of(spec.passages()), Path.of(spec.questions()), spec.holdout(),
        hyper.seed());
    float[][] pool = student.encode(data.passageTexts(), Tower.RESPONSE, false);
    float[][] heldOut = student.encode(data.heldOut().stream().map(QaData.Question::text).toList(), Tower.CONTEXT,
        true);
    float[][] train = new float[0][];
    if (spec.source() == RunSpec.Source.LABELLED) {
      train = student.encode(data.train().stream().map(QaData.Question::text).toList(), Tower.CONTEXT, true);
      if (train.length == 0) {
        throw DomainException.invalid("every question of " + spec.questions() + " is held out; nothing to train on");
      }
    }
    return new QaWorkspace(data, pool, heldOut, train);
  }

  List<String> passages() {
    return data.passageTexts();
  }

  @Override
  public String trainText(int i) {
    return data.train().get(i).text();
  }

  @Override
  public int trainGold(int i) {
    return data.train().get(i).gold();
  }

  @Override
  public List<String> primeTexts() {
    return data.passageTexts();
  }

  @Override
  public String primeDescription() {
    return "passages";
  }
}
