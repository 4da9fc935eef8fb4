package dev.moe2.optimizer;

/**
 * A candidate expert n = (model, device, mode) with its predicted delay and energy for one
 * category.
 *
 * @param modelId the model
 * @param deviceId the device it is resident on
 * @param modeId the device's power mode
 * @param delayS predicted transmission + compute delay for the category's Lin/Lout, seconds
 * @param energyJ predicted energy per request, joules
 */
public record Expert(
    String modelId, String deviceId, String modeId, double delayS, double energyJ) {}
