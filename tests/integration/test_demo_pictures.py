"""Pictures through the real client and the demo backend: vision in, image output out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from routmy_tui.core.client import ReplyFinished, ReplyUpdated, RoutmyClient
from routmy_tui.core.images import load_picture, prepare_file
from routmy_tui.core.request import build_chat_body
from routmy_tui.core.secret import Secret
from routmy_tui.core.types import ChatMessage, Reply
from routmy_tui.demo.images import main_colour
from routmy_tui.demo.server import DemoServer
from tests.conftest import FAKE_KEY


@pytest.fixture
async def client(demo_server: DemoServer) -> Any:
    c = RoutmyClient(demo_server.base_url, Secret(FAKE_KEY), max_retries=0, read_timeout=30)
    yield c
    await c.aclose()


async def ask(
    client: RoutmyClient, model: str, message: ChatMessage, *, stream: bool
) -> tuple[Reply, list[Any]]:
    run = client.chat(build_chat_body(model, [message], stream=stream))
    events = [event async for event in run.events()]
    assert isinstance(events[-1], ReplyFinished)
    return events[-1].reply, events


async def test_vision_describes_an_attached_photo_size_and_main_colour(
    client: RoutmyClient, tmp_path: Path
) -> None:
    path = tmp_path / "leaf.jpg"
    Image.new("RGB", (640, 480), (30, 160, 60)).save(path, "JPEG")
    picture = prepare_file(path)
    reply, _ = await ask(
        client, "demo/vision", ChatMessage("user", "What is this?", [picture.url]), stream=True
    )
    assert "640x480 pixels" in reply.content
    assert "mostly green" in reply.content


@pytest.mark.parametrize("stream", [True, False])
async def test_demo_image_draws_what_the_prompt_names(client: RoutmyClient, stream: bool) -> None:
    reply, events = await ask(
        client, "demo/image", ChatMessage("user", "a blue square"), stream=stream
    )
    assert len(reply.images) == 1
    picture = load_picture(reply.images[0])
    assert main_colour(picture)[0] == "blue"
    if stream:  # the picture came in delta.images, not only at the end
        assert any(isinstance(e, ReplyUpdated) and e.delta.images for e in events)


async def test_colours_and_shapes_land_where_the_prompt_puts_them(client: RoutmyClient) -> None:
    reply, _ = await ask(
        client,
        "demo/image",
        ChatMessage("user", "a red circle and a green star on a yellow background"),
        stream=True,
    )
    picture = load_picture(reply.images[0]).convert("RGB")
    width, height = picture.size
    patch = min(width, height) // 10  # around the middle of each half
    left = picture.crop(
        (width // 4 - patch, height // 2 - patch, width // 4 + patch, height // 2 + patch)
    )
    right = picture.crop(
        (3 * width // 4 - patch, height // 2 - patch, 3 * width // 4 + patch, height // 2 + patch)
    )
    corner = picture.crop((width - 20, height - 20, width, height))
    assert main_colour(left)[0] == "red"
    assert main_colour(right)[0] == "green"
    assert main_colour(corner)[0] == "yellow"
