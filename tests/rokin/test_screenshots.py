"""``scripts/screenshots`` (``rokin.screenshots``), cheaply: one of its pictures taken by its own code in
Debian's Chromium against the app on a live server, the free ports it gives ``rokin dev``, and the
README section that shows every picture it makes and names the script. (The whole run — ``rokin dev``,
sample data, five pictures — is the script itself.)"""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from rokin import screenshots

from .conftest import REPO

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE), f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.browser
async def test_the_login_screen_picture(browser, live_server, tmp_path):  # noqa: ANN001
    shot = await screenshots.shoot_login(browser, live_server, tmp_path)
    assert shot == tmp_path / "login.png"
    assert png_size(shot) == (screenshots.VIEWPORT["width"], screenshots.VIEWPORT["height"])


def test_rokin_dev_gets_five_distinct_free_ports(tmp_path):
    stack = screenshots.DevStack.on_free_ports(tmp_path)
    ports = [stack.temporal, stack.ui, stack.web, stack.smtp, stack.pki]
    assert len(set(ports)) == 5 and all(port > 1024 for port in ports)
    assert stack.env["ROKIN_DATA_DIR"] == str(tmp_path)
    assert stack.env["TEMPORAL_ADDRESS"] == f"127.0.0.1:{stack.temporal}"


def test_the_readme_shows_every_picture_and_names_the_script():
    readme = (REPO / "README.md").read_text()
    section = readme.split("\n## Screenshots\n", 1)[1].split("\n## ", 1)[0]
    assert "scripts/screenshots" in section
    for name in screenshots.SHOTS:
        assert f"](docs/screens/{name})" in section, name
