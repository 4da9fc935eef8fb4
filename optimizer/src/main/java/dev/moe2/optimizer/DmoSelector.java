package dev.moe2.optimizer;

import dev.moe2.optimizer.internal.Evaluator;
import dev.moe2.optimizer.internal.Instance;
import dev.moe2.optimizer.internal.Option;
import dev.moe2.optimizer.internal.PlanScore;
import dev.moe2.optimizer.internal.Plans;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Exact discrete monotonic optimisation (method.md §3; Tuy, Minoux &amp; Hoai-Phuong 2006) by
 * best-first branch-reduce-and-bound over whole devices.
 *
 * <ul>
 *   <li>Reduce: a model larger than its device is no candidate; a mode above the power cap is no
 *       option; nor is a mode where no model meets the budgets of a category G counts on its own
 *       (the device off gives the same G for no more power and one device fewer).
 *   <li>Dominance: G is monotone and a device's power depends on its mode, not its models, so per
 *       device and mode only the <em>maximal</em> model sets that fit its memory are branched on.
 *   <li>Branch on the devices with the most options first: each child fixes one device to off or to
 *       (mode, maximal set).
 *   <li>Bound: G of the polyblock vertex where every unassigned device offers all its candidates in
 *       all modes at once; G is monotone, so it bounds every completion. Tie-break fields get
 *       optimistic bounds too, so the search orders nodes by the full plan order.
 *   <li>Dive first for an early incumbent (the greedy plan when the dive falls short of the root
 *       bound), then best first; stop when the best open node cannot beat the incumbent.
 *   <li>Nodes that tie the incumbent's G get a tighter power bound: a category the assigned devices
 *       cannot serve as well as the vertex does needs another device on.
 *   <li>Identical devices take their options in canonical order (symmetry).
 * </ul>
 *
 * <p>See ADR 0004 for the algorithm, its bound and its limits.
 *
 * <p>Objective evaluations (G of a node) are counted; they are the machine-independent cost.
 */
public final class DmoSelector implements ExpertSelector {

  private final long maxEvaluations;
  private final long maxNanos;
  private final java.util.function.Consumer<Progress> progress;
  private final boolean tieCover;

  /**
   * Where a long search stands (reported about once a second to a {@link #withProgress} listener).
   *
   * @param evaluations objective evaluations so far
   * @param incumbentG G of the best complete plan so far (0: none yet)
   * @param boundG the best G any plan could still reach
   * @param gap {@code (boundG - incumbentG) / boundG}, 0 when proven
   * @param open nodes waiting in the queue
   * @param elapsedNanos wall time so far
   */
  public record Progress(
      long evaluations,
      double incumbentG,
      double boundG,
      double gap,
      int open,
      long elapsedNanos) {}

  /**
   * @param maxEvaluations stop after this many objective evaluations and return the incumbent with
   *     the best open bound (then the answer is not proven optimal)
   */
  public DmoSelector(long maxEvaluations) {
    this(maxEvaluations, null);
  }

  /**
   * @param maxEvaluations as in {@link #DmoSelector(long)}
   * @param maxTime also stop once the search has run this long (wall time; {@code null}: no limit).
   *     The answer is then the incumbent with its proven gap, as for the evaluation budget.
   */
  public DmoSelector(long maxEvaluations, java.time.Duration maxTime) {
    this(maxEvaluations, maxTime, null);
  }

  private DmoSelector(
      long maxEvaluations,
      java.time.Duration maxTime,
      java.util.function.Consumer<Progress> progress) {
    this(maxEvaluations, maxTime, progress, true);
  }

  private DmoSelector(
      long maxEvaluations,
      java.time.Duration maxTime,
      java.util.function.Consumer<Progress> progress,
      boolean tieCover) {
    if (maxEvaluations < 1) {
      throw new IllegalArgumentException(
          "maxEvaluations has value " + maxEvaluations + ": it must be >= 1");
    }
    if (maxTime != null && (maxTime.isNegative() || maxTime.isZero())) {
      throw new IllegalArgumentException("maxTime has value " + maxTime + ": it must be > 0");
    }
    this.maxEvaluations = maxEvaluations;
    this.maxNanos = maxTime == null ? Long.MAX_VALUE : maxTime.toNanos();
    this.progress = progress;
    this.tieCover = tieCover;
  }

  /**
   * The search without the cover bound of tied nodes (ADR 0004, rule 6 as before issue 18): the
   * reference that tests compare the bound's answers with on fleets too large for the oracle.
   */
  static DmoSelector withoutTieCover(long maxEvaluations) {
    return new DmoSelector(maxEvaluations, null, null, false);
  }

  /** The same selector, telling {@code listener} about once a second how the search stands. */
  public DmoSelector withProgress(java.util.function.Consumer<Progress> listener) {
    return new DmoSelector(
        maxEvaluations,
        maxNanos == Long.MAX_VALUE ? null : java.time.Duration.ofNanos(maxNanos),
        listener);
  }

  public DmoSelector() {
    this(Long.MAX_VALUE);
  }

  @Override
  public String name() {
    return "dmo";
  }

  /**
   * A partial plan in the open queue.
   *
   * @param refined whether {@code bound} already holds the power needed to tie the incumbent's G
   *     ({@link #refine}); its children start from it
   */
  private record Node(int depth, Option[] assigned, PlanScore bound, long seq, boolean refined) {
    Node(int depth, Option[] assigned, PlanScore bound, long seq) {
      this(depth, assigned, bound, seq, false);
    }
  }

  @Override
  public Selection select(Problem problem) {
    long start = System.nanoTime();
    Instance in = new Instance(problem);
    Evaluator ev = new Evaluator(in);
    double rootBound = topVertexBound(in, ev, new int[in.candidates]);
    @SuppressWarnings("unchecked")
    List<Option>[] options = new List[in.devices];
    try {
      boolean[][] useful = usefulModes(in);
      for (int d = 0; d < in.devices; d++) {
        int device = d;
        options[d] =
            in.maximalOptions(d).stream()
                .filter(
                    o ->
                        !o.on()
                            || useful[device][o.mode()]
                            || in.modePower(device, o.mode()) < in.idlePower(device))
                .toList();
      }
    } catch (Instance.TooManyOptionsException e) {
      // Exact search is out of reach: answer with the greedy plan and the root bound.
      Selection greedy = new GreedySelector().select(problem);
      return withBound(greedy, rootBound, ev.evaluations() + greedy.evaluations(), start, false);
    }
    Search search = new Search(in, ev, options, rootBound, tieCover);
    long deadline = maxNanos == Long.MAX_VALUE ? Long.MAX_VALUE : start + maxNanos;
    search.limit(maxEvaluations, deadline, progress, start);
    search.dive(problem);
    boolean finished = search.run();
    long evaluations = ev.evaluations() + search.greedyEvaluations;
    Node incumbent = search.incumbent;
    double upper;
    if (finished) {
      upper = incumbent == null ? 0 : incumbent.bound().g();
    } else {
      Node best = search.open.peek();
      upper =
          Math.max(
              best == null ? 0 : best.bound().g(), incumbent == null ? 0 : incumbent.bound().g());
    }
    if (incumbent == null) {
      // Stopped before any complete plan: answer with the greedy plan and the best open bound.
      Selection greedy = new GreedySelector().select(problem);
      return withBound(greedy, upper, evaluations + greedy.evaluations(), start, false);
    }
    return Plans.selection(
        name(),
        in,
        ev,
        incumbent.assigned(),
        upper,
        finished,
        evaluations,
        System.nanoTime() - start);
  }

  /** One run of the branch-and-bound: its fixed tables, its open queue and its incumbent. */
  private static final class Search {
    private final Instance in;
    private final Evaluator ev;
    private final List<Option>[] options;
    private final int devices;

    /** Branching order = canonical device order (more placement choices first, then id). */
    private final int[] order;

    /** Optimistic tie-break fields for the unassigned suffix order[i..D-1]. */
    private final double[] restPower;

    private final int[] restResident;
    private final int[][] runnableFrom;
    private final int[] twin;
    private final double[] minOption;
    private final double[][] serving;
    private final boolean tieCover;

    /** Built on the first tied node (its root tests cost time a search without ties need not). */
    private TieCover cover;

    private final int[] maxFit;
    private final int[] fits;
    private final int[] buffer;
    final PriorityQueue<Node> open;
    Node incumbent;
    long greedyEvaluations;
    private long seq;
    private final double rootBound;
    private long maxEvaluations = Long.MAX_VALUE;
    private long deadlineNanos = Long.MAX_VALUE;
    private java.util.function.Consumer<Progress> progress;
    private long start;
    private long lastReport;

    void limit(
        long maxEvaluations,
        long deadlineNanos,
        java.util.function.Consumer<Progress> progress,
        long start) {
      this.maxEvaluations = maxEvaluations;
      this.deadlineNanos = deadlineNanos;
      this.progress = progress;
      this.start = start;
      this.lastReport = start;
    }

    /** The evaluation budget or the time is spent: no further expansion. */
    private boolean spent() {
      return ev.evaluations() + greedyEvaluations >= maxEvaluations
          || deadlineNanos != Long.MAX_VALUE && System.nanoTime() - deadlineNanos > 0;
    }

    private void report(double boundG) {
      if (progress == null) {
        return;
      }
      long now = System.nanoTime();
      if (now - lastReport < 1_000_000_000L) {
        return;
      }
      lastReport = now;
      double inc = incumbent == null ? 0 : incumbent.bound().g();
      double bound = Math.max(boundG, inc);
      progress.accept(
          new Progress(
              ev.evaluations() + greedyEvaluations,
              inc,
              bound,
              bound <= 0 ? 0 : Math.max(0, (bound - inc) / bound),
              open.size(),
              now - start));
    }

    Search(Instance in, Evaluator ev, List<Option>[] options, double rootBound, boolean tieCover) {
      this.in = in;
      this.ev = ev;
      this.options = options;
      this.devices = in.devices;
      this.order = in.canonicalOrder;
      this.rootBound = rootBound;
      this.buffer = new int[in.candidates];
      this.restPower = new double[devices + 1];
      this.restResident = new int[devices + 1];
      this.runnableFrom = new int[devices + 1][in.models];
      for (int i = devices - 1; i >= 0; i--) {
        int d = order[i];
        double minPower = options[d].stream().mapToDouble(Option::powerW).min().orElse(0);
        restPower[i] = restPower[i + 1] + minPower;
        restResident[i] =
            restResident[i + 1] + options[d].stream().mapToInt(Option::count).max().orElse(0);
        runnableFrom[i] = runnableFrom[i + 1].clone();
        boolean[] hosts = new boolean[in.models];
        for (int n : in.deviceCandidates[d]) {
          hosts[in.candModel[n]] = true;
        }
        for (int m = 0; m < in.models; m++) {
          if (hosts[m]) {
            runnableFrom[i][m]++;
          }
        }
      }
      this.twin = previousTwins(in);
      this.minOption = new double[devices];
      for (int d = 0; d < devices; d++) {
        minOption[d] = options[d].stream().mapToDouble(Option::powerW).min().orElse(0);
      }
      this.serving = servingPower(in);
      this.tieCover = tieCover;
      this.maxFit = new int[devices];
      this.fits = new int[devices];
      for (int d = 0; d < devices; d++) {
        maxFit[d] = options[d].stream().mapToInt(Option::count).max().orElse(0);
      }
      this.open =
          new PriorityQueue<>(
              (a, b) -> {
                int c = a.bound().compareHead(b.bound());
                if (c != 0) {
                  return c;
                }
                if (a.depth() != b.depth()) {
                  return a.depth() > b.depth() ? -1 : 1;
                }
                int p = compareKnown(a.bound().labels(), b.bound().labels());
                return p != 0 ? p : Long.compare(a.seq(), b.seq());
              });
      open.add(
          new Node(
              0,
              new Option[devices],
              new PlanScore(rootBound, restPower[0], 0, 0, restResident[0], new String[devices]),
              seq++));
    }

    /**
     * From the root, always expand the child with the best G bound, preferring devices on (more
     * resident models): a complete plan early, so that ties on G can be pruned by power. Every
     * other child goes into the open queue, so no evaluation is wasted. If the dive falls short of
     * the root bound, the greedy plan may reach it and becomes the incumbent when better.
     */
    void dive(Problem problem) {
      Node node = open.poll();
      while (node != null && node.depth() < devices) {
        if (spent()) {
          // the limit falls inside the dive: finish this plan without branching (one evaluation)
          open.add(node);
          node = completed(node);
          break;
        }
        List<Node> children = children(node);
        Node next = null;
        for (Node child : children) {
          if (next == null || diveOrder(child, next) < 0) {
            next = child;
          }
        }
        for (Node child : children) {
          if (child != next) {
            open.add(child);
          }
        }
        node = next;
      }
      incumbent = node;
      // the greedy plan costs at most one round per device over every option: run it only when
      // that fits what is left of the evaluation budget
      long greedyWorst = 0;
      for (List<Option> o : options) {
        greedyWorst += (long) devices * o.size();
      }
      if ((incumbent == null || incumbent.bound().g() < rootBound)
          && !spent()
          && (maxEvaluations == Long.MAX_VALUE
              || ev.evaluations() + greedyWorst <= maxEvaluations)) {
        Selection greedy = new GreedySelector().select(problem);
        greedyEvaluations = greedy.evaluations();
        Option[] plan = fromPlan(in, greedy.plan());
        Node g = new Node(devices, plan, Plans.score(in, ev, plan), seq++);
        if (incumbent == null || g.bound().compareTo(incumbent.bound()) < 0) {
          incumbent = g;
        }
      }
    }

    /** Best first until no open node can beat the incumbent (true) or the budget is spent. */
    boolean run() {
      while (true) {
        Node node = open.poll();
        if (node == null) {
          return true;
        }
        report(node.bound().g());
        if (node.depth() < devices && spent()) {
          open.add(node);
          return false;
        }
        if (incumbent != null) {
          int h = node.bound().compareHead(incumbent.bound());
          if (h > 0) {
            return true; // no open node can beat the incumbent
          }
          if (h == 0 && compareKnown(node.bound().labels(), incumbent.bound().labels()) > 0) {
            continue; // ties on every field, and its canonical text is already larger
          }
          if (node.depth() < devices && node.bound().g() == incumbent.bound().g() && !tieCover) {
            PlanScore r =
                refine(in, ev, node, buffer, serving, minOption, null, restPower[node.depth()]);
            if (r.compareHead(incumbent.bound()) > 0) {
              continue; // the search before the cover bound (tests compare with it)
            }
          } else if (node.depth() < devices && node.bound().g() == incumbent.bound().g()) {
            if (cover == null) {
              cover = new TieCover(in, ev, maxFit);
            }
            PlanScore r =
                node.refined()
                    ? node.bound()
                    : refine(
                        in, ev, node, buffer, serving, minOption, cover, restPower[node.depth()]);
            int t = fewerResident(r, node, incumbent.bound()).compareHead(incumbent.bound());
            if (t > 0) {
              continue; // to tie the incumbent it must turn on devices that cost too much
            }
            if (t == 0 && compareKnown(node.bound().labels(), incumbent.bound().labels()) > 0) {
              continue; // at best a tie on every field, and its canonical text is already larger
            }
            if (!node.refined()) {
              boolean tighter = r.compareHead(node.bound()) != 0;
              node = new Node(node.depth(), node.assigned(), r, node.seq(), true);
              if (tighter && !open.isEmpty()) {
                // a tighter bound: back in the queue at its place (best first stays best first)
                open.add(node);
                continue;
              }
            }
          }
        }
        if (node.depth() == devices) {
          if (incumbent == null || node.bound().compareTo(incumbent.bound()) < 0) {
            incumbent = node;
          }
          continue;
        }
        for (Node child : children(node)) {
          if (incumbent == null || child.bound().compareHead(incumbent.bound()) <= 0) {
            open.add(child);
          }
        }
      }
    }

    /**
     * A tighter bound on resident models for a node that ties {@code inc} on G, power and devices
     * in use: a completion that ties it turns on exactly {@code inc}'s number of devices (more
     * loses on that tie-break, fewer than the bound's is impossible), so only that many unassigned
     * devices add resident models — at most the ones that hold the most.
     */
    private PlanScore fewerResident(PlanScore b, Node node, PlanScore inc) {
      if (b.g() != inc.g() || b.power() != inc.power() || b.devicesOn() != inc.devicesOn()) {
        return b;
      }
      int on = 0;
      int resident = 0;
      int free = 0;
      for (int d = 0; d < devices; d++) {
        Option o = node.assigned()[d];
        if (o == null) {
          fits[free++] = maxFit[d];
        } else if (o.on()) {
          on++;
          resident += o.count();
        }
      }
      Arrays.sort(fits, 0, free);
      for (int i = 0; i < inc.devicesOn() - on && i < free; i++) {
        resident += fits[free - 1 - i];
      }
      if (resident >= b.resident()) {
        return b;
      }
      return new PlanScore(b.g(), b.power(), b.devicesOn(), b.replicas(), resident, b.labels());
    }

    /**
     * A complete plan from a partial one without branching: each unassigned device, in branching
     * order, takes the option with the most resident models (then the least power) that keeps the
     * plan under the power cap. One objective evaluation.
     */
    private Node completed(Node node) {
      Option[] assigned = node.assigned().clone();
      double power = 0;
      for (Option o : assigned) {
        power += o == null ? 0 : o.powerW();
      }
      for (int i = node.depth(); i < devices; i++) {
        int d = order[i];
        Option best = null;
        for (Option o : options[d]) {
          if (power + o.powerW() + restPower[i + 1] > in.cap) {
            continue;
          }
          if (best == null
              || o.count() > best.count()
              || o.count() == best.count() && o.powerW() < best.powerW()) {
            best = o;
          }
        }
        if (best == null) {
          return null; // nothing fits the cap: the caller falls back on the greedy plan
        }
        assigned[d] = best;
        power += best.powerW();
      }
      return new Node(devices, assigned, Plans.score(in, ev, assigned), seq++);
    }

    /** The children of a node: its next device (in branching order) fixed to each option. */
    private List<Node> children(Node node) {
      int d = order[node.depth()];
      double assignedPower = 0;
      for (Option o : node.assigned()) {
        assignedPower += o == null ? 0 : o.powerW();
      }
      List<Node> children = new java.util.ArrayList<>();
      for (Option o : options[d]) {
        if (assignedPower + o.powerW() + restPower[node.depth() + 1] > in.cap) {
          continue;
        }
        if (twin[d] >= 0 && o.label().compareTo(node.assigned()[twin[d]].label()) < 0) {
          continue; // symmetry: identical devices take their options in canonical order
        }
        Option[] assigned = node.assigned().clone();
        assigned[d] = o;
        PlanScore b = bound(assigned, node.depth() + 1);
        PlanScore pb = node.bound();
        if (node.refined()
            && b.g() == pb.g()
            && (pb.power() > b.power() || pb.devicesOn() > b.devicesOn())) {
          // what the parent needs to tie its G, its completions (the child's among them) need too
          b =
              new PlanScore(
                  b.g(),
                  Math.max(b.power(), pb.power()),
                  Math.max(b.devicesOn(), pb.devicesOn()),
                  b.replicas(),
                  b.resident(),
                  b.labels());
        }
        children.add(new Node(node.depth() + 1, assigned, b, seq++));
      }
      return children;
    }

    /** The optimistic score of a partial plan: G of its polyblock vertex and bounded tie-breaks. */
    private PlanScore bound(Option[] assigned, int depth) {
      int n = 0;
      double power = restPower[depth];
      int on = 0;
      int resident = restResident[depth];
      int[] hosts = runnableFrom[depth].clone();
      String[] labels = new String[in.devices];
      for (int d = 0; d < in.devices; d++) {
        Option o = assigned[d];
        if (o == null) {
          for (int cand : in.deviceCandidates[d]) {
            buffer[n++] = cand;
          }
          continue;
        }
        power += o.powerW();
        labels[in.rank[d]] = o.label();
        if (o.on()) {
          on++;
          resident += o.count();
          for (int m = 0; m < in.models; m++) {
            if ((o.mask() & (1L << m)) != 0) {
              hosts[m]++;
              buffer[n++] = in.candidate(d, o.mode(), m);
            }
          }
        }
      }
      double g = ev.objective(buffer, n);
      int replicas = (int) Arrays.stream(hosts).filter(h -> h >= 2).count();
      return new PlanScore(g, power, on, replicas, resident, labels);
    }
  }

  /** The options of a plan given by mode and model ids. */
  static Option[] fromPlan(Instance in, List<DevicePlan> plan) {
    Option[] options = new Option[in.devices];
    for (int d = 0; d < in.devices; d++) {
      DevicePlan dp = plan.get(d);
      int mode = -1;
      long mask = 0;
      if (dp.on()) {
        for (int p = 0; p < in.device[d].modes().size(); p++) {
          if (in.device[d].modes().get(p).id().equals(dp.modeId())) {
            mode = p;
          }
        }
        for (int m = 0; m < in.models; m++) {
          if (dp.models().contains(in.modelId[m])) {
            mask |= 1L << m;
          }
        }
      }
      options[d] = in.option(d, mode, mask);
    }
    return options;
  }

  /** The dive's preference: higher G bound, then more resident models, then the plan order. */
  private static int diveOrder(Node a, Node b) {
    if (a.bound().g() != b.bound().g()) {
      return a.bound().g() > b.bound().g() ? -1 : 1;
    }
    if (a.bound().resident() != b.bound().resident()) {
      return a.bound().resident() > b.bound().resident() ? -1 : 1;
    }
    return a.bound().compareHead(b.bound());
  }

  private Selection withBound(
      Selection s, double bound, long evaluations, long start, boolean proven) {
    double gap = bound <= 0 ? 0 : Math.max(0, (bound - s.objective()) / bound);
    return new Selection(
        name(),
        s.plan(),
        s.objective(),
        bound,
        gap,
        proven,
        s.categories(),
        evaluations,
        s.sitePowerW(),
        System.nanoTime() - start);
  }

  /**
   * {@code useful[d][p]}: whether some model of device d in mode p meets the budgets of a category
   * that G counts (weight &gt; 0) on its own. A mode where none does adds nothing to any usable
   * set, so G is the same with the device off, which draws no more power and turns one device fewer
   * on: such options are dominated and never branched on.
   */
  static boolean[][] usefulModes(Instance in) {
    boolean[][] useful = new boolean[in.devices][];
    for (int d = 0; d < in.devices; d++) {
      useful[d] = new boolean[in.device[d].modes().size()];
    }
    for (int c = 0; c < in.categories; c++) {
      CategorySpec cs = in.problem.categories().get(c);
      if (!(cs.weight() > 0)) {
        continue;
      }
      double budgetT = cs.delayBudgetS() - in.tagg[c]; // as the evaluator tests it
      for (int n = 0; n < in.candidates; n++) {
        if (!(in.candT[c][n] > budgetT) && !(in.candE[c][n] > cs.energyBudgetJ())) {
          useful[in.candDevice[n]][in.candMode[n]] = true;
        }
      }
    }
    return useful;
  }

  /**
   * {@code serving[d][c]}: the least power device d draws in a mode where some model meets category
   * c's budgets alone; +∞ when none does.
   */
  static double[][] servingPower(Instance in) {
    double[][] serving = new double[in.devices][in.categories];
    for (double[] row : serving) {
      Arrays.fill(row, Double.POSITIVE_INFINITY);
    }
    for (int c = 0; c < in.categories; c++) {
      CategorySpec cs = in.problem.categories().get(c);
      double budgetT = cs.delayBudgetS() - in.tagg[c]; // as the evaluator tests it
      for (int n = 0; n < in.candidates; n++) {
        if (!(in.candT[c][n] > budgetT) && !(in.candE[c][n] > cs.energyBudgetJ())) {
          int d = in.candDevice[n];
          serving[d][c] = Math.min(serving[d][c], in.modePower(d, in.candMode[n]));
        }
      }
    }
    return serving;
  }

  /**
   * A tighter power bound for a node whose G bound ties the incumbent: to reach that G every
   * category must reach its value on the node's polyblock vertex; a category that the assigned
   * devices alone cannot bring there needs an unassigned device on in a mode that serves it. One
   * objective evaluation (of the assigned devices alone).
   */
  private static PlanScore refine(
      Instance in,
      Evaluator ev,
      Node node,
      int[] buffer,
      double[][] serving,
      double[] minOption,
      TieCover cover,
      double restPower) {
    PlanScore b = node.bound();
    Option[] assigned = node.assigned();
    int n = 0;
    for (int d = 0; d < in.devices; d++) {
      if (assigned[d] != null && assigned[d].on()) {
        for (int m = 0; m < in.models; m++) {
          if ((assigned[d].mask() & (1L << m)) != 0) {
            buffer[n++] = in.candidate(d, assigned[d].mode(), m);
          }
        }
      }
    }
    int[] vertex = new int[in.candidates];
    int top = 0;
    for (int d = 0; d < in.devices; d++) {
      if (assigned[d] == null) {
        for (int cand : in.deviceCandidates[d]) {
          vertex[top++] = cand;
        }
      }
    }
    System.arraycopy(buffer, 0, vertex, top, n);
    top += n;
    ev.objective(buffer, n); // counted: the assigned devices alone
    double extra = 0;
    int extraDevices = 0;
    boolean[][] missing = new boolean[in.categories][];
    for (int c = 0; c < in.categories; c++) {
      if (!(in.problem.categories().get(c).weight() > 0)) {
        continue; // G does not count it: a completion need not serve it as the vertex does
      }
      Evaluator.UResult alone = ev.usable(c, buffer, n);
      Evaluator.UResult best = ev.usable(c, vertex, top);
      double aloneF = alone.feasible() ? alone.f() : 0;
      double bestF = best.feasible() ? best.f() : 0;
      if (aloneF < bestF) {
        double need = Double.POSITIVE_INFINITY;
        for (int d = 0; d < in.devices; d++) {
          if (assigned[d] == null) {
            need = Math.min(need, serving[d][c] - minOption[d]);
          }
        }
        extra = Math.max(extra, need);
        extraDevices = 1;
        if (cover != null && bestF == cover.rootF[c]) {
          missing[c] = cover.missing(c, assigned);
        }
      }
    }
    if (extraDevices == 0) {
      return b;
    }
    double[] covered =
        cover == null ? new double[] {0, 0, 0} : cover.extra(missing, assigned, minOption);
    boolean coverBinds =
        cover != null && covered[0] >= extra && covered[0] < Double.POSITIVE_INFINITY;
    extra = Math.max(extra, covered[0]);
    extraDevices = Math.max(extraDevices, (int) Math.min(in.devices, covered[1]));
    // on the node's own bound (its assigned devices and the cheapest option of the others), not on
    // one its parent's refinement already raised: that extra is the same devices' and not added
    // twice
    double power = restPower;
    int on = 0;
    for (Option o : assigned) {
      if (o != null) {
        power += o.powerW();
        on += o.on() ? 1 : 0;
      }
    }
    int resident = b.resident();
    if (coverBinds && power + extra >= b.power()) {
      // a completion at this power spends on the unassigned devices exactly the cover's least
      // power: its devices form a least-power cover (plus any that cost nothing), so it holds at
      // most the most resident models of such a cover
      int bound = (int) covered[2] + cover.free(assigned, minOption);
      for (Option o : assigned) {
        bound += o != null && o.on() ? o.count() : 0;
      }
      resident = Math.min(resident, bound);
    }
    return new PlanScore(
        b.g(),
        Math.max(b.power(), power + extra),
        Math.max(b.devicesOn(), on + extraDevices),
        b.replicas(),
        resident,
        b.labels());
  }

  /**
   * The models a category cannot do without at the G-optimum, and what serving them from the
   * unassigned devices costs at least. When a category's value on a node's vertex equals its value
   * on the root's top vertex, every model whose candidates the top vertex cannot lose without
   * lowering that value (a <em>necessary</em> model) must be in the category's usable set of any
   * completion that ties the incumbent's G — so some device must host it in a mode where it meets
   * the category's budgets alone. Those not hosted so by the assigned devices must be served by
   * unassigned ones: a minimum-cost cover, relaxed to counts (a device in a mode covers at most as
   * many of them as it can hold and serve), solved exactly by a knapsack over the devices.
   */
  static final class TieCover {
    /** Powers this close are the same power (sums of mode powers in another order). */
    private static final double EPS_W = 1e-6;

    final double[] rootF;
    private final Instance in;
    private final boolean[][] necessary;

    /**
     * {@code meets[c][n]}: candidate n meets category c's budgets alone and, when its model is
     * necessary for c, keeps c's value at the root's with every other model's candidates.
     */
    private final boolean[][] meets;

    private final int[] maxFit;

    TieCover(Instance in, Evaluator ev, int[] maxFit) {
      this.in = in;
      int all = in.candidates;
      int[] vertex = new int[all];
      for (int n = 0; n < all; n++) {
        vertex[n] = n;
      }
      rootF = new double[in.categories];
      necessary = new boolean[in.categories][in.models];
      meets = new boolean[in.categories][all];
      int[] without = new int[all];
      for (int c = 0; c < in.categories; c++) {
        CategorySpec cs = in.problem.categories().get(c);
        double budgetT = cs.delayBudgetS() - in.tagg[c]; // as the evaluator tests it
        for (int n = 0; n < all; n++) {
          meets[c][n] = !(in.candT[c][n] > budgetT) && !(in.candE[c][n] > cs.energyBudgetJ());
        }
        Evaluator.UResult top = ev.usable(c, vertex, all);
        rootF[c] = top.feasible() ? top.f() : 0;
        for (int m = 0; m < in.models; m++) {
          int k = 0;
          for (int n = 0; n < all; n++) {
            if (in.candModel[n] != m) {
              without[k++] = n;
            }
          }
          Evaluator.UResult r = ev.usable(c, without, k);
          necessary[c][m] = (r.feasible() ? r.f() : 0) < rootF[c];
          if (!necessary[c][m]) {
            continue;
          }
          // a usable set holds one option per model: a completion that keeps the root's value
          // uses a candidate of m that keeps it on its own, with every other model's candidates;
          // the others cannot stand in for it (same delay and energy: same answer)
          java.util.Map<List<Double>, Boolean> byOption = new java.util.HashMap<>();
          for (int n = 0; n < all; n++) {
            if (in.candModel[n] != m || !meets[c][n]) {
              continue;
            }
            List<Double> key = List.of(in.candT[c][n], in.candE[c][n]);
            Boolean known = byOption.get(key);
            if (known == null) {
              without[k] = n;
              Evaluator.UResult with = ev.usable(c, without, k + 1);
              known = (with.feasible() ? with.f() : 0) >= rootF[c];
              byOption.put(key, known);
            }
            meets[c][n] = known;
          }
        }
      }
      this.maxFit = maxFit;
    }

    /**
     * The necessary models of category {@code c} that no assigned device hosts in a mode where it
     * meets the category's budgets alone and keeps the category's value at the root's (with every
     * other model's candidates); null when there are none.
     */
    boolean[] missing(int c, Option[] assigned) {
      boolean[] missing = necessary[c].clone();
      for (int d = 0; d < in.devices; d++) {
        Option o = assigned[d];
        if (o == null || !o.on()) {
          continue;
        }
        for (int m = 0; m < in.models; m++) {
          if (missing[m] && (o.mask() & (1L << m)) != 0) {
            int n = in.candidate(d, o.mode(), m);
            if (n >= 0 && meets[c][n]) {
              missing[m] = false;
            }
          }
        }
      }
      for (boolean b : missing) {
        if (b) {
          return missing;
        }
      }
      return null;
    }

    /**
     * The least extra power (above each unassigned device's cheapest option) and the fewest
     * unassigned devices that host the {@code missing} models of every category (null: none): a
     * knapsack over the unassigned devices (each off or in one mode), relaxed to counts — a device
     * in a mode covers for a category at most as many of its missing models as it can hold and
     * serve there, and one model it holds counts for every category it serves (so the cover of
     * several categories can cost more than that of any one). Each +∞ when they cannot.
     */
    double[] extra(boolean[][] missing, Option[] assigned, double[] minOption) {
      int cats = 0;
      int[] cat = new int[missing.length];
      int[] need = new int[missing.length];
      int[] radix = new int[missing.length];
      int states = 1;
      for (int c = 0; c < missing.length; c++) {
        if (missing[c] != null) {
          cat[cats] = c;
          need[cats] = count(missing[c]);
          radix[cats] = states;
          states *= need[cats] + 1;
          cats++;
        }
      }
      if (cats == 0) {
        return new double[] {0, 0, 0};
      }
      // sparse: only the states some devices reach (sums of a few cap vectors, saturated)
      double[] power = new double[states];
      double[] devices = new double[states];
      Arrays.fill(power, Double.POSITIVE_INFINITY);
      Arrays.fill(devices, Double.POSITIVE_INFINITY);
      int[] res = new int[states];
      power[0] = 0;
      devices[0] = 0;
      int[] reached = new int[states];
      int count = 1;
      double[] fromPower = new double[states];
      double[] fromDevices = new double[states];
      int[] fromRes = new int[states];
      int[] cap = new int[cats];
      for (int d = 0; d < in.devices; d++) {
        if (assigned[d] != null) {
          continue;
        }
        int before = count;
        for (int r = 0; r < before; r++) { // this device adds to the states before it, once
          fromPower[r] = power[reached[r]];
          fromDevices[r] = devices[reached[r]];
          fromRes[r] = res[reached[r]];
        }
        for (int p = 0; p < in.device[d].modes().size(); p++) {
          boolean any = false;
          for (int i = 0; i < cats; i++) {
            cap[i] = Math.min(maxFit[d], servable(d, p, cat[i], missing[cat[i]]));
            any |= cap[i] > 0;
          }
          if (!any) {
            continue;
          }
          double cost = in.modePower(d, p) - minOption[d];
          for (int r = 0; r < before; r++) {
            int from = reached[r];
            int to = 0;
            for (int i = 0; i < cats; i++) {
              int digit = from / radix[i] % (need[i] + 1);
              to += Math.min(need[i], digit + cap[i]) * radix[i];
            }
            if (power[to] == Double.POSITIVE_INFINITY && devices[to] == Double.POSITIVE_INFINITY) {
              reached[count++] = to;
            }
            double np = fromPower[r] + cost;
            int nr = fromRes[r] + maxFit[d];
            if (np < power[to] - EPS_W) { // cheaper: its resident models replace the others'
              power[to] = np;
              res[to] = nr;
            } else if (np <= power[to] + EPS_W) { // as cheap: the most resident models of both
              power[to] = Math.min(power[to], np);
              res[to] = Math.max(res[to], nr);
            }
            devices[to] = Math.min(devices[to], fromDevices[r] + 1);
          }
        }
      }
      return new double[] {power[states - 1], devices[states - 1], res[states - 1]};
    }

    /** The resident models the unassigned devices that can be on at no extra power could hold. */
    int free(Option[] assigned, double[] minOption) {
      int free = 0;
      for (int d = 0; d < in.devices; d++) {
        if (assigned[d] != null) {
          continue;
        }
        for (int p = 0; p < in.device[d].modes().size(); p++) {
          if (in.modePower(d, p) - minOption[d] <= EPS_W) {
            free += maxFit[d];
            break;
          }
        }
      }
      return free;
    }

    private int servable(int d, int p, int c, boolean[] miss) {
      int k = 0;
      for (int m = 0; m < in.models; m++) {
        if (miss[m]) {
          int n = in.candidate(d, p, m);
          if (n >= 0 && meets[c][n]) {
            k++;
          }
        }
      }
      return k;
    }

    private static int count(boolean[] b) {
      int k = 0;
      for (boolean x : b) {
        k += x ? 1 : 0;
      }
      return k;
    }
  }

  /**
   * For each device, the previous device (in id order) that is identical to it — same memory,
   * modes, idle power, link and rates — or -1. Identical devices can swap options without changing
   * any tie-break field but the canonical text, whose best order is the one where their options are
   * sorted; so the search only keeps that order.
   */
  static int[] previousTwins(Instance in) {
    int[] twin = new int[in.devices];
    java.util.Arrays.fill(twin, -1);
    for (int d = 1; d < in.devices; d++) {
      for (int e = d - 1; e >= 0; e--) {
        if (identical(in, e, d)) {
          twin[d] = e;
          break;
        }
      }
    }
    return twin;
  }

  private static boolean identical(Instance in, int a, int b) {
    DeviceSpec x = in.device[a];
    DeviceSpec y = in.device[b];
    if (x.memoryGiB() != y.memoryGiB()
        || x.idlePowerW() != y.idlePowerW()
        || !x.modes().equals(y.modes())
        || !x.link().equals(y.link())) {
      return false;
    }
    for (ModeSpec mode : x.modes()) {
      for (ModelSpec model : in.problem.models()) {
        if (!java.util.Objects.equals(
            in.problem.rates(x.id(), mode.id(), model.id()),
            in.problem.rates(y.id(), mode.id(), model.id()))) {
          return false;
        }
      }
    }
    return true;
  }

  /** G with every device offering all its candidates in all modes: bounds every valid plan. */
  static double topVertexBound(Instance in, Evaluator ev, int[] buffer) {
    int n = 0;
    for (int d = 0; d < in.devices; d++) {
      for (int cand : in.deviceCandidates[d]) {
        buffer[n++] = cand;
      }
    }
    return ev.objective(buffer, n);
  }

  /**
   * Compares canonical texts in device id order up to the first device either side has not assigned
   * ({@code null}): negative or positive when that decides, 0 when undecided or equal.
   */
  private static int compareKnown(String[] a, String[] b) {
    for (int d = 0; d < a.length; d++) {
      if (a[d] == null || b[d] == null) {
        return 0;
      }
      int c = a[d].compareTo(b[d]);
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }
}
