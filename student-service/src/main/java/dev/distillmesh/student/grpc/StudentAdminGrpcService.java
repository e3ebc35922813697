package dev.distillmesh.student.grpc;

import dev.distillmesh.common.DomainException;
import dev.distillmesh.common.GrpcErrors;
import dev.distillmesh.common.HeaderThenBatches;
import dev.distillmesh.common.kafka.MeshTopics;
import dev.distillmesh.common.resilience.Deadlines;
import dev.distillmesh.proto.student.v1.AdapterInfo;
import dev.distillmesh.proto.student.v1.GetModelInfoRequest;
import dev.distillmesh.proto.student.v1.IngestRequest;
import dev.distillmesh.proto.student.v1.IngestResponse;
import dev.distillmesh.proto.student.v1.LoadAdapterRequest;
import dev.distillmesh.proto.student.v1.ModelInfo;
import dev.distillmesh.proto.student.v1.StudentAdminGrpc;
import dev.distillmesh.proto.student.v1.TakeTrafficRequest;
import dev.distillmesh.proto.student.v1.TakeTrafficResponse;
import dev.distillmesh.student.adapter.Adapter;
import dev.distillmesh.student.adapter.AdapterStore;
import dev.distillmesh.student.adapter.Tower;
import dev.distillmesh.encoder.EncoderSpec;
import dev.distillmesh.student.query.CollectionModels;
import dev.distillmesh.student.query.Ingestor;
import dev.distillmesh.student.query.TowerEncoder;
import dev.distillmesh.student.query.TrafficRecorder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Set;

/**
 * The admin rpcs (LoadAdapter, GetModelInfo, Ingest, TakeTraffic). Authentication is the server's interceptor's
 * job ({@link #ADMIN_METHODS}); this class validates and delegates. The student holds context
 * adapters only, one per collection: a response adapter is the index's projection of a collection.
 */
public final class StudentAdminGrpcService extends StudentAdminGrpc.StudentAdminImplBase {
  /** Every method of the service: all of them need the admin credential. */
  public static final Set<String> ADMIN_METHODS = Set.of(
      StudentAdminGrpc.getLoadAdapterMethod().getFullMethodName(),
      StudentAdminGrpc.getGetModelInfoMethod().getFullMethodName(),
      StudentAdminGrpc.getIngestMethod().getFullMethodName(),
      StudentAdminGrpc.getTakeTrafficMethod().getFullMethodName());

  private final AdapterStore adapters;
  private final CollectionModels models;
  private final TowerEncoder towers;
  private final EncoderSpec spec;
  private final int onnxThreads;
  private final Ingestor ingestor;
  private final Duration maxDeadline;
  private final Duration maxIngestDeadline;
  private final TrafficRecorder traffic; // null in scale-out mode: traffic goes to the log

  /**
   * @param maxDeadline longest a GetModelInfo may take (it asks the index), whatever its client set
   * @param maxIngestDeadline the same for an Ingest
   * @param traffic the answered queries TakeTraffic hands out; null in scale-out mode, where it is
   *     refused (FAILED_PRECONDITION) because they go to the traffic topic
   */
  public StudentAdminGrpcService(AdapterStore adapters, CollectionModels models, TowerEncoder towers, EncoderSpec spec,
      int onnxThreads, Ingestor ingestor, Duration maxDeadline, Duration maxIngestDeadline, TrafficRecorder traffic) {
    this.adapters = adapters;
    this.models = models;
    this.towers = towers;
    this.spec = spec;
    this.onnxThreads = onnxThreads;
    this.ingestor = ingestor;
    this.maxDeadline = maxDeadline;
    this.maxIngestDeadline = maxIngestDeadline;
    this.traffic = traffic;
  }

  @Override
  public void takeTraffic(TakeTrafficRequest request, StreamObserver<TakeTrafficResponse> responses) {
    try {
      if (traffic == null) {
        throw DomainException.precondition("this replica sends the queries it answers to the Kafka topic "
            + MeshTopics.TRAFFIC + " (scale-out mode), not to TakeTraffic: a TRAFFIC run reads them there");
      }
      TrafficRecorder.Taken taken = traffic.take(request.getMaxItems(), request.getCollection());
      responses.onNext(ProtoMapping.takeTrafficResponse(taken));
      responses.onCompleted();
    } catch (Exception e) {
      responses.onError(GrpcErrors.toStatus(e));
    }
  }

  @Override
  public void loadAdapter(LoadAdapterRequest request, StreamObserver<AdapterInfo> responses) {
    try {
      Tower tower = ProtoMapping.tower(request.getTower());
      String collection = AdapterStore.checkCollection(request.getCollection());
      if (tower == Tower.RESPONSE) {
        throw DomainException.precondition("the student holds no response adapters: a collection's response adapter"
            + " is the index's projection of it; send the matrix to index-service's Reproject for collection "
            + collection);
      }
      Adapter installed = adapters.install(collection, request.getVersion(), request.getRows(), request.getCols(),
          ProtoMapping.floats(request.getValuesList()), request.getDescription());
      responses.onNext(ProtoMapping.adapterInfo(collection, installed));
      responses.onCompleted();
    } catch (Exception e) {
      responses.onError(GrpcErrors.toStatus(e));
    }
  }

  @Override
  public void getModelInfo(GetModelInfoRequest request, StreamObserver<ModelInfo> responses) {
    try {
      CollectionModels.Listing listing = models.list(request.getCollection(),
          Deadlines.fromGrpc(Deadlines.forCurrentCall(maxDeadline)));
      ModelInfo.Builder info = ModelInfo.newBuilder()
          .setModel(spec.name()).setSource(spec.source()).setDimension(towers.dimension())
          .setMaxTokens(spec.maxTokens()).setPooling(spec.pooling().label()).setNormalize(spec.normalize())
          .setQueryPrefix(spec.queryPrefix()).setPassagePrefix(spec.passagePrefix())
          .setOnnxThreads(onnxThreads)
          .setMaxBatch(towers.batcher().maxBatch())
          .setMaxWaitMicros(towers.batcher().maxWaitMicros())
          .setQueueCapacity(towers.batcher().capacity())
          .setIndexError(listing.indexError());
      for (CollectionModels.Served served : listing.collections()) {
        info.addCollections(ProtoMapping.collectionModel(served));
      }
      responses.onNext(info.build());
      responses.onCompleted();
    } catch (Exception e) {
      responses.onError(GrpcErrors.toStatus(e));
    }
  }

  /**
   * Reads one message at a time (manual flow control): the next message is requested only after
   * the previous one is encoded and handed to the index, so a fast client cannot pile documents
   * up in the student's memory.
   */
  @Override
  public StreamObserver<IngestRequest> ingest(StreamObserver<IngestResponse> responses) {
    return HeaderThenBatches.receiveOneAtATime(responses, new HeaderThenBatches.Steps<IngestRequest, IngestResponse,
        Ingestor.Session>() {
      @Override
      public Ingestor.Session open(IngestRequest first) throws Exception {
        if (first.getCollection().isEmpty()) {
          throw DomainException.invalid("the first Ingest message must name the collection");
        }
        return ingestor.open(first.getCollection(), first.getIndexSpec(),
            Deadlines.fromGrpc(Deadlines.forCurrentCall(maxIngestDeadline)));
      }

      @Override
      public void add(Ingestor.Session session, IngestRequest message) throws Exception {
        if (!message.getCollection().isEmpty() && !message.getCollection().equals(session.collection())) {
          throw HeaderThenBatches.otherCollection("Ingest", session.collection(), message.getCollection());
        }
        session.add(ProtoMapping.documents(message.getDocumentsList()));
      }

      @Override
      public IngestResponse finish(Ingestor.Session session) throws Exception {
        Ingestor.Summary s = session.finish();
        return IngestResponse.newBuilder().setIngested(s.ingested()).setReplaced(s.replaced())
            .setTruncated(s.truncated()).setCreated(s.created()).setLastSequence(s.lastSequence()).build();
      }

      @Override
      public DomainException empty() {
        return DomainException.invalid("Ingest stream was empty; the first message must name the collection");
      }

      @Override
      public void abort(Ingestor.Session session, HeaderThenBatches.Abort why, Throwable cause) {
        session.abort(why == HeaderThenBatches.Abort.CLIENT_WENT_AWAY ? "ingest client went away" : "ingest failed",
            cause);
      }
    });
  }
}
