package io.tributary.websocket;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's {@code chromium} and {@code chromium-driver}, driven by Selenium for the browser tests
 * (the web console here, the broker view in the launcher, through this module's test jar).
 * Selenium Manager is not used: with driver and browser both given, nothing is downloaded.
 */
public final class HeadlessChromium {

  public static final Duration WAIT = Duration.ofSeconds(20);
  private static final Path CHROMIUM = Path.of(System.getProperty("tributary.chromium", "/usr/bin/chromium"));
  private static final Path CHROMEDRIVER =
      Path.of(System.getProperty("tributary.chromedriver", "/usr/bin/chromedriver"));
  /**
   * Selenium 4.27 has no CDP bindings for a newer Chromium and warns about it on every start; the
   * tests use WebDriver only. Held here so the configured loggers are not collected.
   */
  private static final List<java.util.logging.Logger> QUIET = List.of(
      quiet("org.openqa.selenium.devtools.CdpVersionFinder"),
      quiet("org.openqa.selenium.chromium.ChromiumDriver"));

  private HeadlessChromium() {
  }

  /** In CI ({@code CI=true}, where .ci/run installs the browser) a missing browser fails; elsewhere it skips. */
  public static void require() {
    if (Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER)) {
      return;
    }
    String why = "Chromium (" + CHROMIUM + ") and chromedriver (" + CHROMEDRIVER + ") are needed:"
        + " apt-get install -y chromium chromium-driver";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail("CI=true and no browser: " + why);
    }
    Assumptions.abort(why);
  }

  /** A headless browser with its profile in {@code profile}, 1280x900. */
  public static WebDriver start(Path profile) {
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,900",
        "--user-data-dir=" + profile.toAbsolutePath());
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort()
        .build();
    WebDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().pageLoadTimeout(WAIT);
    return driver;
  }

  /** Saves what the page shows now as a PNG (for the notes; a failure to save is only printed). */
  public static void screenshot(WebDriver driver, Path file) {
    try {
      Files.createDirectories(file.getParent());
      Path png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
      Files.copy(png, file, StandardCopyOption.REPLACE_EXISTING);
      System.out.println("screenshot: " + file.toAbsolutePath());
    } catch (Exception e) {
      System.err.println("screenshot failed: " + e);
    }
  }

  private static java.util.logging.Logger quiet(String name) {
    java.util.logging.Logger logger = java.util.logging.Logger.getLogger(name);
    logger.setLevel(java.util.logging.Level.SEVERE);
    return logger;
  }
}
