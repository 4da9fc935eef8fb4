package dev.moe2.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.moe2.edgeagent.Agent;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;

/**
 * The web page end to end in headless Chromium ({@link Browsers}), security off: fleet, plan,
 * Pareto chart with the what-if slider, decisions; leaves a screenshot in {@code
 * target/dashboard.png}. Skipped where Chromium is not installed, except in CI ({@code CI=true};
 * {@code .ci/run} installs it).
 */
@QuarkusTest
class DashboardPageTest {

  static Agent agent;

  @TestHTTPResource("/")
  URL page;

  @BeforeAll
  static void startAgent() throws Exception {
    Browsers.assumeInstalled();
    agent = OrchestratorEndToEndTest.agent("orin-page-1", "jetson-agx-orin-64gb", "maxn");
  }

  @AfterAll
  static void stopAgent() {
    if (agent != null) {
      agent.close();
    }
  }

  @Test
  void page_inHeadlessChromium_showsFleetPlanParetoWhatIfsAndDecisions() throws Exception {
    // the gate may still be training in the background on a fresh checkout
    await()
        .atMost(Duration.ofMinutes(5))
        .until(() -> io.restassured.RestAssured.get("/q/health/ready").statusCode() == 200);
    OrchestratorEndToEndTest.awaitAllOnlineConfirmed();
    io.restassured.RestAssured.given()
        .contentType("application/json")
        .body(OrchestratorEndToEndTest.chat("reasoning", "Why do leaves change colour?"))
        .post("/v1/chat/completions")
        .then()
        .log()
        .ifValidationFails()
        .statusCode(200);
    WebDriver browser = Browsers.headless();
    try {
      browser.get(page.toString());
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  !browser
                      .findElements(By.cssSelector("#fleet tr[data-agent='orin-page-1'] td.on"))
                      .isEmpty());
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> browser.findElement(By.id("plan")).getText().contains("plan "));
      assertThat(browser.findElement(By.id("optimality")).getText()).matches("exact|gap .* %");
      // the plan shows its time, not a 13-digit version; binding budgets in one spelling
      assertThat(browser.findElement(By.id("plan")).getText())
          .contains("plan made ")
          .doesNotContainPattern("\\d{13}")
          .doesNotContain("DELAY")
          .doesNotContain("ENERGY");
      // every category's budgets and k, shown
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  !browser
                      .findElements(By.cssSelector("#budgets tr[data-category='reasoning']"))
                      .isEmpty());
      assertThat(browser.findElements(By.cssSelector("#budgets tbody tr"))).hasSize(4);
      // an online agent's state agrees with the plan (off in it, or just online)
      assertThat(
              browser
                  .findElement(By.cssSelector("#fleet tr[data-agent='orin-page-1'] td.on"))
                  .getText())
          .matches("online(, off in the plan)?");
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> browser.findElements(By.cssSelector("#pareto circle")).size() == 24);
      String before = browser.findElement(By.id("whatif")).getText();
      ((JavascriptExecutor) browser)
          .executeScript(
              "const s = document.getElementById('budget'); s.value = 20; s.dispatchEvent(new Event('input'));");
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> !browser.findElement(By.id("whatif")).getText().equals(before));
      assertThat(browser.findElement(By.id("whatif")).getText()).startsWith("What if:");
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> !browser.findElements(By.cssSelector("#decisions tbody tr")).isEmpty());
      // each decision shows the expert's output cap and what set it, and the binding budget
      assertThat(browser.findElement(By.cssSelector("#decisions tbody tr")).getText())
          .contains("cap ")
          .contains(" tok (");
      // the request what-if: which max_tokens fits this prompt, which prompt fits this max_tokens
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> !browser.findElements(By.cssSelector("#fits tbody tr")).isEmpty());
      // reasoning has a usable expert here (the request above was answered)
      ((JavascriptExecutor) browser)
          .executeScript(
              "document.getElementById('category').value = 'reasoning';"
                  + " const p = document.getElementById('fitPrompt'); p.value = 100000;"
                  + " p.dispatchEvent(new Event('input'));");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  browser
                      .findElement(By.cssSelector("#fits tbody"))
                      .getText()
                      .contains("none (prompt too long)"));
      // the energy ledger: the request above is in the database, per category and as a bar
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  !browser
                      .findElements(By.cssSelector("#ledger tr[data-category='reasoning']"))
                      .isEmpty());
      assertThat(browser.findElements(By.cssSelector("#ledgerChart rect.bar"))).isNotEmpty();
      byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
      Path shot = Path.of("target/dashboard.png");
      Files.write(shot, png);
      assertThat(png.length).isGreaterThan(10_000);
    } finally {
      browser.quit();
    }
  }
}
