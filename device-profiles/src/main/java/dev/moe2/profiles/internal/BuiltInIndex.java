package dev.moe2.profiles.internal;

import java.util.List;

/** {@code index.yaml}: the built-in profile files by kind. */
public record BuiltInIndex(List<String> devices, List<String> models, List<String> fleets) {}
