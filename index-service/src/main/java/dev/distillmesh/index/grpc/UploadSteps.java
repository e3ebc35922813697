package dev.distillmesh.index.grpc;

import dev.distillmesh.common.DomainException;
import dev.distillmesh.common.HeaderThenBatches;
import dev.distillmesh.index.store.CollectionInfo;
import dev.distillmesh.index.store.CollectionStore;
import dev.distillmesh.index.store.RebuildSession;
import dev.distillmesh.index.store.WriteResult;
import dev.distillmesh.proto.index.v1.RebuildHeader;
import dev.distillmesh.proto.index.v1.RebuildRequest;
import dev.distillmesh.proto.index.v1.RebuildResponse;
import dev.distillmesh.proto.index.v1.UpsertRequest;
import dev.distillmesh.proto.index.v1.UpsertResponse;

/**
 * The steps of the two client-streaming rpcs, run by {@link HeaderThenBatches}: {@code Upsert}
 * (every batch names the collection; each is applied as it arrives) and {@code Rebuild} (a header,
 * then batches into a new generation that is committed when the stream completes).
 */
final class UploadSteps {
  private UploadSteps() {}

  /** Totals of one Upsert stream so far. */
  static final class Upsert {
    private final String collection;
    private long upserted;
    private long replaced;
    private long lastSequence;

    private Upsert(String collection) {
      this.collection = collection;
    }
  }

  /** Upsert: a batch that has been applied stays, whatever happens to the rest of the stream. */
  static HeaderThenBatches.Steps<UpsertRequest, UpsertResponse, Upsert> upsert(CollectionStore store) {
    return new HeaderThenBatches.Steps<>() {
      @Override
      public Upsert open(UpsertRequest first) {
        return new Upsert(first.getCollection());
      }

      @Override
      public void add(Upsert totals, UpsertRequest batch) {
        if (!totals.collection.equals(batch.getCollection())) {
          throw HeaderThenBatches.otherCollection("Upsert", totals.collection, batch.getCollection());
        }
        WriteResult result = store.get(totals.collection).upsert(ProtoMapping.records(batch.getRecordsList()));
        totals.upserted += result.written();
        totals.replaced += result.replaced();
        totals.lastSequence = result.lastSequence();
      }

      @Override
      public UpsertResponse finish(Upsert totals) {
        return UpsertResponse.newBuilder().setUpserted(totals.upserted).setReplaced(totals.replaced)
            .setLastSequence(totals.lastSequence).build();
      }

      @Override
      public DomainException empty() {
        return DomainException.invalid("Upsert stream carried no batches; send at least one UpsertRequest");
      }
    };
  }

  /** Rebuild: nothing is visible until the commit; a stream that does not complete is aborted. */
  static HeaderThenBatches.Steps<RebuildRequest, RebuildResponse, RebuildSession> rebuild(CollectionStore store) {
    return new HeaderThenBatches.Steps<>() {
      @Override
      public RebuildSession open(RebuildRequest first) {
        if (!first.hasHeader()) {
          throw DomainException.invalid("the first Rebuild message must carry the header"
              + " (collection, optional index_spec and expected_last_sequence)");
        }
        RebuildHeader header = first.getHeader();
        return store.get(header.getCollection()).startRebuild(header.getIndexSpec(), header.getExpectedLastSequence());
      }

      @Override
      public boolean firstIsHeaderOnly() {
        return true;
      }

      @Override
      public void add(RebuildSession session, RebuildRequest message) {
        if (message.hasHeader()) {
          throw DomainException.invalid("a Rebuild stream carries exactly one header, first");
        }
        session.add(ProtoMapping.records(message.getBatch().getRecordsList()));
      }

      @Override
      public RebuildResponse finish(RebuildSession session) throws Exception {
        CollectionInfo info = session.commit();
        return RebuildResponse.newBuilder().setGeneration(info.generation()).setRecordCount(info.liveCount()).build();
      }

      @Override
      public DomainException empty() {
        return DomainException.invalid("Rebuild stream ended before its header");
      }

      @Override
      public void abort(RebuildSession session, HeaderThenBatches.Abort why, Throwable cause) {
        session.abort();
      }
    };
  }
}
