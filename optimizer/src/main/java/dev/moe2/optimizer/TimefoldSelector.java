package dev.moe2.optimizer;

import ai.timefold.solver.core.api.solver.Solver;
import ai.timefold.solver.core.api.solver.SolverFactory;
import ai.timefold.solver.core.config.heuristic.selector.entity.EntitySelectorConfig;
import ai.timefold.solver.core.config.heuristic.selector.move.composite.UnionMoveSelectorConfig;
import ai.timefold.solver.core.config.heuristic.selector.move.generic.ChangeMoveSelectorConfig;
import ai.timefold.solver.core.config.heuristic.selector.move.generic.SwapMoveSelectorConfig;
import ai.timefold.solver.core.config.localsearch.LocalSearchPhaseConfig;
import ai.timefold.solver.core.config.solver.SolverConfig;
import ai.timefold.solver.core.config.solver.termination.TerminationConfig;
import dev.moe2.optimizer.internal.Evaluator;
import dev.moe2.optimizer.internal.Instance;
import dev.moe2.optimizer.internal.Option;
import dev.moe2.optimizer.internal.Plans;
import dev.moe2.optimizer.timefold.DeviceMode;
import dev.moe2.optimizer.timefold.PlanConstraints;
import dev.moe2.optimizer.timefold.PlanContext;
import dev.moe2.optimizer.timefold.PlanSolution;
import dev.moe2.optimizer.timefold.Residency;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * For fleets too large for exact search: Timefold Solver local search over a power mode per device
 * and a residency flag per (device, model), starting from the greedy plan, with the constraints of
 * {@link PlanConstraints}. It reports its optimality gap against the DMO's best upper bound (a DMO
 * run limited to a number of objective evaluations), so the gap is proven, never negative.
 */
public final class TimefoldSelector implements ExpertSelector {

  private final TerminationConfig termination;
  private final long seed;
  private final long boundEvaluations;

  private TimefoldSelector(TerminationConfig termination, long seed, long boundEvaluations) {
    this.termination = termination;
    this.seed = seed;
    if (boundEvaluations < 1) {
      throw new IllegalArgumentException(
          "boundEvaluations has value " + boundEvaluations + ": it must be >= 1");
    }
    this.boundEvaluations = boundEvaluations;
  }

  /**
   * Stops after {@code limit} of wall time, or earlier after {@code unimproved} of no improvement.
   * Not reproducible across machines (time-based).
   */
  public static TimefoldSelector withTimeLimit(Duration limit, Duration unimproved, long seed) {
    Objects.requireNonNull(limit, "limit");
    Objects.requireNonNull(unimproved, "unimproved");
    return new TimefoldSelector(
        new TerminationConfig().withSpentLimit(limit).withUnimprovedSpentLimit(unimproved),
        seed,
        2_000);
  }

  /**
   * Stops after {@code steps} local-search steps: reproducible for a seed (a 60 s wall-time guard
   * stops a run that would take longer).
   */
  public static TimefoldSelector withStepLimit(int steps, long seed) {
    return new TimefoldSelector(
        new TerminationConfig().withStepCountLimit(steps).withSpentLimit(Duration.ofSeconds(60)),
        seed,
        2_000);
  }

  /** The same selector with another budget for the DMO bound it reports its gap against. */
  public TimefoldSelector withBoundEvaluations(long evaluations) {
    return new TimefoldSelector(termination, seed, evaluations);
  }

  @Override
  public String name() {
    return "timefold";
  }

  @Override
  public Selection select(Problem problem) {
    long start = System.nanoTime();
    Selection greedy = new GreedySelector().select(problem);
    Instance in = new Instance(problem);
    Evaluator ev = new Evaluator(in);
    PlanSolution initial = initialSolution(in, ev, greedy);
    SolverConfig config =
        new SolverConfig()
            .withSolutionClass(PlanSolution.class)
            .withEntityClasses(DeviceMode.class, Residency.class)
            .withConstraintProviderClass(PlanConstraints.class)
            .withRandomSeed(seed)
            .withTerminationConfig(termination)
            .withPhases(localSearch());
    Solver<PlanSolution> solver = SolverFactory.<PlanSolution>create(config).buildSolver();
    PlanSolution best = solver.solve(initial);
    Option[] plan =
        best.getScore() != null && best.getScore().hardScore() == 0
            ? toPlan(in, best)
            : toPlan(in, initial); // never worse than the valid greedy start
    long evaluations = ev.evaluations() + greedy.evaluations();
    Selection dmo = new DmoSelector(boundEvaluations).select(problem);
    Selection s =
        Plans.selection(
            name(), in, ev, plan, dmo.upperBound(), false, evaluations, System.nanoTime() - start);
    boolean proven = s.gap() == 0 && dmo.provenOptimal();
    return new Selection(
        s.selector(),
        s.plan(),
        s.objective(),
        s.upperBound(),
        s.gap(),
        proven,
        s.categories(),
        s.evaluations(),
        s.sitePowerW(),
        s.elapsedNanos());
  }

  /**
   * Local search from the (complete) greedy start: change a device's mode, flip a residency, or
   * swap two residencies (replace one model by another on a device, or move a model between
   * devices).
   */
  private static LocalSearchPhaseConfig localSearch() {
    return new LocalSearchPhaseConfig()
        .withMoveSelectorConfig(
            new UnionMoveSelectorConfig(
                    List.of(
                        new ChangeMoveSelectorConfig()
                            .withEntitySelectorConfig(new EntitySelectorConfig(DeviceMode.class)),
                        new ChangeMoveSelectorConfig()
                            .withEntitySelectorConfig(new EntitySelectorConfig(Residency.class)),
                        new SwapMoveSelectorConfig()
                            .withEntitySelectorConfig(new EntitySelectorConfig(Residency.class))))
                // A step that accepts none of this many moves ends the phase (at a local optimum)
                // instead of searching forever.
                .withSelectedCountLimit(2_000L));
  }

  private static PlanSolution initialSolution(Instance in, Evaluator ev, Selection greedy) {
    List<DeviceMode> modes = new ArrayList<>();
    List<Residency> residencies = new ArrayList<>();
    for (int d = 0; d < in.devices; d++) {
      DeviceSpec spec = in.device[d];
      DevicePlan planned = greedy.plan().get(d);
      int modeCount = spec.modes().size();
      long[] extra = new long[modeCount];
      int startMode = 0;
      for (int p = 0; p < modeCount; p++) {
        extra[p] = Math.round((in.modePower(d, p) - in.idlePower(d)) * 1000);
        if (spec.modes().get(p).id().equals(planned.modeId())) {
          startMode = p;
        }
      }
      modes.add(
          new DeviceMode(spec.id(), d, Math.round(spec.memoryGiB() * 1024), extra, startMode));
      for (int m = 0; m < in.models; m++) {
        int[] byMode = new int[modeCount];
        boolean any = false;
        for (int p = 0; p < modeCount; p++) {
          byMode[p] = in.candidate(d, p, m);
          any |= byMode[p] >= 0;
        }
        if (!any) {
          continue;
        }
        long memory = Math.round(in.problem.models().get(m).memoryGiB() * 1024);
        boolean resident = planned.models().contains(in.modelId[m]);
        residencies.add(
            new Residency(spec.id() + "/" + in.modelId[m], d, m, memory, byMode, resident));
      }
    }
    int modeCount = 0;
    for (DeviceSpec spec : in.device) {
      modeCount = Math.max(modeCount, spec.modes().size());
    }
    return new PlanSolution(new PlanContext(in, ev), modes, residencies, modeCount);
  }

  private static Option[] toPlan(Instance in, PlanSolution solution) {
    long[] masks = new long[in.devices];
    for (Residency r : solution.getResidencies()) {
      DeviceMode mode = solution.getModes().get(r.getDevice());
      if (r.isResident() && r.candidateIn(mode.getMode()) >= 0) {
        masks[r.getDevice()] |= 1L << r.getModel();
      }
    }
    Option[] plan = new Option[in.devices];
    for (int d = 0; d < in.devices; d++) {
      DeviceMode mode = solution.getModes().get(d);
      plan[d] = in.option(d, mode.modeExists() ? mode.getMode() : -1, masks[d]);
    }
    return plan;
  }
}
