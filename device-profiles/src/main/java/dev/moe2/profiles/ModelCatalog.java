package dev.moe2.profiles;

import java.util.List;
import java.util.Optional;

/**
 * A named set of models ({@code models/*.yaml}).
 *
 * @param id e.g. {@code routerdc-7}
 * @param description what the set is
 * @param models the models
 */
public record ModelCatalog(String id, String description, List<ModelDescriptor> models) {

  public ModelCatalog {
    models = List.copyOf(models);
  }

  public Optional<ModelDescriptor> model(String modelId) {
    return models.stream().filter(m -> m.id().equals(modelId)).findFirst();
  }
}
