package dev.moe2.orchestrator.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.moe2.orchestrator.Browsers;
import dev.moe2.security.ApiRole;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URL;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/**
 * The dashboard with security on, in headless Chromium: without a key it shows the login; a viewer
 * key shows the fleet and is refused a budget change; an operator key's change is accepted.
 */
@QuarkusTest
@TestProfile(SecureOrchestratorTest.Secure.class)
class SecureDashboardPageTest {

  @TestHTTPResource("/")
  URL page;

  @Inject SiteSecurity security;

  @Test
  void dashboard_loginThenViewerThenOperator_rolesDecideWhatTheUserMayDo() throws Exception {
    Browsers.assumeInstalled();
    String viewer = key(ApiRole.VIEWER);
    String operator = key(ApiRole.OPERATOR);
    WebDriver browser = Browsers.headless();
    try {
      browser.get(page.toString());
      await().atMost(Duration.ofSeconds(10)).until(() -> visible(browser, "login"));
      assertThat(visible(browser, "main")).isFalse();

      signIn(browser, "moe2_aaaaaaaaaa_" + "A".repeat(43));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> browser.findElement(By.id("loginError")).getText().contains("refused"));

      signIn(browser, viewer);
      await().atMost(Duration.ofSeconds(10)).until(() -> visible(browser, "main"));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> !browser.findElements(By.cssSelector("#budgetCategory option")).isEmpty());
      assertThat(browser.findElement(By.id("who")).getText()).contains(viewer.split("_")[1]);
      applyBudget(browser, "60");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> browser.findElement(By.id("budgetResult")).getText().startsWith("refused"));
      assertThat(browser.findElement(By.id("budgetResult")).getText())
          .contains("403")
          .contains("needs operator");

      browser.findElement(By.id("signOut")).click();
      await().atMost(Duration.ofSeconds(10)).until(() -> visible(browser, "login"));
      signIn(browser, operator);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> !browser.findElements(By.cssSelector("#budgetCategory option")).isEmpty());
      String category =
          browser.findElement(By.cssSelector("#budgetCategory option")).getAttribute("value");
      // the form starts from the category's current budgets and k
      assertThat(browser.findElement(By.id("budgetK")).getAttribute("value")).isNotEmpty();
      applyBudget(browser, "61");
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () ->
                  assertThat(browser.findElement(By.id("budgetResult")).getText())
                      .startsWith("applied")
                      .contains(", 61 J"));
      // the budgets table shows the change
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(
                          browser
                              .findElement(
                                  By.cssSelector("#budgets tr[data-category='" + category + "']"))
                              .getText())
                      .contains("61"));
      // the whole page in one picture (the build keeps it: target/dashboard-screenshots)
      browser.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 4400));
      ((JavascriptExecutor) browser).executeScript("window.scrollTo(0, 0);");
      byte[] png =
          ((org.openqa.selenium.TakesScreenshot) browser)
              .getScreenshotAs(org.openqa.selenium.OutputType.BYTES);
      java.nio.file.Path shot =
          java.nio.file.Path.of("target/dashboard-screenshots/operator-budget-applied.png");
      java.nio.file.Files.createDirectories(shot.getParent());
      java.nio.file.Files.write(shot, png);
    } finally {
      browser.quit();
    }
  }

  private String key(ApiRole role) {
    return security.keys().create(role, "page", new SecureRandom(), Instant.now()).key();
  }

  private static boolean visible(WebDriver browser, String id) {
    return browser.findElement(By.id(id)).isDisplayed();
  }

  private static void signIn(WebDriver browser, String key) {
    WebElement input = browser.findElement(By.id("key"));
    input.clear();
    input.sendKeys(key);
    browser.findElement(By.id("signIn")).click();
  }

  private static void applyBudget(WebDriver browser, String joules) {
    WebElement e = browser.findElement(By.id("budgetEnergy"));
    e.clear();
    e.sendKeys(joules);
    browser.findElement(By.id("budgetApply")).click();
  }
}
