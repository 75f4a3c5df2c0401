"""A person at the console, in the browser: opens pages, signs in, types and clicks as a person
does (real keys into real inputs), and checks each page drawn: nothing wider than the screen,
every form control labelled; a screenshot of each page kept by its name and language."""

import base64
import pathlib

import pytest
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from conftest import HEIGHT, MAX_SHOT_HEIGHT, SHOTS, WIDTH

# Inputs, selects and text areas shown on the page without a <label for> or an aria-label.
UNLABELLED = """
const unlabelled = [];
for (const el of document.querySelectorAll('input, select, textarea')) {
  const type = (el.getAttribute('type') || '').toLowerCase();
  if (el.tagName === 'INPUT' && ['hidden', 'submit', 'button', 'reset', 'image'].includes(type)) continue;
  const style = getComputedStyle(el);
  if (style.display === 'none' || style.visibility === 'hidden' || el.getClientRects().length === 0) continue;
  const byFor = el.id && Array.from(document.querySelectorAll('label[for="' + CSS.escape(el.id) + '"]'))
    .some(label => label.textContent.trim() !== '');
  const byAria = (el.getAttribute('aria-label') || '').trim() !== '' || !!el.getAttribute('aria-labelledby');
  if (!byFor && !byAria) unlabelled.push(el.outerHTML.slice(0, 160));
}
return unlabelled;
"""

# What the person sees overflowing the screen's width: the page's width, and the widest
# elements that stick out past the right edge (to say which in a failure).
OVERFLOW = """
const width = document.documentElement.scrollWidth;
const out = [];
if (width > arguments[0]) {
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.right > arguments[0] + 1) out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      (el.className && typeof el.className === 'string' ? '.' + el.className.trim().replace(/\\s+/g, '.') : '') +
      ' right=' + Math.round(r.right));
    if (out.length >= 8) break;
  }
}
return [width, out];
"""

# The HTTP status of a GET of `path`, asked from the page with the person's own cookies.
STATUS = """
const done = arguments[arguments.length - 1];
fetch(arguments[0], { credentials: 'same-origin', redirect: 'manual' })
  .then(r => done(r.type === 'opaqueredirect' ? 303 : r.status))
  .catch(e => done('failed: ' + e));
"""


class Console:
    def __init__(self, driver, office):
        self.driver = driver
        self.office = office
        self.shots = {}

    # --- moving around ---------------------------------------------------------------------------

    def go(self, path):
        self.driver.get(self.office.url + path)
        return self

    @property
    def path(self):
        url = self.driver.current_url
        return url[len(self.office.url):] if url.startswith(self.office.url) else url

    @property
    def lang(self):
        return self.driver.find_element(By.TAG_NAME, "html").get_attribute("lang")

    def text(self):
        return self.driver.find_element(By.TAG_NAME, "body").text

    def title(self):
        return self.driver.find_element(By.CSS_SELECTOR, "main h1").text

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def wait(self, what, check, timeout=15):
        """Waits until `check(driver)` is true (e.g. the as-you-type results arrived)."""
        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.1).until(check)
        except Exception:  # TimeoutException: say what was awaited, and where
            pytest.fail(f"timed out waiting for {what} on {self.path}:\n{self.text()[:2000]}")

    def wait_for_css(self, css, timeout=15):
        return self.wait(css, expected_conditions.presence_of_element_located((By.CSS_SELECTOR, css)), timeout)

    def field(self, label_text):
        """The input, select or text area whose <label for> reads `label_text` (as a person
        finds a field by what it says), or by name/id when the label is not known."""
        for label in self.find_all("label[for]"):
            if label.text.strip().rstrip("：:*").strip() == label_text:
                return self.driver.find_element(By.ID, label.get_attribute("for"))
        pytest.fail(f"no field labelled {label_text!r} on {self.path}")

    def type_into(self, element, text, clear=True):
        if clear:
            element.clear()
        element.send_keys(text)
        return element

    def submit_button(self, text):
        """The button that reads `text` (exactly, trimmed)."""
        for button in self.find_all("button, input[type=submit]"):
            shown = button.text.strip() or (button.get_attribute("value") or "").strip()
            if shown == text and button.is_displayed():
                return button
        pytest.fail(f"no button {text!r} on {self.path}")

    def click_and_wait(self, element):
        """Clicks a link or a submit button and waits for the next page."""
        mark = self.driver.execute_script("window.__doorstepOld = Math.random(); return window.__doorstepOld")
        element.click()
        self.wait("the next page", next_page_after(mark))
        return self

    def status_of(self, path):
        """The status a GET of `path` gets with this browser's session (asked from the page)."""
        return self.driver.execute_async_script(STATUS, self.office.url + path)

    # --- signing in and the language -------------------------------------------------------------

    def sign_in(self, login, password, keyboard=False):
        self.go("/console/sign-in")
        if keyboard:
            return self.sign_in_by_keys(login, password)
        login_field = self.find("input[name=login]")
        self.type_into(login_field, login)
        self.type_into(self.find("input[name=password]"), password)
        self.click_and_wait(self.find("main form button[type=submit], main form input[type=submit]"))
        assert "/console/sign-in" not in self.path, f"sign-in refused:\n{self.text()[:1000]}"
        return self

    def sign_in_by_keys(self, login, password):
        """From the top of the page: Tab until the login field has the focus, type, Tab, type,
        Enter. Keys only, sent to whatever has the focus (no element is clicked)."""
        keys = lambda *k: ActionChains(self.driver).send_keys(*k).perform()
        focused = lambda: self.driver.switch_to.active_element.get_attribute("name")
        for _ in range(20):
            keys(Keys.TAB)
            if focused() == "login":
                break
        else:
            pytest.fail("Tab never reached the login field")
        keys(login, Keys.TAB)
        assert focused() == "password", "Tab from the login field goes to the password"
        keys(password, Keys.ENTER)
        # Wait for the new page by its address and its loaded document, not for the old
        # page's element to go stale: chromedriver may answer a reference into a discarded
        # document with "no such element", which WebDriverWait ignores until it times out.
        self.wait(
            "the page after sign-in",
            lambda d: "/console/sign-in" not in d.current_url
            and d.execute_script("return document.readyState") == "complete",
        )
        return self

    def switch_language(self):
        """The language switch in the title bar."""
        button = self.find("form[action='/console/lang'] button")
        return self.click_and_wait(button)

    def sign_out(self):
        button = self.find("form[action='/console/sign-out'] button")
        return self.click_and_wait(button)

    # --- what every page must be -----------------------------------------------------------------

    def check(self, name):
        """The page shown fits the 1366 px screen and labels every control."""
        width, out = self.driver.execute_script(OVERFLOW, WIDTH)
        assert width <= WIDTH, f"{name} ({self.path}) is {width} px wide at {WIDTH} px: {out}"
        unlabelled = self.driver.execute_script(UNLABELLED)
        assert not unlabelled, f"{name} ({self.path}) has controls without a label: {unlabelled}"

    def check_page(self, name):
        """`check`, and the page kept as a screenshot `name` in its language's folder. Returns
        the screenshot's path."""
        self.check(name)
        return self.screenshot(name)

    def screenshot(self, name):
        """The whole page at 1366 px wide (its full height, at least 768), as a PNG under
        target/console-screenshots/<zh|en>/<name>.png."""
        lang = "en" if self.lang.startswith("en") else "zh"
        height = self.driver.execute_script(
            "return Math.max(document.documentElement.scrollHeight, document.body.scrollHeight)"
        )
        height = max(HEIGHT, min(int(height), MAX_SHOT_HEIGHT))
        shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": WIDTH, "height": height, "scale": 1},
        })
        path = pathlib.Path(SHOTS) / lang / f"{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))
        self.shots[(lang, name)] = path
        return path


def next_page_after(mark):
    """A wait condition: the document that carried `mark` (a number set on its window before the
    click) is gone and the next one has loaded. Asking the window, not an element of the old
    page, keeps chromedriver's many ways of saying "that node is gone" (stale element, no such
    element, node not in the document) out of the wait; a script that runs while the page is
    being swapped may fail, and is asked again."""

    def check(driver):
        try:
            return driver.execute_script(
                "return window.__doorstepOld !== arguments[0] && document.readyState === 'complete'",
                mark,
            )
        except WebDriverException:
            return False

    return check
