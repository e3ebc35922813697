package dev.distillmesh.trainer.run;

import java.util.ArrayList;
import java.util.List;

/** LABELLED: the training examples in a seeded random order per epoch, epoch after epoch. */
final class LabelledSource implements BatchSource {
  private final Workspace workspace;
  private final int batchSize;
  private final long seed;
  private long position;
  private int[] epochOrder;
  private long epochOfOrder = -1;

  /** @param position examples consumed before (0 for a new run) */
  LabelledSource(Workspace workspace, int batchSize, long seed, long position) {
    this.workspace = workspace;
    this.batchSize = batchSize;
    this.seed = seed;
    this.position = position;
  }

  @Override
  public Batch next() {
    int n = workspace.trainSize();
    List<String> texts = new ArrayList<>(batchSize);
    List<float[]> queries = new ArrayList<>(batchSize);
    List<Integer> golds = new ArrayList<>(batchSize);
    for (int b = 0; b < batchSize; b++) {
      long epoch = position / n;
      if (epochOrder == null || epochOfOrder != epoch) {
        epochOrder = Candidates.shuffled(n, seed + epoch);
        epochOfOrder = epoch;
      }
      int i = epochOrder[(int) (position % n)];
      position++;
      texts.add(workspace.trainText(i));
      queries.add(workspace.trainQuery(i));
      golds.add(workspace.trainGold(i));
    }
    return new Batch(texts, queries, golds);
  }

  @Override
  public long position() {
    return position;
  }
}
