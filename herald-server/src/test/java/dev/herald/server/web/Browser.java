package dev.herald.server.web;

import dev.herald.server.testing.TempDirs;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One headless Debian Chromium, driven through chromedriver, with its own fresh profile (so two
 * of them are two separate browser contexts: own storage, own sockets). Close it to quit the
 * browser and delete the profile.
 *
 * <p>When Chromium or chromedriver is not installed the calling test is skipped with an
 * assumption, unless {@code HERALD_REQUIRE_SERVICES=1} (CI), where it fails.
 */
final class Browser implements AutoCloseable {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SCREENSHOTS = Path.of("target", "screenshots");

    final ChromeDriver driver;
    private final Path profile;

    private Browser(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    /** Skips (or, in CI, fails) the test when the browser is not installed. */
    static void requireChromium() {
        if (Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER)) {
            return;
        }
        String why = "Chromium browser tests need " + CHROMIUM + " and " + CHROMEDRIVER
                + " (apt-get install -y chromium chromium-driver)";
        if ("1".equals(System.getenv("HERALD_REQUIRE_SERVICES"))) {
            Assertions.fail(why + " and HERALD_REQUIRE_SERVICES=1");
        }
        Assumptions.abort(why + "; skipping the browser tests (set HERALD_REQUIRE_SERVICES=1 to fail instead)");
    }

    static Browser open(int width, int height) {
        return open(width, height, false);
    }

    /**
     * A phone-sized viewport through Chrome's device emulation (a headless window cannot be
     * narrower than 500 px): 390 x 844 CSS pixels, touch, a phone's user agent.
     */
    static Browser phone() {
        return open(390, 844, true);
    }

    private static Browser open(int width, int height, boolean mobile) {
        requireChromium();
        try {
            Path profile = Files.createTempDirectory("herald-chromium-");
            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM.toFile());
            options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                    "--user-data-dir=" + profile, "--window-size=" + Math.max(width, 500) + "," + height);
            if (mobile) {
                options.setExperimentalOption("mobileEmulation", java.util.Map.of(
                        "deviceMetrics", java.util.Map.of("width", width, "height", height, "pixelRatio", 2.0, "touch", true),
                        "userAgent", "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Mobile Safari/537.36"));
            }
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
            ChromeDriver driver = new ChromeDriver(service, options);
            driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20)).scriptTimeout(Duration.ofSeconds(10));
            return new Browser(driver, profile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void get(String url) {
        driver.get(url);
    }

    WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    boolean visible(String css) {
        List<WebElement> found = all(css);
        return !found.isEmpty() && found.getFirst().isDisplayed();
    }

    String text(String css) {
        List<WebElement> found = all(css);
        return found.isEmpty() ? "" : found.getFirst().getText();
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** Signs in on the demo's sign-in screen as one of the demo users. */
    void signInAs(String baseUrl, String page, String user) {
        get(baseUrl + page);
        js("sessionStorage.clear()");
        get(baseUrl + page);
        find("[data-user='" + user + "']").click();
    }

    /** Saves a PNG under target/screenshots/ for a reviewer. */
    void screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            File png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
            Files.copy(png.toPath(), SCREENSHOTS.resolve(name + ".png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            TempDirs.delete(profile);
        }
    }
}
