package dev.moe2.orchestrator;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The test profile's span exporter (the SDK is on in tests; OTLP export is off). */
@ApplicationScoped
public class TestSpanExporter {

  @Produces
  @Singleton
  InMemorySpanExporter inMemory() {
    return InMemorySpanExporter.create();
  }
}
