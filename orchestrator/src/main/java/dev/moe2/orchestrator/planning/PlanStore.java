package dev.moe2.orchestrator.planning;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.moe2.orchestrator.store.Store;
import dev.moe2.planning.CategoryConfig;
import dev.moe2.protocol.AgentId;
import dev.moe2.protocol.ModelId;
import dev.moe2.protocol.PlanAssignment;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Plans in the database ({@code plan}): what each was made from, its proof status and each agent's
 * part. The planner stores every plan; the other replicas read the latest and plan the same inputs
 * again to serve with it (the exact optimizer gives the same selection for the same inputs).
 */
final class PlanStore {

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .findAndRegisterModules()
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  /** What a plan was made from. */
  record Inputs(List<CategoryConfig> categories, List<Agent> agents) {
    Inputs {
      categories = List.copyOf(categories);
      agents = List.copyOf(agents);
    }
  }

  /** One planned agent: its device class, the models it can load, the slowdown planned with. */
  record Agent(String id, String deviceClass, List<String> models, double slowdown) {
    Agent {
      models = List.copyOf(models);
    }
  }

  /** One agent's part as stored: what it was sent and the version that confirms it. */
  record Part(
      String powerMode, List<String> models, long version, Instant issuedAt, long confirmAt) {
    Part {
      models = List.copyOf(models);
    }

    static Part of(PlanAssignment a, long confirmAt) {
      return new Part(
          a.powerMode(),
          a.residentModels().stream().map(ModelId::value).toList(),
          a.planVersion(),
          a.issuedAt(),
          confirmAt);
    }

    PlanAssignment assignment(String agent) {
      return new PlanAssignment(
          AgentId.of(agent),
          version,
          powerMode,
          models.stream().map(ModelId::of).toList(),
          issuedAt);
    }
  }

  /** A stored plan. */
  record Stored(
      long version,
      Instant createdAt,
      String planner,
      String reason,
      double objective,
      String optimality,
      double planMs,
      Inputs inputs,
      Map<String, Part> parts) {}

  private final Store db;

  PlanStore(Store db) {
    this.db = db;
  }

  void save(PlanRecord r, Inputs inputs, String planner) {
    Map<String, Part> parts = new LinkedHashMap<>();
    r.assignments().forEach((agent, a) -> parts.put(agent, Part.of(a, r.confirmAt().get(agent))));
    try (Connection c = db.connection();
        PreparedStatement ins =
            c.prepareStatement(
                "INSERT INTO plan (version, created_at, planner, reason, objective, optimality,"
                    + " plan_ms, inputs, parts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      ins.setLong(1, r.version());
      ins.setTimestamp(2, Timestamp.from(r.createdAt()));
      ins.setString(3, planner);
      ins.setString(4, r.reason().length() > 4000 ? r.reason().substring(0, 4000) : r.reason());
      ins.setDouble(5, r.selection().objective());
      ins.setString(6, r.optimality());
      ins.setDouble(7, r.planMs());
      ins.setString(8, JSON.writeValueAsString(inputs));
      ins.setString(9, JSON.writeValueAsString(parts));
      ins.executeUpdate();
    } catch (SQLException | JsonProcessingException e) {
      throw new IllegalStateException("plan " + r.version() + " not stored: " + e.getMessage(), e);
    }
  }

  /** The highest stored version, 0 when none. */
  long maxVersion() {
    try (Connection c = db.connection();
        PreparedStatement q = c.prepareStatement("SELECT MAX(version) FROM plan");
        ResultSet rs = q.executeQuery()) {
      return rs.next() ? rs.getLong(1) : 0;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the stored plans: " + e.getMessage(), e);
    }
  }

  /** The latest stored plan above {@code after}, if any. */
  Optional<Stored> latestAfter(long after) {
    try (Connection c = db.connection();
        PreparedStatement q =
            c.prepareStatement(
                "SELECT version, created_at, planner, reason, objective, optimality, plan_ms,"
                    + " inputs, parts FROM plan WHERE version > ? ORDER BY version DESC")) {
      q.setLong(1, after);
      q.setMaxRows(1);
      try (ResultSet rs = q.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(
            new Stored(
                rs.getLong(1),
                rs.getTimestamp(2).toInstant(),
                rs.getString(3),
                rs.getString(4),
                rs.getDouble(5),
                rs.getString(6),
                rs.getDouble(7),
                JSON.readValue(rs.getString(8), Inputs.class),
                JSON.readValue(
                    rs.getString(9),
                    JSON.getTypeFactory()
                        .constructMapType(LinkedHashMap.class, String.class, Part.class))));
      }
    } catch (SQLException | JsonProcessingException e) {
      throw new IllegalStateException("cannot read the stored plans: " + e.getMessage(), e);
    }
  }
}
