"""Pictures in the app: attach, send, see them drawn, open, save; a snapshot with a picture."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PIL import Image
from textual import events
from textual.pilot import Pilot

from routmy_tui.demo.server import DemoServer
from routmy_tui.ui.chat.attachments import AttachDialog, AttachmentBar
from routmy_tui.ui.chat.composer import Composer
from routmy_tui.ui.chat.items import Item, UserItem
from routmy_tui.ui.chat.picture_viewer import PictureScreen
from routmy_tui.ui.chat.pictures import halfcell_strips
from routmy_tui.ui.widgets.dialogs import ConfirmDialog, PathDialog
from tests.ui.helpers import last_reply, make_app, send, view_of, wait_for


def photo(tmp_path: Path, colour: tuple[int, int, int] = (30, 160, 60)) -> Path:
    path = tmp_path / "leaf photo.jpg"
    Image.new("RGB", (640, 480), colour).save(path, "JPEG")
    return path


def drawn_colours(pilot: Pilot[Any], item: Item) -> list[tuple[int, int, int]]:
    """The colours of the half-cell blocks the item shows (empty until a picture is drawn)."""
    view = view_of(pilot.app)
    width = view.scrollable_content_region.width - 2
    height = item.layout(pilot.app.console, width, view.palette)
    colours = []
    for index in range(height):
        for segment in item.line(index):
            style = segment.style
            if segment.text.startswith("▀") and style and style.color and style.color.triplet:
                colours += [tuple(style.color.triplet)] * len(segment.text)  # one per block
    return colours  # type: ignore[return-value]


def test_inline_blocks_are_those_textual_image_draws() -> None:
    from rich.console import Console
    from textual_image.renderable import HalfcellImage

    image = Image.effect_noise((56, 40), 90).convert("RGB")  # no two cells alike
    image.paste((200, 30, 30), (0, 0, 20, 40))  # a flat part, drawn as one run
    ours = halfcell_strips(image, 28, 10)
    console = Console(width=28, color_system="truecolor", force_terminal=True)
    options = console.options.update(width=28, max_width=28, height=10)
    theirs = console.render_lines(
        HalfcellImage(image.resize((28, 20)), width=28, height=10), options, pad=True
    )

    def cells(line: Any) -> list[tuple[str, Any]]:
        return [(char, segment.style) for segment in line for char in segment.text]

    assert [cells(line) for line in ours] == [cells(line) for line in theirs]
    assert len(list(ours[0])) < 28  # runs of equal cells are one segment


def bar(pilot: Pilot[Any]) -> AttachmentBar:
    return pilot.app.screen.query_one(AttachmentBar)


async def test_attach_send_and_see_the_picture_drawn(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    path = photo(tmp_path)
    app = make_app(demo_server.base_url, model="demo/vision")
    async with app.run_test(size=(110, 40)) as pilot:
        await wait_for(pilot, lambda: bool(app.screen.query(Composer)))
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(app.screen, AttachDialog))
        app.screen.query_one("#attach-path").value = str(path)  # type: ignore[attr-defined]
        await wait_for(
            pilot, lambda: "640×480" in str(app.screen.query_one("#attach-facts").render())
        )
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(bar(pilot).attachments) == 1)
        chip = bar(pilot).query_one(".chip")
        assert "leaf photo.jpg" in str(chip.label) and "640×480" in str(chip.label)
        await send(pilot, "What is this?")
        await wait_for(pilot, lambda: last_reply(app).reply.status == "complete")
        assert "mostly green" in last_reply(app).reply.content
        assert not bar(pilot).attachments  # the pictures went with the message
        sent = last_reply(app).exchange
        assert sent is not None
        parts = sent.request_body["messages"][-1]["content"]
        assert [p["type"] for p in parts] == ["text", "image_url"]
        user = next(i for i in view_of(app).items if isinstance(i, UserItem))
        await wait_for(pilot, lambda: len(drawn_colours(pilot, user)) > 50)
        red, green, blue = drawn_colours(pilot, user)[0]
        assert green > red + 60 and green > blue + 60


async def test_pictures_alone_can_be_sent(demo_server: DemoServer, tmp_path: Path) -> None:
    app = make_app(demo_server.base_url, model="demo/vision")
    async with app.run_test(size=(110, 40)) as pilot:
        await wait_for(pilot, lambda: bool(app.screen.query(Composer)))
        composer = app.screen.query_one(Composer)
        composer.focus()
        await pilot.press("enter")  # nothing typed, nothing attached: nothing to send
        app.screen.attach(str(photo(tmp_path)))  # type: ignore[attr-defined]
        await wait_for(pilot, lambda: len(bar(pilot).attachments) == 1)
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(view_of(app).items))
        await wait_for(pilot, lambda: last_reply(app).reply.status == "complete")
        assert "mostly green" in last_reply(app).reply.content
        assert not bar(pilot).attachments
        users = [i for i in view_of(app).items if isinstance(i, UserItem)]
        assert len(users) == 1  # the first Enter sent nothing
        sent = last_reply(app).exchange
        assert sent is not None
        message = sent.request_body["messages"][-1]
        assert message["role"] == "user"
        assert [p["type"] for p in message["content"]] == ["image_url"]
        assert message["content"][0]["image_url"]["url"].startswith("data:image/")
        await wait_for(pilot, lambda: len(drawn_colours(pilot, users[0])) > 50)


async def test_a_generated_picture_is_drawn_and_opens_full_screen(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    app = make_app(demo_server.base_url, model="demo/image")
    async with app.run_test(size=(110, 40)) as pilot:
        await send(pilot, "a blue square")
        await wait_for(pilot, lambda: last_reply(app).reply.status == "complete")
        item = last_reply(app)
        await wait_for(pilot, lambda: len(drawn_colours(pilot, item)) > 50)
        colours = drawn_colours(pilot, item)
        bluish = [c for c in colours if c[2] > c[0] + 80 and c[2] > c[1] + 80]
        assert len(bluish) > len(colours) // 4
        view_of(app).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PictureScreen))
        await wait_for(pilot, lambda: app.screen.image is not None)  # type: ignore[attr-defined]
        assert "1024×1024" in str(app.screen.query_one("#picture-title").render())
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, PictureScreen))


async def test_save_refuses_to_overwrite_without_asking(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    target = tmp_path / "mine.png"
    target.write_bytes(b"precious")
    app = make_app(demo_server.base_url, model="demo/image")
    async with app.run_test(size=(110, 40)) as pilot:
        await send(pilot, "a red circle")
        await wait_for(pilot, lambda: last_reply(app).reply.status == "complete")
        view_of(app).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PictureScreen))
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, PathDialog))
        field = app.screen.query_one("#dialog-input")
        assert Path(field.value).name.startswith("routmy-")  # type: ignore[attr-defined]
        field.value = str(target)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, PictureScreen))
        assert target.read_bytes() == b"precious"
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, PathDialog))
        app.screen.query_one("#dialog-input").value = str(target)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_for(pilot, lambda: target.read_bytes().startswith(b"\x89PNG"))


async def test_a_dropped_file_attaches_and_a_bad_one_says_why(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    good = photo(tmp_path)
    bad = tmp_path / "fake.png"
    bad.write_bytes(b"not a picture at all")
    app = make_app(demo_server.base_url, model="demo/vision")
    async with app.run_test(size=(110, 40)) as pilot:
        await wait_for(pilot, lambda: bool(app.screen.query(Composer)))
        composer = app.screen.query_one(Composer)
        composer.text = "draft stays"
        composer.post_message(events.Paste(f"'{good}'"))
        await wait_for(pilot, lambda: len(bar(pilot).attachments) == 1)
        composer.post_message(events.Paste(bad.as_uri()))
        await wait_for(
            pilot, lambda: any("is not a picture" in n.message for n in app._notifications)
        )
        assert len(bar(pilot).attachments) == 1
        assert composer.text == "draft stays"
        await pilot.click(".chip")  # the chip's ✕ removes it
        await wait_for(pilot, lambda: not bar(pilot).attachments)


async def test_sending_a_picture_to_a_blind_model_asks_first(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    app = make_app(demo_server.base_url, model="demo/chat")
    async with app.run_test(size=(110, 40)) as pilot:
        await wait_for(pilot, lambda: "demo/chat" in app.catalog.by_id, timeout=15)
        app.screen.attach(str(photo(tmp_path)))  # type: ignore[attr-defined]
        await wait_for(pilot, lambda: len(bar(pilot).attachments) == 1)
        await send(pilot, "look at this")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("n")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmDialog))
        assert not view_of(app).items  # nothing went
        assert app.screen.query_one(Composer).text == "look at this"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_for(pilot, lambda: bool(view_of(app).items))
        await wait_for(pilot, lambda: last_reply(app).reply.status == "complete")
        assert "cannot see them" in last_reply(app).reply.content


def test_snapshot_with_a_picture(snap_compare: Any, demo_server: DemoServer) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        await wait_for(pilot, lambda: bool(app.screen.query("#composer")))
        app.screen.query_one("#composer").cursor_blink = False  # type: ignore[attr-defined]
        await send(pilot, "a red circle and a blue square on a yellow background")
        await wait_for(pilot, lambda: last_reply(app).reply.status == "complete")
        item = last_reply(app)
        await wait_for(pilot, lambda: len(drawn_colours(pilot, item)) > 50)
        item.run.started, item.run.first_token, item.run.ended = 0.0, 0.25, 1.5
        item.run.began = 0.0
        item.multiplier = None  # shown only if the catalog arrived before the reply: a race
        view_of(app).item_changed(item)
        await pilot.pause(0.1)

    app = make_app(demo_server.base_url, model="demo/image")
    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


async def test_image_models_get_modalities_and_the_aspect_ratio_set_in_parameters(
    demo_server: DemoServer,
) -> None:
    from textual.widgets import Select

    from routmy_tui.core.images import load_picture
    from routmy_tui.ui.models.params_screen import ParamsScreen

    app = make_app(demo_server.base_url, model="demo/image")
    async with app.run_test(size=(110, 40)) as pilot:
        await wait_for(pilot, lambda: "demo/image" in app.catalog.by_id, timeout=15)
        await pilot.press("f4")
        await wait_for(pilot, lambda: isinstance(app.screen, ParamsScreen))
        app.screen.query_one("#p-aspect_ratio", Select).value = "16:9"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, ParamsScreen))
        await send(pilot, "a green star")
        await wait_for(pilot, lambda: last_reply(app).reply.status == "complete")
        item = last_reply(app)
        assert item.exchange is not None
        body = item.exchange.request_body
        assert body["modalities"] == ["image", "text"]  # the catalog says it makes pictures
        assert body["image_config"] == {"aspect_ratio": "16:9"}
        assert load_picture(item.reply.images[0]).size == (1024, 576)
