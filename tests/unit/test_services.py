"""Services made in the warm-up thread are the ones the app uses: one history, one client."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from routmy_tui.config.settings import Settings
from routmy_tui.services.container import Services
from routmy_tui.store import Store


def test_the_warm_up_thread_and_the_ui_asking_at_once_share_one_history_and_one_client(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[Store] = []
    real_open = Store.open

    def slow_open(path: Path) -> Store:
        time.sleep(0.05)  # widens the window in which the UI asks while the thread opens
        store = real_open(path)
        opened.append(store)
        return store

    monkeypatch.setattr(Store, "open", staticmethod(slow_open))
    services = Services(Settings(base_url="http://127.0.0.1:9/v1", data_dir=tmp_path))
    start = threading.Thread(target=services.prepare)
    start.start()
    seen = [services.store() for _ in range(3)]
    clients = {id(services.client) for _ in range(3)}
    start.join()
    assert len(opened) == 1
    assert all(store is opened[0] for store in seen)
    assert clients == {id(services.client)}
    opened[0].close()


def test_a_history_that_cannot_open_in_the_warm_up_thread_is_reported_on_use(
    tmp_path: Path,
) -> None:
    (tmp_path / "routmy.db").write_bytes(b"not a database" * 100)
    services = Services(Settings(base_url="http://127.0.0.1:9/v1", data_dir=tmp_path))
    start = threading.Thread(target=services.prepare)
    start.start()
    start.join()
    assert services.store() is None
    assert services.store_problem is not None and "History is off" in services.store_problem


def test_a_history_this_run_created_is_not_one_to_resume(tmp_path: Path) -> None:
    services = Services(Settings(base_url="http://127.0.0.1:9/v1", data_dir=tmp_path))
    assert not services.db_path.exists()
    services.prepare()  # as the warm-up does, for a new chat
    assert services.db_path.exists()
    # ...but it is no history to resume: the chat screen keeps its welcome shown (hiding
    # it and showing it again laid the screen out twice more just after the first frame).
    assert not services.store_exists()
    services.store().close()  # type: ignore[union-attr]
    # A history found at start is one to resume, opened (not made) by this run.
    again = Services(Settings(base_url="http://127.0.0.1:9/v1", data_dir=tmp_path))
    assert again.store_exists()
    again.store().close()  # type: ignore[union-attr]
    assert again.store_exists()


def test_whether_a_model_makes_pictures_is_known_without_making_the_catalog(
    tmp_path: Path,
) -> None:
    """A send asks it: before the model list loads only the user's overrides know, and
    making the catalog to ask it loaded its modules in front of the first request."""
    from routmy_tui.ui.models.catalog_actions import CatalogRefresher

    settings = Settings(
        base_url="http://127.0.0.1:9/v1",
        data_dir=tmp_path,
        cache_dir=tmp_path,
        model_overrides={"demo/image": {"image_out": True}},
    )
    services = Services(settings)
    refresher = CatalogRefresher(services, print, lambda work: None, lambda catalog: None)
    assert refresher.makes_pictures("demo/image") is True
    assert refresher.makes_pictures("demo/chat") is False
    assert services.catalog_if_made is None
    catalog = refresher.catalog  # made (the warm-up's start), and listened to
    assert services.catalog_if_made is catalog
    assert refresher.makes_pictures("demo/image") is True  # the override still wins
