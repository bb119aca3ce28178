"""The command palette's source: the app's commands, each with its key beside its title."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from routmy_tui.ui.commands import BY_ID, COMMANDS, TEXTUAL_TITLES, key_label, keys_of

if TYPE_CHECKING:
    from textual.app import SystemCommand


def key_for_title(title: str, keymap: dict[str, str]) -> str:
    """The key (as shown) of the palette command with this title; "" when it has none."""
    for command in COMMANDS:
        if command.title == title:
            return key_label(keys_of(command, keymap))
    binding_id = TEXTUAL_TITLES.get(title)
    if binding_id is not None:
        return key_label(keys_of(BY_ID[binding_id], keymap))
    return ""


class CommandsProvider(Provider):
    """The app's system commands (ours first, then Textual's), with their keys."""

    def _commands(self) -> list[tuple[SystemCommand, str]]:
        keymap: dict[str, str] = getattr(self.app, "keymap", {})
        return [
            (command, key_for_title(command.title, keymap))
            for command in self.app.get_system_commands(self.screen)
        ]

    @staticmethod
    def _display(title: Content | str, key: str) -> Content:
        if not key:
            return Content(title) if isinstance(title, str) else title
        return Content.assemble(title, "  ", (key, "$text-muted"))

    async def discover(self) -> Hits:
        """Every command, in the app's order, when nothing is typed yet."""
        for command, key in self._commands():
            if command.discover:
                yield DiscoveryHit(
                    self._display(command.title, key),
                    command.callback,
                    text=command.title,
                    help=command.help,
                )

    async def search(self, query: str) -> Hits:
        """Commands whose title matches what was typed (fuzzy)."""
        matcher = self.matcher(query)
        for command, key in self._commands():
            score = matcher.match(command.title)
            if score > 0:
                yield Hit(
                    score,
                    self._display(matcher.highlight(command.title), key),
                    command.callback,
                    text=command.title,
                    help=command.help,
                )
