package dev.distillmesh.teacher.triton;

import dev.distillmesh.common.DomainException;
import dev.distillmesh.common.DomainException.Kind;
import dev.distillmesh.proto.kserve.ModelMetadataResponse;
import dev.distillmesh.teacher.TeacherModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether Triton can serve each configured model now: the model-role registry (scorer, selector,
 * generator, each with its {@link ModelContract}) and a background poller that asks Triton for
 * ServerReady, then ModelReady of every configured model, and checks each model's ModelMetadata
 * against its contract until it has passed once. A failed check makes the model not ready, with the
 * reason kept for the errors of requests that need it.
 *
 * <p>Reads ({@link #ready}, {@link #models}, {@link #requireReady}) are cheap: they see the states
 * of the last poll through one volatile reference. Polls are serialised by this object's monitor,
 * which also guards {@code contractProblems}. {@link #close} stops the poller.
 */
final class TritonReadiness implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TritonReadiness.class);
  private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(2);

  /** A configured model's readiness at the last poll, and why it is not ready. */
  private record ModelState(boolean ready, String reason) {}

  private final TritonClient client;
  private final TritonSettings settings;
  private final Map<String, String> modelsByRole = new LinkedHashMap<>();
  private final Map<String, ModelContract> contractsByRole = new HashMap<>();
  private final Map<String, List<String>> contractProblems = new HashMap<>(); // guarded by this
  private final ScheduledExecutorService poller;
  private volatile Map<String, ModelState> states;
  private boolean lastReady; // guarded by this

  /** Registers the models {@code settings} configures and starts polling every {@code pollInterval}. */
  TritonReadiness(TritonClient client, TritonSettings settings) {
    this.client = client;
    this.settings = settings;
    modelsByRole.put("scorer", settings.scorerModel());
    contractsByRole.put("scorer", ModelContract.SCORER);
    if (settings.hasSelector()) {
      modelsByRole.put("selector", settings.selectorModel());
      contractsByRole.put("selector", ModelContract.SELECTOR);
    }
    if (settings.hasGenerator()) {
      modelsByRole.put("generator", settings.generatorModel());
      contractsByRole.put("generator", ModelContract.GENERATOR);
    }
    Map<String, ModelState> initial = new HashMap<>();
    modelsByRole.values().forEach(m -> initial.put(m, new ModelState(false,
        "readiness of model '" + m + "' on Triton at " + settings.target() + " has not been checked yet")));
    this.states = initial;
    this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "triton-readiness");
      t.setDaemon(true);
      return t;
    });
    poller.scheduleWithFixedDelay(this::pollQuietly, 0, settings.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Every configured model with its role and its readiness at the last poll, scorer first. */
  List<TeacherModel> models() {
    Map<String, ModelState> now = states;
    List<TeacherModel> models = new ArrayList<>();
    modelsByRole.forEach((role, model) -> models.add(new TeacherModel(model, role, 0f,
        "triton:" + model + "@" + settings.target(), now.get(model).ready())));
    return models;
  }

  /** True when, at the last poll, the server and every configured model were ready. */
  boolean ready() {
    return states.values().stream().allMatch(ModelState::ready);
  }

  /** @throws DomainException UNAVAILABLE, saying why, unless {@code model} was ready at the last poll */
  void requireReady(String model) {
    ModelState state = states.get(model);
    if (!state.ready()) {
      throw new DomainException(Kind.UNAVAILABLE, "Triton at " + settings.target() + ", model '" + model
          + "', is not ready: " + state.reason());
    }
  }

  /** Polls now (the poller calls this every {@code pollInterval}). */
  synchronized void refresh() {
    Duration timeout = HEALTH_TIMEOUT.compareTo(settings.callTimeout()) < 0 ? HEALTH_TIMEOUT : settings.callTimeout();
    String serverProblem = null;
    try {
      if (!client.serverReady(timeout)) {
        serverProblem = "Triton at " + settings.target() + " reports that it is not ready";
      }
    } catch (DomainException e) {
      serverProblem = e.getMessage();
    }
    Map<String, ModelState> next = new HashMap<>();
    for (Map.Entry<String, String> entry : modelsByRole.entrySet()) {
      String model = entry.getValue();
      next.put(model, serverProblem != null ? new ModelState(false, serverProblem)
          : checkModel(entry.getKey(), model, timeout));
    }
    states = next;
    boolean ready = ready();
    if (ready != lastReady) {
      lastReady = ready;
      if (ready) {
        log.info("Triton at {} is ready: {}", settings.target(), modelsByRole.values());
      } else {
        next.values().stream().filter(s -> !s.ready()).findFirst()
            .ifPresent(s -> log.warn("Triton backend not ready: {}", s.reason()));
      }
    }
  }

  @Override
  public void close() {
    poller.shutdownNow();
  }

  private ModelState checkModel(String role, String model, Duration timeout) {
    try {
      if (!client.modelReady(model, timeout)) {
        return new ModelState(false, "model '" + model + "' is not ready on Triton at " + settings.target());
      }
      List<String> problems = contractProblems.get(model);
      if (problems == null || !problems.isEmpty()) {
        ModelMetadataResponse metadata = client.modelMetadata(model, timeout);
        List<String> found = contractsByRole.get(role).problems(metadata);
        if (!found.isEmpty() && !found.equals(problems)) {
          log.warn("Triton at {}: model '{}' does not match the {} contract, so it is treated as not ready: {}",
              settings.target(), model, role, found);
        }
        contractProblems.put(model, found);
        problems = found;
      }
      if (!problems.isEmpty()) {
        return new ModelState(false, "model '" + model + "' on Triton at " + settings.target()
            + " does not match the " + role + " contract: " + String.join("; ", problems));
      }
      return new ModelState(true, "");
    } catch (DomainException e) {
      return new ModelState(false, e.getMessage());
    }
  }

  private void pollQuietly() {
    try {
      refresh();
    } catch (RuntimeException e) { // keep polling
      log.warn("Triton readiness check failed", e);
    }
  }
}
