package dev.distillmesh.bench.systems;

import dev.distillmesh.bench.data.Dataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.MMapDirectory;

/**
 * Lucene HNSW: one {@link KnnFloatVectorField} (DOT_PRODUCT) per document in an MMapDirectory
 * under a temp directory, Lucene99HnswVectorsFormat(maxConn = m, beamWidth = efConstruction), the
 * index force-merged to a single segment. Search goes straight to the segment's codec-level HNSW
 * search ({@link LeafReader#searchNearestVectors}, what KnnFloatVectorQuery calls per segment)
 * asking for {@code effort} candidates and keeping the best k, so Lucene's query-rewrite overhead
 * is not counted.
 *
 * <p>Memory: size of the index files (read through mmap, so they occupy page cache while
 * searched) plus the growth of the Java heap across the build.
 */
public final class LuceneHnsw implements AnnSystem {
  private static final String FIELD = "v";
  private static final String ORD = "ord";

  private final HnswParams params;
  private Path dir;
  private MMapDirectory directory;
  private DirectoryReader reader;
  private LeafReader leaf;
  private int[] docToOrd;

  public LuceneHnsw(HnswParams params) {
    this.params = params;
  }

  @Override
  public String name() {
    return "(c) lucene 9.12 hnsw";
  }

  @Override
  public String effortName() {
    return "k'(cands)";
  }

  @Override
  public MemoryUse build(Dataset data) throws Exception {
    long heapBefore = MemoryProbe.heapUsedAfterGc();
    dir = Files.createTempDirectory("distillmesh-bench-lucene-");
    directory = new MMapDirectory(dir);
    ExecutorService mergeExec = Executors.newFixedThreadPool(params.buildThreads());
    ExecutorService addExec = Executors.newFixedThreadPool(params.buildThreads());
    try {
      KnnVectorsFormat format = new Lucene99HnswVectorsFormat(params.m(), params.efConstruction(),
          params.buildThreads(), params.buildThreads() > 1 ? mergeExec : null);
      IndexWriterConfig config = new IndexWriterConfig()
          .setCodec(new Lucene912Codec() {
            @Override
            public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
              return format;
            }
          })
          .setRAMBufferSizeMB(1024)
          .setUseCompoundFile(false);
      try (IndexWriter writer = new IndexWriter(directory, config)) {
        addAll(writer, data, addExec, params.buildThreads());
        writer.commit();
        writer.forceMerge(1);
        writer.commit();
      }
    } finally {
      mergeExec.shutdown();
      addExec.shutdown();
    }
    reader = DirectoryReader.open(directory);
    if (reader.leaves().size() != 1) {
      throw new IllegalStateException("expected one segment, got " + reader.leaves().size());
    }
    leaf = reader.leaves().get(0).reader();
    docToOrd = new int[leaf.maxDoc()];
    NumericDocValues ords = leaf.getNumericDocValues(ORD);
    for (int doc = ords.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = ords.nextDoc()) {
      docToOrd[doc] = (int) ords.longValue();
    }
    long files = MemoryProbe.dirBytes(dir);
    long heap = Math.max(0, MemoryProbe.heapUsedAfterGc() - heapBefore);
    return new MemoryUse(files + heap, String.format("index files %d MB + heap delta %d MB",
        files >> 20, heap >> 20));
  }

  private static void addAll(IndexWriter writer, Dataset data, ExecutorService exec, int threads)
      throws Exception {
    List<Future<?>> parts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int first = t;
      parts.add(exec.submit(() -> {
        for (int i = first; i < data.size(); i += threads) {
          Document doc = new Document();
          doc.add(new KnnFloatVectorField(FIELD, data.base()[i],
              VectorSimilarityFunction.DOT_PRODUCT));
          doc.add(new NumericDocValuesField(ORD, i));
          writer.addDocument(doc);
        }
        return null;
      }));
    }
    for (Future<?> part : parts) {
      part.get();
    }
  }

  @Override
  public int[] search(float[] query, int k, int effort) throws Exception {
    TopDocs top = leaf.searchNearestVectors(FIELD, query, Math.max(k, effort), null,
        Integer.MAX_VALUE);
    ScoreDoc[] docs = top.scoreDocs;
    int[] ids = new int[Math.min(k, docs.length)];
    for (int j = 0; j < ids.length; j++) {
      ids[j] = docToOrd[docs[j].doc];
    }
    return ids;
  }

  @Override
  public void close() throws Exception {
    if (reader != null) {
      reader.close();
    }
    if (directory != null) {
      directory.close();
    }
    if (dir != null) {
      MemoryProbe.deleteRecursively(dir);
    }
  }
}
