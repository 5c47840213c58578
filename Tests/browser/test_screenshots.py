"""Full-page pictures of each role's home and the sign-in page, wide and phone-sized, for people to
look at (written to $LUOTSI_SCREENSHOTS as ROLE-WIDTH.png)."""

import os
from pathlib import Path

import pytest

from conftest import DESKTOP, HOME, PHONE, url, with_lang

FOLDER = Path(os.environ.get("LUOTSI_SCREENSHOTS", ".build/screenshots"))
SHOTS = [("sign-in", None, "/")] + [(role, role, path) for role, path in HOME.items()]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=lambda v: str(v["width"]))
@pytest.mark.parametrize("name,role,path", SHOTS, ids=[s[0] for s in SHOTS])
def test_screenshot_of_each_home_page(open_page, name, role, path, viewport):
    FOLDER.mkdir(parents=True, exist_ok=True)
    page = open_page(role, viewport=viewport)
    response = page.goto(url(with_lang(path, "fi")))
    assert response.status == 200, f"{path} answered {response.status}"
    file = FOLDER / f"{name}-{viewport['width']}.png"
    file.unlink(missing_ok=True)
    page.screenshot(path=str(file), full_page=True)
    # A blank or broken page compresses to a few kB; a real page is well above 10 kB.
    assert file.is_file(), f"{file} was not written"
    assert file.stat().st_size > 10_000, f"{file} is only {file.stat().st_size} bytes"
