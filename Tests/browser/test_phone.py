"""Every page of every role fits a 375 px wide phone screen: nothing scrolls sideways."""

import pytest

from conftest import PHONE, SITE_PAGE_IDS, SITE_PAGES, resolve_site_page, url

# The elements whose right edge sets the page's width, so a failure says what to fix. (An
# absolutely positioned element can stick out of a sideways-scrolling box whose position is static.)
WIDEST = """() => {
  const width = document.documentElement.scrollWidth;
  const out = [];
  for (const e of document.querySelectorAll('body *')) {
    const r = e.getBoundingClientRect();
    if (r.width > 0 && Math.abs(r.right + window.scrollX - width) <= 1) {
      const id = e.id ? '#' + e.id : '';
      const cls = typeof e.className === 'string' && e.className.trim() ? '.' + e.className.trim().split(/\\s+/).join('.') : '';
      const parent = e.parentElement;
      const pcls = parent && typeof parent.className === 'string' && parent.className.trim() ? '.' + parent.className.trim().split(/\\s+/)[0] : '';
      out.push(`${e.tagName.toLowerCase()}${id}${cls} (position ${getComputedStyle(e).position}, in ${parent ? parent.tagName.toLowerCase() + pcls : '?'})`);
    }
  }
  return out.slice(0, 6);
}"""


@pytest.mark.parametrize("role,name,finder", SITE_PAGES, ids=SITE_PAGE_IDS)
def test_every_page_fits_a_375_px_screen_without_sideways_scrolling(open_page, role, name, finder):
    page = open_page(role, viewport=PHONE)
    path = resolve_site_page(page, finder)
    response = page.goto(url(path))
    assert response.status == 200, f"{path} answered {response.status}"
    size = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth,"
        " inner: window.innerWidth})"
    )
    assert size["inner"] == PHONE["width"], f"the viewport is {size['inner']} px wide, not {PHONE['width']}"
    fits = size["scroll"] <= size["client"] and size["scroll"] <= PHONE["width"]
    assert fits, (
        f"{role or 'signed out'} {path} is {size['scroll']} px wide at {PHONE['width']} px "
        f"(clientWidth {size['client']}); its right edge is set by: {page.evaluate(WIDEST)}"
    )
