package com.dts.apm.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The reconnect page in a real headless Chromium (Debian's chromium and chromium-driver), used with the keyboard
 * only: the link from a real failure email, a wrong password, then the right one. It takes the screenshots of
 * docs/reconnect/ at phone (360 px) and desktop (1280 px) width into target/reconnect-screenshots/, and checks that
 * the phone width needs no sideways scrolling. Skipped, saying why, where chromium or chromedriver is absent.
 */
class ReconnectBrowserIT {
    static final Path CHROMIUM = Path.of(System.getProperty("apm.chromium", "/usr/bin/chromium"));
    static final Path DRIVER = Path.of(System.getProperty("apm.chromedriver", "/usr/bin/chromedriver"));
    static final Path SHOTS = Path.of("target", "reconnect-screenshots");

    @TempDir
    Path dir;

    private static WebDriver browser() {
        var options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-dev-shm-usage",
                "--disable-gpu",
                "--hide-scrollbars",
                "--force-device-scale-factor=1",
                "--lang=en-US");
        var service = new ChromeDriverService.Builder()
                .usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort()
                .build();
        return new ChromeDriver(service, options);
    }

    private static void shot(WebDriver driver, String name, int width) throws Exception {
        driver.manage().window().setSize(new Dimension(width, width < 600 ? 1500 : 1100));
        var js = (JavascriptExecutor) driver;
        long scroll = ((Number) js.executeScript("return document.documentElement.scrollWidth")).longValue();
        long inner = ((Number) js.executeScript("return window.innerWidth")).longValue();
        assertThat(scroll)
                .as(name + " at " + width + " px: no sideways scrolling")
                .isLessThanOrEqualTo(inner);
        Files.createDirectories(SHOTS);
        var png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
        Files.write(SHOTS.resolve(name + "-" + (width < 600 ? "phone" : "desktop") + ".png"), png);
    }

    private static void tabTo(WebDriver driver, String id) {
        for (int i = 0; i < 25; i++) {
            var active = driver.switchTo().activeElement();
            if (id.equals(active.getAttribute("id"))) {
                return;
            }
            active.sendKeys(Keys.TAB);
        }
        throw new AssertionError("the keyboard never reached #" + id);
    }

    @Test
    void aDealerFixesTheMailboxWithTheKeyboardAlone() throws Exception {
        var missing = !Files.isExecutable(CHROMIUM) ? CHROMIUM : !Files.isExecutable(DRIVER) ? DRIVER : null;
        if (missing != null) {
            System.out.println("ReconnectBrowserIT skipped: " + missing
                    + " is not installed (apt-get install chromium chromium-driver)");
        }
        Assumptions.assumeTrue(missing == null, () -> missing + " is not installed");
        try (var h = new PageHarness(dir, 10, "Acme Motors CRM")) {
            h.start();
            long id = h.failingMailbox("nora@dealer-n.test", "Nora Motors", "abcdabcdabcdabcd", "gmail");
            var link = h.linkFromEmail("nora@dealer-n.test");
            h.mail.getUserManager().getUser("nora@dealer-n.test").setPassword("wxyzwxyzwxyzwxyz");
            var driver = browser();
            try {
                var wait = new WebDriverWait(driver, Duration.ofSeconds(30));
                driver.manage().window().setSize(new Dimension(360, 1500));
                driver.get(link);
                assertThat(driver.getTitle()).contains("nora@dealer-n.test");
                assertThat(driver.findElement(By.cssSelector("label[for=password]"))
                                .getText())
                        .isEqualTo("New app password");
                assertThat(driver.findElement(By.partialLinkText("app-password page"))
                                .getAttribute("href"))
                        .startsWith("https://myaccount.google.com/");
                shot(driver, "first-visit", 360);
                shot(driver, "first-visit", 1280);

                tabTo(driver, "password");
                driver.switchTo().activeElement().sendKeys("my-gmail-password1", Keys.ENTER);
                wait.until(d -> d.getPageSource().contains("That password did not work"));
                assertThat(driver.findElement(By.id("result")).getText())
                        .contains("main Gmail password")
                        .contains("You can try 9 more times");
                assertThat(h.state(id)).isEqualTo("FAILING");
                shot(driver, "wrong-password", 360);
                shot(driver, "wrong-password", 1280);

                tabTo(driver, "password");
                driver.switchTo().activeElement().sendKeys("wxyz wxyz wxyz wxyz", Keys.ENTER);
                wait.until(d -> d.getPageSource().contains("Saved: mail flows again"));
                Await.until("healthy", Duration.ofSeconds(5), () -> h.state(id).equals("HEALTHY"));
                shot(driver, "saved", 360);
                shot(driver, "saved", 1280);

                driver.get(link);
                assertThat(driver.getPageSource()).contains("This link has been used");
            } finally {
                driver.quit();
            }
        }
    }
}
