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

/**
 * Writes {@link Duration}s as a JSON number of milliseconds (fractions allowed, e.g. {@code 21.3}),
 * the unit every {@code ...Ms} field of the contract uses.
 */
public final class DurationMillisModule extends SimpleModule {

  private static final long serialVersionUID = 1L;

  public DurationMillisModule() {
    super("moe2-duration-millis");
    addSerializer(Duration.class, new Writer());
    addDeserializer(Duration.class, new Reader());
  }

  private static final class Writer extends JsonSerializer<Duration> {
    @Override
    public void serialize(Duration value, JsonGenerator gen, SerializerProvider serializers)
        throws IOException {
      gen.writeNumber(value.toNanos() / 1e6);
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
