"""An offline demo in a real Chromium: no page asks any host but the app's own, and the tab has an icon."""

from __future__ import annotations

from urllib.parse import urlparse

from components.catalog import HOME, built_lessons

ABSOLUTE = "href => new URL(href, location.href).href"


def test_every_page_loads_from_the_app_alone_with_its_own_favicon(page, app_url) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    app_host = urlparse(app_url).netloc
    icon = ""
    for info in [HOME, *built_lessons()]:
        page.goto(f"{app_url}/{info.url_path}")
        page.locator("h1").first.wait_for()
        page.wait_for_timeout(300)  # the favicon is requested after the first render
        icon = page.evaluate(ABSOLUTE, page.locator("link[rel~='icon']").first.get_attribute("href"))
        assert urlparse(icon).netloc == app_host, f"{info.title}: favicon from {icon}"
    outside = sorted({u for u in requested if urlparse(u).scheme in ("http", "https", "ws", "wss")
                      and urlparse(u).netloc != app_host})
    assert not outside, f"requests left the machine: {outside}"
    response = page.request.get(icon)
    assert response.ok and response.headers["content-type"].startswith("image/")
