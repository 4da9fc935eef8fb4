package dev.moe2.optimizer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * One planning problem (method.md §1, §3): the fleet, the models, how fast each model runs on each
 * device and mode, the categories with their budgets and predicted qualities, and the site power
 * cap. Immutable; build it with {@link #builder()}.
 */
public final class Problem {

  /** Bytes of text per token on the wire (prompt up, answer down), for transmission delay. */
  public static final double DEFAULT_BYTES_PER_TOKEN = 4;

  private final List<DeviceSpec> devices;
  private final List<ModelSpec> models;
  private final Map<String, Rates> rates;
  private final List<CategorySpec> categories;
  private final Double sitePowerCapW;
  private final DelayRule delayRule;
  private final AggregationTime aggregation;
  private final boolean idleDevicesCount;
  private final double bytesPerToken;

  private Problem(Builder b) {
    this.devices = List.copyOf(b.devices);
    this.models = List.copyOf(b.models);
    this.rates = Map.copyOf(b.rates);
    this.categories = List.copyOf(b.categories);
    this.sitePowerCapW = b.sitePowerCapW;
    this.delayRule = b.delayRule;
    this.aggregation = b.aggregation;
    this.idleDevicesCount = b.idleDevicesCount;
    this.bytesPerToken = b.bytesPerToken;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this problem's parts, to change some of them. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.devices.addAll(devices);
    b.models.addAll(models);
    b.rates.putAll(rates);
    b.categories.addAll(categories);
    b.sitePowerCapW = sitePowerCapW;
    b.delayRule = delayRule;
    b.aggregation = aggregation;
    b.idleDevicesCount = idleDevicesCount;
    b.bytesPerToken = bytesPerToken;
    return b;
  }

  public List<DeviceSpec> devices() {
    return devices;
  }

  public List<ModelSpec> models() {
    return models;
  }

  public List<CategorySpec> categories() {
    return categories;
  }

  /** The rates of {@code model} on {@code device} in {@code mode}, or {@code null}: cannot run. */
  public Rates rates(String device, String mode, String model) {
    return rates.get(key(device, mode, model));
  }

  public OptionalDouble sitePowerCapW() {
    return sitePowerCapW == null ? OptionalDouble.empty() : OptionalDouble.of(sitePowerCapW);
  }

  public DelayRule delayRule() {
    return delayRule;
  }

  public AggregationTime aggregation() {
    return aggregation;
  }

  /** Whether a device with no resident model still counts its idle power against the cap. */
  public boolean idleDevicesCount() {
    return idleDevicesCount;
  }

  public double bytesPerToken() {
    return bytesPerToken;
  }

  private static String key(String device, String mode, String model) {
    return device + '\u0000' + mode + '\u0000' + model;
  }

  /** Builds and validates a {@link Problem}; every error names the field and the value. */
  public static final class Builder {
    private final List<DeviceSpec> devices = new ArrayList<>();
    private final List<ModelSpec> models = new ArrayList<>();
    private final Map<String, Rates> rates = new HashMap<>();
    private final List<CategorySpec> categories = new ArrayList<>();
    private Double sitePowerCapW;
    private DelayRule delayRule = DelayRule.PARALLEL_MAX;
    private AggregationTime aggregation = AggregationTime.NONE;
    private boolean idleDevicesCount;
    private double bytesPerToken = DEFAULT_BYTES_PER_TOKEN;

    private Builder() {}

    public Builder device(DeviceSpec device) {
      devices.add(Objects.requireNonNull(device, "device"));
      return this;
    }

    public Builder model(ModelSpec model) {
      models.add(Objects.requireNonNull(model, "model"));
      return this;
    }

    public Builder rates(String device, String mode, String model, Rates r) {
      rates.put(key(device, mode, model), Objects.requireNonNull(r, "rates"));
      return this;
    }

    public Builder category(CategorySpec category) {
      categories.add(Objects.requireNonNull(category, "category"));
      return this;
    }

    public Builder categories(List<CategorySpec> all) {
      categories.clear();
      all.forEach(this::category);
      return this;
    }

    /** The site power cap in watts; {@code null} for none. */
    public Builder sitePowerCapW(Double watts) {
      if (watts != null) {
        Checks.positive(watts, "sitePowerCapW");
      }
      this.sitePowerCapW = watts;
      return this;
    }

    public Builder delayRule(DelayRule rule) {
      this.delayRule = Objects.requireNonNull(rule, "delayRule");
      return this;
    }

    public Builder aggregation(AggregationTime time) {
      this.aggregation = Objects.requireNonNull(time, "aggregation");
      return this;
    }

    public Builder idleDevicesCount(boolean count) {
      this.idleDevicesCount = count;
      return this;
    }

    public Builder bytesPerToken(double bytes) {
      this.bytesPerToken = Checks.positive(bytes, "bytesPerToken");
      return this;
    }

    public Problem build() {
      if (devices.isEmpty()) {
        throw new IllegalArgumentException("field 'devices' is empty: a problem needs a device");
      }
      if (models.isEmpty() || models.size() > 63) {
        throw new IllegalArgumentException(
            "field 'models' has " + models.size() + " models: it needs 1 to 63");
      }
      if (categories.isEmpty()) {
        throw new IllegalArgumentException(
            "field 'categories' is empty: a problem needs a category");
      }
      unique(devices.stream().map(DeviceSpec::id).toList(), "devices");
      unique(models.stream().map(ModelSpec::id).toList(), "models");
      unique(categories.stream().map(CategorySpec::id).toList(), "categories");
      for (CategorySpec c : categories) {
        for (int x = 0; x < c.qualities().length; x++) {
          if (c.qualities()[x].length != models.size()) {
            throw new IllegalArgumentException(
                "field 'qualities["
                    + x
                    + "]' of category "
                    + c.id()
                    + " has "
                    + c.qualities()[x].length
                    + " values: it needs one per model ("
                    + models.size()
                    + ")");
          }
        }
      }
      var known = new HashSet<String>();
      for (DeviceSpec d : devices) {
        for (ModeSpec m : d.modes()) {
          for (ModelSpec model : models) {
            known.add(key(d.id(), m.id(), model.id()));
          }
        }
      }
      for (String k : rates.keySet()) {
        if (!known.contains(k)) {
          throw new IllegalArgumentException(
              "rates given for unknown (device, mode, model) " + k.replace('\u0000', '/'));
        }
      }
      return new Problem(this);
    }

    private static void unique(List<String> ids, String field) {
      var seen = new HashSet<String>();
      for (String id : ids) {
        if (!seen.add(id)) {
          throw new IllegalArgumentException("field '" + field + "' has id '" + id + "' twice");
        }
      }
    }
  }
}
