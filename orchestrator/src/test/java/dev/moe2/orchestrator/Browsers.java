package dev.moe2.orchestrator;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Chromium for the page tests (Debian {@code chromium} + {@code chromium-driver}, driven
 * by Selenium; no driver download). Tests are skipped where it is not installed, except in CI
 * ({@code CI=true}; {@code .ci/run} installs it).
 */
public final class Browsers {

  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path DRIVER = Path.of("/usr/bin/chromedriver");

  private Browsers() {}

  /** Skips the calling test where Chromium is missing outside CI. */
  public static void assumeInstalled() {
    if (!"true".equals(System.getenv("CI"))) {
      Assumptions.assumeTrue(
          Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER),
          "chromium and chromium-driver are not installed (.ci/run installs them)");
    }
  }

  /** A new headless browser; the caller quits it. */
  public static WebDriver headless() {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1400");
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).build();
    return new ChromeDriver(service, options);
  }
}
