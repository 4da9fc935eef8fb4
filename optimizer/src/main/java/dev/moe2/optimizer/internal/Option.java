package dev.moe2.optimizer.internal;

/**
 * What one device does in a plan: off ({@code mode == -1}), or a power mode and a set of resident
 * models ({@code mask} over the problem's model order).
 *
 * @param device device index (devices sorted by id)
 * @param mode mode index within the device, or -1 for off
 * @param mask resident models
 * @param powerW what it counts against the site power cap
 * @param count number of resident models
 * @param label canonical text: {@code off} or {@code mode[model,model]} with models sorted by id
 */
public record Option(int device, int mode, long mask, double powerW, int count, String label) {
  public boolean on() {
    return mode >= 0;
  }
}
