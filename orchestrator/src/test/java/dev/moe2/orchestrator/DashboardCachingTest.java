package dev.moe2.orchestrator;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** The dashboard page is revalidated on every load, never cached as immutable for a day. */
@QuarkusTest
class DashboardCachingTest {

  @Test
  void page_servedForRevalidation_notImmutable() {
    for (String path : new String[] {"/", "/index.html"}) {
      String cache = given().get(path).then().statusCode(200).extract().header("Cache-Control");
      assertThat(cache).as(path).isNotNull().contains("no-cache").doesNotContain("immutable");
    }
  }
}
