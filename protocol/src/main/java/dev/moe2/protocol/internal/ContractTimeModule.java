package dev.moe2.protocol.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * The contract's time formats: {@link Duration}s as a JSON number of milliseconds (fractions
 * allowed, e.g. {@code 21.3}), the unit every {@code ...Ms} field uses; {@link Instant}s as
 * ISO-8601 UTC strings at millisecond precision at most ({@code 2026-11-25T08:00:00.231Z}),
 * truncated, since some client libraries reject nanosecond fractions. Instants are read at any
 * precision.
 */
public final class ContractTimeModule extends SimpleModule {

  private static final long serialVersionUID = 1L;

  public ContractTimeModule() {
    super("moe2-contract-time");
    addSerializer(Duration.class, new Writer());
    addSerializer(Instant.class, new InstantWriter());
    addDeserializer(Duration.class, new Reader());
  }

  private static final class Writer extends JsonSerializer<Duration> {
    @Override
    public void serialize(Duration value, JsonGenerator gen, SerializerProvider serializers)
        throws IOException {
      gen.writeNumber(value.toNanos() / 1e6);
    }
  }

  private static final class InstantWriter extends JsonSerializer<Instant> {
    @Override
    public void serialize(Instant value, JsonGenerator gen, SerializerProvider serializers)
        throws IOException {
      gen.writeString(DateTimeFormatter.ISO_INSTANT.format(value.truncatedTo(ChronoUnit.MILLIS)));
    }
  }

  private static final class Reader extends JsonDeserializer<Duration> {
    @Override
    public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (p.currentToken() != JsonToken.VALUE_NUMBER_INT
          && p.currentToken() != JsonToken.VALUE_NUMBER_FLOAT) {
        return (Duration) ctxt.handleUnexpectedToken(Duration.class, p);
      }
      BigDecimal millis = p.getDecimalValue();
      return Duration.ofNanos(millis.movePointRight(6).longValue());
    }
  }
}
