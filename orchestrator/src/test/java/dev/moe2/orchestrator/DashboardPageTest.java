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
import org.openqa.selenium.WebElement;

/**
 * The web page end to end in headless Chromium ({@link Browsers}), security off: fleet, plan,
 * activity of the last hour, Pareto chart with the what-if slider, the ledger, decisions with their
 * time to first token; leaves a screenshot in {@code target/dashboard-screenshots/dashboard.png}.
 * Skipped where Chromium is not installed, except in CI ({@code CI=true}; {@code .ci/run} installs
 * it).
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
    // and one streamed: its time to first token shows in the decisions and the activity chart
    io.restassured.RestAssured.given()
        .contentType("application/json")
        .body(
            "{\"model\": \"reasoning\", \"stream\": true, \"max_tokens\": 16, \"messages\":"
                + " [{\"role\": \"user\", \"content\": \"Why is the sea salty?\"}]}")
        .post("/v1/chat/completions")
        .then()
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
      JavascriptExecutor js = (JavascriptExecutor) browser;
      // the fleet: when each agent was last heard from, and the broker link
      assertThat(
              browser
                  .findElement(By.cssSelector("#fleet tr[data-agent='orin-page-1'] td.seen"))
                  .getText())
          .contains(" s ago)");
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> browser.findElement(By.id("broker")).getText().contains("connected"));
      assertThat(browser.findElement(By.id("broker")).getText()).contains("tcp://127.0.0.1:");
      // the last hour: requests per minute (both requests above answered), energy per category,
      // the streamed request's time to first token
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  ((Number)
                              js.executeScript(
                                  "const c = window.moe2Charts.rates; return c ? c.data[1].reduce((a, b) => a + b, 0) : 0;"))
                          .longValue()
                      >= 2);
      assertThat(
              ((Number)
                      js.executeScript(
                          "return window.moe2Charts.energy.data.slice(1).flat().reduce((a, b) => a + b, 0);"))
                  .doubleValue())
          .isPositive();
      assertThat(js.executeScript("return window.moe2Charts.energy.series.map(s => s.label);"))
          .asString()
          .contains("knowledge", "math", "reasoning", "code");
      assertThat(
              js.executeScript(
                  "return window.moe2Charts.ttft.data[1].filter(v => v != null).length;"))
          .asString()
          .isNotEqualTo("0");
      assertThat(browser.findElements(By.cssSelector("#rateChart canvas"))).isNotEmpty();
      // the Pareto chart: 24 budgets on a uPlot chart with its axes, the slider's range shown
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  Long.valueOf(24)
                      .equals(
                          js.executeScript(
                              "const c = window.moe2Charts.pareto; return c ? c.data[0].length : 0;")));
      assertThat(browser.findElement(By.id("budgetMin")).getText()).endsWith(" J");
      assertThat(browser.findElement(By.id("budgetMax")).getText()).endsWith(" J");
      String before = browser.findElement(By.id("whatif")).getText();
      js.executeScript(
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
      assertThat(js.executeScript("return window.moe2Charts.ledger.data[1].some(v => v > 0);"))
          .isEqualTo(Boolean.TRUE);
      // a budget change previewed before it is applied: the plan with it beside the plan now
      js.executeScript(
          "document.getElementById('budgetCategory').value = 'reasoning';"
              + " document.getElementById('budgetCategory').dispatchEvent(new Event('change'));");
      WebElement energy = browser.findElement(By.id("budgetEnergy"));
      energy.clear();
      energy.sendKeys("0.5");
      browser.findElement(By.id("budgetPreview")).click();
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () ->
                  assertThat(browser.findElement(By.id("budgetWhatIf")).getText())
                      .contains("with the change"));
      assertThat(browser.findElement(By.id("previewNow")).getText())
          .startsWith("now: 1 s, 80 J, k=2: usable ")
          .doesNotContain("usable none");
      assertThat(browser.findElement(By.id("previewThen")).getText())
          .startsWith("with the change: 1 s, 0.5 J, k=2: usable none");
      assertThat(
              io.restassured.RestAssured.get("/api/budgets")
                  .jsonPath()
                  .getFloat("find { it.id == 'reasoning' }.energyBudgetJ"))
          .as("a preview changes nothing")
          .isEqualTo(80.0f);
      // the streamed request's time to first token, in the decisions table
      assertThat(
              browser.findElements(By.cssSelector("#decisions tbody td.ttft")).stream()
                  .map(WebElement::getText))
          .anyMatch(t -> t.matches("\\d+\\.\\d"));
      // everything the page loaded came from the orchestrator (no CDN)
      assertThat(
              js.executeScript(
                  "return performance.getEntriesByType('resource').map(r => r.name)"
                      + ".filter(n => !n.startsWith(location.origin));"))
          .asList()
          .isEmpty();
      // the whole page in one picture (the build keeps it: target/dashboard-screenshots)
      browser.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 4400));
      ((JavascriptExecutor) browser).executeScript("window.scrollTo(0, 0);");
      byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
      Path shot = Path.of("target/dashboard-screenshots/dashboard.png");
      Files.createDirectories(shot.getParent());
      Files.write(shot, png);
      assertThat(png.length).isGreaterThan(10_000);
    } finally {
      browser.quit();
    }
  }
}
