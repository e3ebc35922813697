package dev.distillmesh.trainer.run;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.trainer.data.QaData;
import dev.distillmesh.trainer.learn.ListwiseLoss;
import dev.distillmesh.trainer.learn.QueryAdapter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A small seeded QA problem whose teacher's preference is known, for checking that an objective
 * learns: random unit passages and questions, and a teacher that, for each question, prefers one
 * passage that the untrained student ranks low (a different one for each question). The passages
 * are a collection searched exactly in memory ({@link ExactRetrieval}). {@link #train} steps the
 * real {@link Adapters} on the objective's examples and reports what the student scores the
 * preferred passages, and the loss, before and after.
 */
final class LearningProblem {
  static final int DIM = 6;
  static final int PASSAGES = 8;
  static final int QUESTIONS = 4;

  final float[][] pool = new float[PASSAGES][];
  final float[][] questions = new float[QUESTIONS][];
  /** The passage the teacher prefers for each question. */
  final int[] preferred = new int[QUESTIONS];
  final QaWorkspace workspace;
  final Batch batch;
  /** Candidates the teacher was asked about, over all its score requests. */
  int candidatesAsked;
  /** Score requests the teacher answered. */
  int teacherCalls;

  LearningProblem(long seed) {
    Random rnd = new Random(seed);
    for (int j = 0; j < PASSAGES; j++) {
      pool[j] = unit(rnd);
    }
    for (int i = 0; i < QUESTIONS; i++) {
      questions[i] = unit(rnd);
    }
    // For each question, the passage the identity student ranks lowest among those not yet taken.
    Set<Integer> taken = new HashSet<>();
    for (int i = 0; i < QUESTIONS; i++) {
      double[] s = ExactScorer.scores(QueryAdapter.identity(DIM).apply(questions[i]), pool);
      int worst = -1;
      for (int j = 0; j < PASSAGES; j++) {
        if (!taken.contains(j) && (worst < 0 || s[j] < s[worst])) {
          worst = j;
        }
      }
      preferred[i] = worst;
      taken.add(worst);
    }
    List<String> texts = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (int j = 0; j < PASSAGES; j++) {
      texts.add("p" + j);
      ids.add("id" + j);
    }
    List<QaData.Question> train = new ArrayList<>();
    List<float[]> queries = new ArrayList<>();
    List<Integer> golds = new ArrayList<>();
    for (int i = 0; i < QUESTIONS; i++) {
      train.add(new QaData.Question("q" + i, preferred[i]));
      queries.add(questions[i]);
      golds.add(preferred[i]);
    }
    workspace = new QaWorkspace(new QaData(ids, train, List.of()), new float[0][], questions, DIM,
        new ExactRetrieval(ids, texts, pool));
    batch = new Batch(train.stream().map(QaData.Question::text).toList(), queries, golds);
  }

  /**
   * The teacher: for question "qI", 0.9 for its preferred passage and 0.1 to 0.2 for the others (a
   * cosine-like teacher), for any candidates "pJ" it is asked about.
   */
  TeacherOracle teacher() {
    return new TeacherOracle("test-run", (context, candidates) -> {
      teacherCalls++;
      candidatesAsked += candidates.size();
      int q = Integer.parseInt(context.substring(1));
      float[] row = new float[candidates.size()];
      for (int c = 0; c < row.length; c++) {
        int p = Integer.parseInt(candidates.get(c).substring(1));
        row[c] = p == preferred[q] ? 0.9f : 0.1f + 0.01f * p;
      }
      return CompletableFuture.completedFuture(row);
    }, () -> false, message -> { });
  }

  /** What training did: the student's score of each question's preferred passage, and the loss. */
  record Outcome(double[] scoreBefore, double[] scoreAfter, double lossFirst, double lossLast) {
    void assertLearned() {
      for (int i = 0; i < scoreBefore.length; i++) {
        assertTrue(scoreAfter[i] > scoreBefore[i] + 0.05, "question " + i + ": the student's score of the teacher's"
            + " preferred passage rises, " + scoreBefore[i] + " -> " + scoreAfter[i]);
      }
      assertTrue(lossLast < 0.8 * lossFirst, "the loss falls: " + lossFirst + " -> " + lossLast);
    }
  }

  /** The candidates of a QA objective over this problem's collection. */
  QaCandidates candidates(Hyper hyper) {
    return new QaCandidates(workspace, hyper);
  }

  /** {@code steps} optimisation steps of the objective on the batch, from the identity. */
  Outcome train(Objective objective, Adapters adapters, Hyper hyper, int steps) throws Exception {
    double[] before = preferredScores(adapters.context());
    double first = Double.NaN;
    double last = Double.NaN;
    for (int s = 0; s < steps; s++) {
      Adapters.StepLoss loss = adapters.step(objective.examples(batch, s), hyper.identityWeight(), null);
      if (s == 0) {
        first = loss.total();
      }
      last = loss.total();
    }
    return new Outcome(before, preferredScores(adapters.context()), first, last);
  }

  private double[] preferredScores(QueryAdapter a) {
    double[] out = new double[QUESTIONS];
    for (int i = 0; i < QUESTIONS; i++) {
      out[i] = ListwiseLoss.dot(a.apply(questions[i]), pool[preferred[i]]);
    }
    return out;
  }

  private static float[] unit(Random rnd) {
    float[] v = new float[DIM];
    double n = 0;
    for (int d = 0; d < DIM; d++) {
      v[d] = (float) rnd.nextGaussian();
      n += v[d] * v[d];
    }
    for (int d = 0; d < DIM; d++) {
      v[d] /= (float) Math.sqrt(n);
    }
    return v;
  }
}
