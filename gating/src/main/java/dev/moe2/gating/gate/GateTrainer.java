package dev.moe2.gating.gate;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Trains a {@link Gate} against recorded expert scores with binary cross-entropy on soft targets
 * (each score in [0, 1] is the target of that expert's sigmoid): mini-batch Adam, seeded
 * initialisation and shuffling, L2 weight decay, early stopping on a held-out validation split (the
 * best epoch's weights are kept). Small and dependency-free on purpose (see ADR 0006).
 *
 * @param hidden hidden units
 * @param learningRate Adam step size
 * @param batchSize examples per step
 * @param maxEpochs upper bound on epochs
 * @param patience epochs without validation improvement before stopping
 * @param validationFraction share of the examples held out for early stopping
 * @param l2 weight decay
 * @param seed seed of initialisation, split and shuffling
 */
public record GateTrainer(
    int hidden,
    double learningRate,
    int batchSize,
    int maxEpochs,
    int patience,
    double validationFraction,
    double l2,
    long seed) {

  public GateTrainer {
    if (hidden < 1 || batchSize < 1 || maxEpochs < 1 || patience < 1) {
      throw new IllegalArgumentException(
          "hidden, batchSize, maxEpochs and patience must be >= 1, got "
              + hidden
              + ", "
              + batchSize
              + ", "
              + maxEpochs
              + ", "
              + patience);
    }
    if (!(learningRate > 0) || !(validationFraction > 0 && validationFraction < 1) || l2 < 0) {
      throw new IllegalArgumentException(
          "learningRate must be > 0, validationFraction in (0, 1) and l2 >= 0, got "
              + learningRate
              + ", "
              + validationFraction
              + ", "
              + l2);
    }
  }

  /** Defaults that work for 384-d sentence embeddings and a handful of experts. */
  public static GateTrainer defaults(long seed) {
    return new GateTrainer(64, 1e-3, 64, 200, 10, 0.15, 1e-4, seed);
  }

  /** What a training run did. */
  public record Report(int epochs, int bestEpoch, double trainLoss, double validationLoss) {}

  /** A trained gate and its report. */
  public record Result(Gate gate, Report report) {}

  /**
   * @param x embeddings, one per prompt
   * @param y recorded scores, {@code y[i][e]} in [0, 1] for expert e on prompt i
   */
  public Result train(List<float[]> x, double[][] y, List<String> experts, String encoderId) {
    int n = x.size();
    if (n < 10 || y.length != n) {
      throw new IllegalArgumentException(
          "need at least 10 examples with one score row each, got " + n + " and " + y.length);
    }
    int dim = x.get(0).length;
    int outs = experts.size();
    SplittableRandom random = new SplittableRandom(seed);
    int[] order = permutation(n, random);
    int validation = Math.max(1, (int) Math.round(n * validationFraction));
    int[] valIdx = java.util.Arrays.copyOfRange(order, 0, validation);
    int[] trainIdx = java.util.Arrays.copyOfRange(order, validation, n);

    Params p = new Params(dim, hidden, outs, random);
    Params best = p.copy();
    Adam adam = new Adam(p);
    double bestLoss = Double.POSITIVE_INFINITY;
    int bestEpoch = 0;
    int epoch = 0;
    double trainLoss = Double.NaN;
    for (epoch = 1; epoch <= maxEpochs; epoch++) {
      shuffle(trainIdx, random);
      double sum = 0;
      for (int start = 0; start < trainIdx.length; start += batchSize) {
        int end = Math.min(trainIdx.length, start + batchSize);
        Params grad = new Params(dim, hidden, outs, null);
        for (int k = start; k < end; k++) {
          sum += p.backward(x.get(trainIdx[k]), y[trainIdx[k]], grad);
        }
        adam.step(p, grad, end - start, learningRate, l2);
      }
      trainLoss = sum / trainIdx.length;
      double valLoss = 0;
      for (int i : valIdx) {
        valLoss += p.loss(x.get(i), y[i]);
      }
      valLoss /= valIdx.length;
      if (valLoss < bestLoss - 1e-6) {
        bestLoss = valLoss;
        bestEpoch = epoch;
        best = p.copy();
      } else if (epoch - bestEpoch >= patience) {
        break;
      }
    }
    Gate gate = new Gate(encoderId, experts, dim, hidden, best.w1, best.b1, best.w2, best.b2);
    return new Result(gate, new Report(Math.min(epoch, maxEpochs), bestEpoch, trainLoss, bestLoss));
  }

  private static int[] permutation(int n, SplittableRandom random) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    shuffle(a, random);
    return a;
  }

  private static void shuffle(int[] a, SplittableRandom random) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  /** Weights (or their gradients, or Adam moments) of the MLP. */
  private static final class Params {
    final float[][] w1;
    final float[] b1;
    final float[][] w2;
    final float[] b2;

    Params(int dim, int hidden, int outs, SplittableRandom init) {
      w1 = new float[hidden][dim];
      b1 = new float[hidden];
      w2 = new float[outs][hidden];
      b2 = new float[outs];
      if (init != null) {
        double s1 = Math.sqrt(2.0 / dim);
        double s2 = Math.sqrt(1.0 / hidden);
        for (float[] row : w1) {
          for (int i = 0; i < row.length; i++) {
            row[i] = (float) (gaussian(init) * s1);
          }
        }
        for (float[] row : w2) {
          for (int i = 0; i < row.length; i++) {
            row[i] = (float) (gaussian(init) * s2);
          }
        }
      }
    }

    private static double gaussian(SplittableRandom r) {
      double u = 1 - r.nextDouble();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    Params copy() {
      Params c = new Params(w1[0].length, w1.length, w2.length, null);
      for (int j = 0; j < w1.length; j++) {
        c.w1[j] = w1[j].clone();
      }
      for (int e = 0; e < w2.length; e++) {
        c.w2[e] = w2[e].clone();
      }
      System.arraycopy(b1, 0, c.b1, 0, b1.length);
      System.arraycopy(b2, 0, c.b2, 0, b2.length);
      return c;
    }

    double[] hidden(float[] x) {
      double[] h = new double[w1.length];
      for (int j = 0; j < w1.length; j++) {
        double z = b1[j];
        float[] row = w1[j];
        for (int i = 0; i < row.length; i++) {
          z += row[i] * x[i];
        }
        h[j] = Math.max(0, z);
      }
      return h;
    }

    double loss(float[] x, double[] y) {
      double[] h = hidden(x);
      double loss = 0;
      for (int e = 0; e < w2.length; e++) {
        double z = b2[e];
        for (int j = 0; j < h.length; j++) {
          z += w2[e][j] * h[j];
        }
        loss += bce(z, y[e]);
      }
      return loss / w2.length;
    }

    /** Adds the gradient of one example's loss to {@code g}; returns the loss. */
    double backward(float[] x, double[] y, Params g) {
      double[] h = hidden(x);
      double[] dh = new double[h.length];
      double loss = 0;
      for (int e = 0; e < w2.length; e++) {
        double z = b2[e];
        for (int j = 0; j < h.length; j++) {
          z += w2[e][j] * h[j];
        }
        loss += bce(z, y[e]);
        double dz = (Gate.sigmoid(z) - y[e]) / w2.length;
        g.b2[e] += (float) dz;
        for (int j = 0; j < h.length; j++) {
          g.w2[e][j] += (float) (dz * h[j]);
          dh[j] += dz * w2[e][j];
        }
      }
      for (int j = 0; j < h.length; j++) {
        if (h[j] <= 0) {
          continue;
        }
        g.b1[j] += (float) dh[j];
        float[] row = g.w1[j];
        for (int i = 0; i < row.length; i++) {
          row[i] += (float) (dh[j] * x[i]);
        }
      }
      return loss / w2.length;
    }

    /** Numerically stable BCE of sigmoid(z) against a soft target. */
    static double bce(double z, double y) {
      return Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z)));
    }
  }

  /** Adam optimiser state. */
  private static final class Adam {
    private final Params m;
    private final Params v;
    private int t;

    Adam(Params shape) {
      m = new Params(shape.w1[0].length, shape.w1.length, shape.w2.length, null);
      v = new Params(shape.w1[0].length, shape.w1.length, shape.w2.length, null);
    }

    void step(Params p, Params g, int batch, double lr, double l2) {
      t++;
      double c1 = 1 - Math.pow(0.9, t);
      double c2 = 1 - Math.pow(0.999, t);
      for (int j = 0; j < p.w1.length; j++) {
        update(p.w1[j], g.w1[j], m.w1[j], v.w1[j], batch, lr, l2, c1, c2);
      }
      update(p.b1, g.b1, m.b1, v.b1, batch, lr, 0, c1, c2);
      for (int e = 0; e < p.w2.length; e++) {
        update(p.w2[e], g.w2[e], m.w2[e], v.w2[e], batch, lr, l2, c1, c2);
      }
      update(p.b2, g.b2, m.b2, v.b2, batch, lr, 0, c1, c2);
    }

    private static void update(
        float[] w,
        float[] g,
        float[] m,
        float[] v,
        int batch,
        double lr,
        double l2,
        double c1,
        double c2) {
      for (int i = 0; i < w.length; i++) {
        double grad = g[i] / batch + l2 * w[i];
        m[i] = (float) (0.9 * m[i] + 0.1 * grad);
        v[i] = (float) (0.999 * v[i] + 0.001 * grad * grad);
        w[i] -= (float) (lr * (m[i] / c1) / (Math.sqrt(v[i] / c2) + 1e-8));
      }
    }
  }
}
