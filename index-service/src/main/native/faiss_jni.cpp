// JNI glue between dev.distillmesh.index.faiss.FaissIndex and a faiss::Index.
//
// Rules every function here follows:
//  * A handle is a faiss::Index* cast to jlong; the Java side checks it is open before calling.
//  * Java arrays are copied in and out with Get/Set<Type>ArrayRegion (no pinning across FAISS
//    calls that may run for seconds), and their lengths are checked on the Java side first.
//  * Every C++ exception becomes a dev.distillmesh.index.faiss.FaissException; nothing unwinds
//    through the JVM.
//  * Search parameters travel per call (faiss::SearchParameters*), never by mutating the shared
//    index object, so concurrent searches with different efSearch/nprobe do not race.
#include <jni.h>

#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <faiss/Index.h>
#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexIVF.h>
#include <faiss/impl/FaissException.h>
#include <faiss/index_factory.h>
#include <faiss/index_io.h>

extern "C" void openblas_set_num_threads(int num_threads);

namespace {

constexpr const char* kExceptionClass = "dev/distillmesh/index/faiss/FaissException";

void throwJava(JNIEnv* env, const std::string& message) {
  if (env->ExceptionCheck()) return;  // keep the first pending exception
  jclass cls = env->FindClass(kExceptionClass);
  if (cls != nullptr) env->ThrowNew(cls, message.c_str());
}

// Runs body, converting any C++ exception into a pending Java FaissException.
template <typename F>
auto guarded(JNIEnv* env, const char* what, F body) -> decltype(body()) {
  try {
    return body();
  } catch (const faiss::FaissException& e) {
    throwJava(env, std::string(what) + ": " + e.what());
  } catch (const std::bad_alloc&) {
    throwJava(env, std::string(what) + ": out of native memory");
  } catch (const std::exception& e) {
    throwJava(env, std::string(what) + ": " + e.what());
  } catch (...) {
    throwJava(env, std::string(what) + ": unknown native error");
  }
  return decltype(body())();
}

faiss::Index* asIndex(jlong handle) { return reinterpret_cast<faiss::Index*>(handle); }

std::string toString(JNIEnv* env, jstring s) {
  const char* chars = env->GetStringUTFChars(s, nullptr);
  std::string out(chars == nullptr ? "" : chars);
  if (chars != nullptr) env->ReleaseStringUTFChars(s, chars);
  return out;
}

std::vector<float> copyIn(JNIEnv* env, jfloatArray array, jsize length) {
  std::vector<float> out(static_cast<size_t>(length));
  env->GetFloatArrayRegion(array, 0, length, out.data());
  return out;
}

void setThreads(jint threads) {
  if (threads > 0) omp_set_num_threads(threads);  // per calling thread (OpenMP ICV)
}

}  // namespace

extern "C" {

JNIEXPORT jstring JNICALL Java_dev_distillmesh_index_faiss_FaissNative_nBuildInfo(JNIEnv* env,
                                                                                 jclass) {
  std::string info = "faiss " + std::to_string(FAISS_VERSION_MAJOR) + "." +
                     std::to_string(FAISS_VERSION_MINOR) + "." +
                     std::to_string(FAISS_VERSION_PATCH);
#ifdef __AVX2__
  info += " simd=avx2";
#else
  info += " simd=generic";
#endif
  return env->NewStringUTF(info.c_str());
}

JNIEXPORT void JNICALL Java_dev_distillmesh_index_faiss_FaissNative_nSetBlasThreads(JNIEnv*, jclass,
                                                                                    jint threads) {
  openblas_set_num_threads(threads);
}

JNIEXPORT jlong JNICALL Java_dev_distillmesh_index_faiss_FaissIndex_nCreate(JNIEnv* env, jclass,
                                                                           jint dimension,
                                                                           jstring spec,
                                                                           jint metric) {
  std::string description = toString(env, spec);
  return guarded(env, "create index", [&]() -> jlong {
    faiss::MetricType type = metric == 1 ? faiss::METRIC_L2 : faiss::METRIC_INNER_PRODUCT;
    faiss::Index* index = faiss::index_factory(dimension, description.c_str(), type);
    return reinterpret_cast<jlong>(index);
  });
}

JNIEXPORT jlong JNICALL Java_dev_distillmesh_index_faiss_FaissIndex_nRead(JNIEnv* env, jclass,
                                                                         jstring path) {
  std::string file = toString(env, path);
  return guarded(env, "read index", [&]() -> jlong {
    return reinterpret_cast<jlong>(faiss::read_index(file.c_str()));
  });
}

JNIEXPORT void JNICALL Java_dev_distillmesh_index_faiss_FaissIndex_nWrite(JNIEnv* env, jclass,
                                                                         jlong handle,
                                                                         jstring path) {
  std::string file = toString(env, path);
  guarded(env, "write index", [&]() {
    faiss::write_index(asIndex(handle), file.c_str());
  });
}

JNIEXPORT void JNICALL Java_dev_distillmesh_index_faiss_FaissIndex_nFree(JNIEnv*, jclass,
                                                                        jlong handle) {
  delete asIndex(handle);
}

JNIEXPORT jint JNICALL Java_dev_distillmesh_index_faiss_FaissIndex_nDimension(JNIEnv*, jclass,
                                                                             jlong handle) {
  return static_cast<jint>(asIndex(handle)->d);
}

JNIEXPORT jlong JNICALL Java_dev_distillmesh_index_faiss_FaissIndex_nSize(JNIEnv*, jclass,
                                                                         jlong handle) {
  return static_cast<jlong>(asIndex(handle)->ntotal);
}

JNIEXPORT jint JNICALL Java_dev_distillmesh_index_faiss_FaissIndex_nMetric(JNIEnv*, jclass,
                                                                          jlong handle) {
  return asIndex(handle)->metric_type == faiss::METRIC_L2 ? 1 : 0;
}

JNIEXPORT jboolean JNICALL Java_dev_distillmesh_index_faiss_FaissIndex_nIsTrained(JNIEnv*, jclass,
                                                                                 jlong handle) {
  return asIndex(handle)->is_trained ? JNI_TRUE : JNI_FALSE;
}

// Kind of index, so Java can validate per-request parameters: 0 flat, 1 HNSW, 2 IVF, 3 other.
JNIEXPORT jint JNICALL Java_dev_distillmesh_index_faiss_FaissIndex_nKind(JNIEnv*, jclass,
                                                                        jlong handle) {
  faiss::Index* index = asIndex(handle);
  if (dynamic_cast<faiss::IndexHNSW*>(index) != nullptr) return 1;
  if (dynamic_cast<faiss::IndexIVF*>(index) != nullptr) return 2;
  if (dynamic_cast<faiss::IndexFlat*>(index) != nullptr) return 0;
  return 3;
}

JNIEXPORT jint JNICALL Java_dev_distillmesh_index_faiss_FaissIndex_nNlist(JNIEnv*, jclass,
                                                                         jlong handle) {
  auto* ivf = dynamic_cast<faiss::IndexIVF*>(asIndex(handle));
  return ivf == nullptr ? 0 : static_cast<jint>(ivf->nlist);
}

JNIEXPORT void JNICALL Java_dev_distillmesh_index_faiss_FaissIndex_nSetEfConstruction(
    JNIEnv* env, jclass, jlong handle, jint efConstruction) {
  guarded(env, "set efConstruction", [&]() {
    auto* hnsw = dynamic_cast<faiss::IndexHNSW*>(asIndex(handle));
    if (hnsw == nullptr) throw std::invalid_argument("not an HNSW index");
    hnsw->hnsw.efConstruction = efConstruction;
  });
}

JNIEXPORT void JNICALL Java_dev_distillmesh_index_faiss_FaissIndex_nTrain(JNIEnv* env, jclass,
                                                                         jlong handle, jint n,
                                                                         jfloatArray vectors,
                                                                         jint threads) {
  faiss::Index* index = asIndex(handle);
  std::vector<float> x = copyIn(env, vectors, n * static_cast<jsize>(index->d));
  guarded(env, "train", [&]() {
    setThreads(threads);
    index->train(n, x.data());
  });
}

JNIEXPORT void JNICALL Java_dev_distillmesh_index_faiss_FaissIndex_nAdd(JNIEnv* env, jclass,
                                                                       jlong handle, jint n,
                                                                       jfloatArray vectors,
                                                                       jint threads) {
  faiss::Index* index = asIndex(handle);
  std::vector<float> x = copyIn(env, vectors, n * static_cast<jsize>(index->d));
  guarded(env, "add", [&]() {
    setThreads(threads);
    index->add(n, x.data());
  });
}

// Searches n queries. kind/param select the per-request parameter: efSearch for HNSW, nprobe for
// IVF (0 = index default). Results go to distances[n*k] and labels[n*k] (-1 = no result).
JNIEXPORT void JNICALL Java_dev_distillmesh_index_faiss_FaissIndex_nSearch(
    JNIEnv* env, jclass, jlong handle, jint n, jfloatArray queries, jint k, jint efSearch,
    jint nprobe, jint threads, jfloatArray distancesOut, jlongArray labelsOut) {
  faiss::Index* index = asIndex(handle);
  std::vector<float> x = copyIn(env, queries, n * static_cast<jsize>(index->d));
  const size_t total = static_cast<size_t>(n) * static_cast<size_t>(k);
  // FAISS 1.7.3's HNSW::search sizes its candidate queue with max(hnsw.efSearch, k), i.e. the
  // index's own efSearch, and reads SearchParametersHNSW::efSearch only in its stopping rule
  // (fixed upstream in 1.8.0, facebookresearch/faiss#3233). Asking for max(k, efSearch) results
  // and keeping the best k gives the queue its requested size without touching shared state.
  jint searchK = k;
  std::vector<float> distances;
  std::vector<faiss::Index::idx_t> labels;
  bool ok = guarded(env, "search", [&]() -> bool {
    setThreads(threads);
    faiss::SearchParametersHNSW hnswParams;
    faiss::SearchParametersIVF ivfParams;
    const faiss::SearchParameters* params = nullptr;
    if (auto* hnsw = dynamic_cast<faiss::IndexHNSW*>(index)) {
      hnswParams.efSearch = efSearch > 0 ? efSearch : hnsw->hnsw.efSearch;
      searchK = std::max(k, static_cast<jint>(hnswParams.efSearch));
      params = &hnswParams;
    } else if (auto* ivf = dynamic_cast<faiss::IndexIVF*>(index)) {
      ivfParams.nprobe = nprobe > 0 ? nprobe : ivf->nprobe;
      params = &ivfParams;
    }
    const size_t searched = static_cast<size_t>(n) * static_cast<size_t>(searchK);
    distances.resize(searched);
    labels.resize(searched);
    index->search(n, x.data(), searchK, distances.data(), labels.data(), params);
    return true;
  });
  if (!ok) return;
  std::vector<float> bestDistances(total);
  std::vector<jlong> bestLabels(total);
  for (size_t q = 0; q < static_cast<size_t>(n); q++) {  // each row is sorted best first
    for (size_t r = 0; r < static_cast<size_t>(k); r++) {
      bestDistances[q * k + r] = distances[q * searchK + r];
      bestLabels[q * k + r] = labels[q * searchK + r];
    }
  }
  env->SetFloatArrayRegion(distancesOut, 0, static_cast<jsize>(total), bestDistances.data());
  env->SetLongArrayRegion(labelsOut, 0, static_cast<jsize>(total), bestLabels.data());
}

JNIEXPORT void JNICALL Java_dev_distillmesh_index_faiss_FaissIndex_nReconstruct(
    JNIEnv* env, jclass, jlong handle, jlong slot, jfloatArray out) {
  faiss::Index* index = asIndex(handle);
  std::vector<float> v(static_cast<size_t>(index->d));
  bool ok = guarded(env, "reconstruct", [&]() -> bool {
    index->reconstruct(slot, v.data());
    return true;
  });
  if (ok) env->SetFloatArrayRegion(out, 0, static_cast<jsize>(index->d), v.data());
}

// Copies the stored vectors of slots [first, first+n) into out[n*d] (exact for Flat storage).
JNIEXPORT void JNICALL Java_dev_distillmesh_index_faiss_FaissIndex_nReconstructRange(
    JNIEnv* env, jclass, jlong handle, jlong first, jint n, jfloatArray out) {
  faiss::Index* index = asIndex(handle);
  const size_t total = static_cast<size_t>(n) * static_cast<size_t>(index->d);
  std::vector<float> v(total);
  bool ok = guarded(env, "reconstruct range", [&]() -> bool {
    index->reconstruct_n(first, n, v.data());
    return true;
  });
  if (ok) env->SetFloatArrayRegion(out, 0, static_cast<jsize>(total), v.data());
}

}  // extern "C"
