package dev.moe2.profiles;

/** How a device's power modes are set. */
public enum DeviceKind {
  /** NVIDIA Jetson: {@code nvpmodel -m ID}. */
  JETSON,
  /** A discrete GPU: {@code nvidia-smi -pl WATTS}. */
  DGPU
}
