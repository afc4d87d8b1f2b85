#!/usr/bin/python3
# display_browser.py URL DIR — the traveller's display (egate-kiosk,
# display = web) in headless Chromium through selenium, driven by
# tests/kiosk/test_display_browser.sh, which places the passports:
#   1. the page comes up in the kiosk's language (English); DIR/browser.ready
#   2. a Korean passport goes through the gate: every prompt in Korean, the
#      advance notice of automated face comparison with the face prompt,
#      progress, the decision; DIR/browser.step1
#   3. a Chinese passport is referred: "see a border officer" in Chinese;
#      the traveller touches Japanese, then English, on the screen and the
#      prompt follows; DIR/browser.done with what was seen (JSON)
# Every prompt is rendered again on the page and each of its characters
# checked against the browser's missing-glyph box (tofu): the test fails if
# any character of a prompt has no font. Screenshots go to DIR and, when
# EGATE_SCREENSHOTS is set, to that folder (scripts/screenshots).
import json
import os
import shutil
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

url, tmp = sys.argv[1], sys.argv[2]
shots = os.environ.get("EGATE_SCREENSHOTS", "")
results = {"passages": []}


def fail(msg):
    sys.stderr.write("display-browser: FAIL: %s\n" % msg)
    try:
        shot("failure")
        sys.stderr.write("page text:\n%s\n" % driver.find_element(By.TAG_NAME, "body").text)
        for e in driver.get_log("browser"):
            sys.stderr.write("console: %s\n" % e)
    except Exception:  # noqa: BLE001 - the report must not hide the failure
        pass
    sys.exit(1)


def wait(what, fn, timeout):
    end = time.monotonic() + timeout
    while True:
        try:
            v = fn()
            if v:
                return v
        except Exception:  # noqa: BLE001 - the page may be between renders
            pass
        if time.monotonic() > end:
            fail("timed out after %.0f s waiting for %s" % (timeout, what))
        time.sleep(0.05)


def touch(name, text=""):
    with open(os.path.join(tmp, name + ".tmp"), "w") as f:
        f.write(text)
    os.rename(os.path.join(tmp, name + ".tmp"), os.path.join(tmp, name))


def shot(name):
    path = os.path.join(tmp, "display-%s.png" % name)
    driver.save_screenshot(path)
    if shots:
        os.makedirs(shots, exist_ok=True)
        shutil.copy(path, os.path.join(shots, "display-%s.png" % name))


def js(expr):
    return driver.execute_script("return " + expr)


# The missing-glyph check, in the page: each character drawn on a canvas in
# the element's own font and language, compared with characters no font has
# (unassigned code points draw the .notdef box). Whitespace is skipped.
TOFU_JS = r"""
const el = arguments[0];
const cs = getComputedStyle(el);
const c = document.createElement('canvas');
c.width = 96; c.height = 96; c.lang = el.lang || document.documentElement.lang;
document.body.appendChild(c);
const g = c.getContext('2d', {willReadFrequently: true});
function draw(ch) {
  g.clearRect(0, 0, 96, 96);
  g.font = cs.fontWeight + ' 64px ' + cs.fontFamily;
  g.fillStyle = '#000'; g.textBaseline = 'top';
  g.fillText(ch, 8, 8);
  return g.getImageData(0, 0, 96, 96).data.join(',');
}
const boxes = ['\u0378', '\u0379', '\u0380'].map(draw);
const bad = [];
for (const ch of arguments[1]) {
  if (/\s/.test(ch)) continue;
  if (boxes.includes(draw(ch))) bad.push(ch + ' U+' + ch.codePointAt(0).toString(16).toUpperCase());
}
c.remove();
return bad;
"""


def tofu(el, text):
    return driver.execute_script(TOFU_JS, el, text)


def render(m, notice=None):
    """Put m on the page again, after the passage's advance notice for a face prompt."""
    if notice is not None and m["prompt"] in ("look", "retake"):
        driver.execute_script("window.egateDisplay.render(arguments[0])", notice)
    driver.execute_script("window.egateDisplay.render(arguments[0])", m)


def check_glyphs(m, where, notice=None):
    """Render message m on the page again and fail on any missing glyph."""
    render(m, notice)
    els = [("text", m["text"])]
    if m["lang"] != "en":
        els.append(("text-en", m["text_en"]))
    if m["prompt"] == "notice":
        return
    if js("!document.getElementById('notice').hidden"):
        els.append(("notice-text", js("document.getElementById('notice-text').textContent")))
        els.append(("notice-title", js("document.getElementById('notice-title').textContent")))
    for eid, text in els:
        el = driver.find_element(By.ID, eid)
        if el.text.strip() == "":
            fail("%s: #%s is empty on the page" % (where, eid))
        bad = tofu(el, text)
        if bad:
            fail("%s: prompt %s (%s), #%s: no glyph for %s — install fonts-noto-cjk "
                 "(scripts/install-deps)" % (where, m["prompt"], m["lang"], eid, ", ".join(bad)))


def passage_messages(start):
    return js("window.egateDisplay.log.slice(%d)" % start)


def walk(start, lang, last_prompt, name):
    """The messages of one passage from index start until last_prompt."""
    msgs = wait("the display to reach '%s' in %s" % (last_prompt, lang), lambda: (
        lambda ms: ms if any(x["prompt"] == last_prompt and x["lang"] == lang for x in ms) else None)(
        passage_messages(start)), 120)
    seen = [(x["prompt"], x["lang"]) for x in msgs]
    # the kiosk goes on (the next screen may come while we look): live
    # rendering pauses while the messages are rendered again and checked
    js("window.egateDisplay.freeze(true)")
    # the traveller's language from the first prompt after the MRZ was read
    for x in msgs:
        if x["prompt"] in ("notice", "look", "retake", "proceed", "see_officer", "one_person") \
                and x["lang"] != lang:
            fail("%s: prompt %s in %s, not the traveller's %s: %s" % (name, x["prompt"], x["lang"], lang, seen))
    notice = None
    for x in msgs:
        notice = x if x["prompt"] == "notice" else notice
        check_glyphs(x, name, notice)
        if x["prompt"] != "notice":
            shot("%s-%s" % (x["lang"], x["prompt"]))
    results["passages"].append({"name": name, "prompts": seen})
    return msgs


def unfreeze():
    js("window.egateDisplay.freeze(false)")


opts = webdriver.ChromeOptions()
opts.binary_location = "/usr/bin/chromium"
for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
          "--disable-background-networking", "--disable-component-update", "--disable-sync",
          "--disable-default-apps", "--disable-extensions", "--password-store=basic",
          "--window-size=1024,600", "--user-data-dir=" + os.path.join(tmp, "chrome-profile")):
    opts.add_argument(a)
opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver",
                                          log_path=os.path.join(tmp, "chromedriver.log")),
                          options=opts)
try:
    driver.set_page_load_timeout(60)
    driver.get(url)
    wait("the event stream", lambda: js("document.getElementById('link').className") == "up", 60)
    # the detector itself: an unassigned code point is a box, a letter is not
    body = driver.find_element(By.ID, "text")
    if not tofu(body, "\u0378") or tofu(body, "A"):
        fail("the missing-glyph check does not tell a box from a letter in this browser")
    idle = wait("the first prompt", lambda: js("window.egateDisplay.log.length") > 0, 60)
    first = js("window.egateDisplay.log[window.egateDisplay.log.length - 1]")
    if first["prompt"] != "place_doc" or first["lang"] != "en":
        fail("the idle screen is not 'place your passport' in English: %r" % first)
    check_glyphs(first, "idle")
    shot("en-place_doc")
    n0 = js("window.egateDisplay.log.length")
    touch("browser.ready")

    # ---- 1. a Korean passport, through the gate ------------------------------------
    msgs = walk(n0, "ko", "proceed", "korean")
    prompts = [x["prompt"] for x in msgs]
    for p in ("notice", "look", "proceed"):
        if p not in prompts:
            fail("korean passage: no '%s' prompt: %s" % (p, prompts))
    if prompts.index("notice") > prompts.index("look"):
        fail("the advance notice came after the face prompt: %s" % prompts)
    look = [x for x in msgs if x["prompt"] == "look"][0]
    if not (0 < look["progress"] < 100 and look["countdown"] > 0):
        fail("the face prompt has no progress or countdown: %r" % look)
    proceed = [x for x in msgs if x["prompt"] == "proceed"][0]
    if proceed["outcome"] != "open":
        fail("'proceed' without the decision open: %r" % proceed)
    # the notice is on screen with the face prompt, in Korean
    render(look, [x for x in msgs if x["prompt"] == "notice"][0])
    if js("document.getElementById('notice').hidden") or \
            "자동 얼굴 비교" not in driver.find_element(By.ID, "notice").text:
        fail("the advance notice is not on screen with the face prompt")
    shot("ko-look")
    unfreeze()
    wait("the display back to English for the next traveller", lambda: (
        lambda m: m["prompt"] == "place_doc" and m["lang"] == "en")(
        js("window.egateDisplay.log[window.egateDisplay.log.length - 1]")), 60)
    n1 = js("window.egateDisplay.log.length")
    touch("browser.step1")

    # ---- 2. a Chinese passport, referred ------------------------------------------
    msgs = walk(n1, "zh", "see_officer", "chinese")
    refer = [x for x in msgs if x["prompt"] == "see_officer"][0]
    if refer["outcome"] != "refer" or refer["rule"] == "":
        fail("'see an officer' without the referral and its rule: %r" % refer)
    render(refer)
    shot("zh-see_officer")
    # the traveller touches another language on the screen: Japanese, then
    # English; the page switches at once, with its glyphs
    for lang in ("ja", "en"):
        driver.find_element(By.CSS_SELECTOR, '#langs button[data-lang="%s"]' % lang).click()
        el = driver.find_element(By.ID, "text")
        if el.text != refer["texts"][lang] or el.get_attribute("lang") != lang:
            fail("the traveller chose %s: the page shows %r (lang %s)" % (
                lang, el.text, el.get_attribute("lang")))
        pressed = js("[...document.querySelectorAll('#langs button')]"
                     ".filter(b => b.getAttribute('aria-pressed') === 'true').map(b => b.dataset.lang)")
        if pressed != [lang]:
            fail("the traveller chose %s: buttons pressed %r" % (lang, pressed))
        en = driver.find_element(By.ID, "text-en").text
        if (lang == "en") != (en == ""):
            fail("the traveller chose %s: English beneath is %r" % (lang, en))
        bad = tofu(el, el.text)
        if bad:
            fail("the traveller chose %s: no glyph for %s" % (lang, ", ".join(bad)))
        shot("%s-chosen-see_officer" % lang)
    results["chosen"] = ["ja", "en"]
    unfreeze()
    results["reloads"] = js("performance.getEntriesByType('navigation').length")
    touch("browser.done", json.dumps(results))
finally:
    driver.quit()
