"""The one command table: id, palette title, default keys, where it applies, footer, action.

Bindings (`bindings_for`), the keymap check, the palette (with each command's key), the
footer (`footer=True`) and the help screen are all made from `COMMANDS`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from textual.binding import Binding, BindingsMap, BindingType
from textual.keys import Keys, format_key

WHERE = {
    "app": "Everywhere",
    "chat": "Chat screen",
    "conversation": "Conversation (Tab to focus it)",
    "inspector": "Inspector (F2)",
    "picker": "Model picker (F3)",
    "params": "Parameters (F4)",
    "system": "System prompt (F5)",
    "preview": "Request preview (Ctrl+G)",
    "replay": "Replay request",
    "browser": "Conversations (Ctrl+O)",
    "compare": "Compare models (F8)",
    "settings": "Settings (F9)",
    "help": "Help (F1)",
}
"""Where a command applies, in the order help lists them, with the heading it shows."""


@dataclass(frozen=True)
class Command:
    """One thing the user can do."""

    id: str
    """The binding id, the name used in the config's `[keymap]` table."""
    where: str
    """A key of `WHERE`: the screen or focused widget whose bindings hold it."""
    action: str
    """The Textual action run by its key, on the widget or screen of `where`."""
    keys: str = ""
    """Default keys, comma-separated (Textual key names); empty for palette-only commands."""
    label: str = ""
    """The short name in the footer and the help screen."""
    title: str = ""
    """The palette title (part of the interface: users know these); empty: not in the palette."""
    help: str = ""
    """The palette's line under the title."""
    footer: bool = False
    """Shown in the footer (when it applies where the focus is)."""
    priority: bool = False
    """Checked before the focused widget sees the key."""


def _c(*args: str, **kwargs: object) -> Command:
    return Command(*args, **kwargs)  # type: ignore[arg-type]


COMMANDS: tuple[Command, ...] = (
    # --- everywhere ----------------------------------------------------------------
    _c("quit", "app", "quit", "ctrl+q", label="Quit", footer=True, priority=True),
    _c("help", "app", "show_help", "f1,question_mark", label="Help", title="Help",
       help="Every key of the app, by screen", footer=True),
    _c("settings", "app", "show_settings", "f9", label="Settings", title="Settings",
       help="Defaults of new chats, theme, keys, picture limits, confirmations", priority=True),
    # --- chat screen (whatever has the focus) ----------------------------------------
    # Keys that open a dialog are priority bindings: Textual then runs them before it takes
    # the next key, so letters typed right after F3 reach the picker, not the draft.
    _c("stop", "chat", "stop", "escape", label="Stop", title="Stop reply",
       help="Stop the reply and keep what arrived", footer=True, priority=True),
    _c("cancel-edit", "chat", "cancel_edit", "escape", label="Cancel edit", footer=True,
       priority=True),
    _c("leave-answering", "chat", "leave_answering", "escape", label="Leave answering",
       footer=True, priority=True),
    _c("answer-calls", "chat", "answer_calls", title="Answer tool calls",
       help="Answer the tool calls the last reply waits on"),
    _c("toggle-inspector", "chat", "toggle_inspector", "f2", label="Inspector",
       title="Toggle inspector", help="Show what went over the wire", footer=True),
    _c("select-model", "chat", "select_model", "f3", label="Model", title="Select model",
       help="Pick the model of this conversation", footer=True, priority=True),
    _c("parameters", "chat", "parameters", "f4", label="Params", title="Parameters",
       help="Request parameters of this conversation", footer=True, priority=True),
    _c("system-prompt", "chat", "system_prompt", "f5", label="System", title="System prompt",
       help="The system prompt of this conversation", footer=True, priority=True),
    _c("preview-request", "chat", "preview_request", "ctrl+g", label="Preview",
       title="Preview request", help="The exact JSON body the next request will carry",
       footer=True),
    _c("retry", "chat", "retry", "ctrl+r", label="Retry", title="Retry reply",
       help="Ask again for the last reply", footer=True),
    _c("new-conversation", "chat", "new_chat", "ctrl+n", label="New",
       title="New conversation", help="Start an empty chat", footer=True),
    _c("conversations", "chat", "conversations", "ctrl+o", label="Conversations",
       title="Conversations", help="Browse and search all conversations", footer=True,
       priority=True),
    _c("toggle-sidebar", "chat", "toggle_sidebar", "ctrl+b", label="Sidebar",
       title="Toggle sidebar", help="Show or hide the conversation list", footer=True),
    _c("api-key", "chat", "enter_key", "ctrl+k", label="API key", title="Enter API key",
       help="Save a rout.my key to the config file", footer=True, priority=True),
    _c("attach-image", "chat", "attach_image", "ctrl+t", label="Attach", title="Attach image",
       help="Attach a picture file or an https URL to the draft", priority=True),
    _c("save-image", "chat", "save_image", title="Save image",
       help="Save the selected (or newest) picture to a file"),
    _c("copy-image-path", "chat", "copy_image_path", title="Copy image path",
       help="Copy where the picture is saved"),
    _c("compare-models", "chat", "compare", "f8", label="Compare", title="Compare models",
       help="Send your next message to 2 to 4 models at once; keep the best reply", priority=True),
    _c("copy-conversation", "chat", "copy_conversation", title="Copy conversation as Markdown",
       help="The whole branch on screen, to the clipboard and a 0600 file"),
    _c("edit-draft", "chat", "edit_draft", title="Edit draft in $EDITOR",
       help="Write the message in your editor; it comes back into the composer"),
    _c("focus-composer", "chat", "focus_composer", "ctrl+l", label="Compose"),
    _c("refresh-models", "chat", "refresh_models", title="Refresh models",
       help="Fetch the model list again"),
    _c("export-conversation", "chat", "export", title="Export conversation",
       help="Write this branch as Markdown or JSON"),
    _c("import-conversation", "chat", "import", title="Import conversation",
       help="Open a JSON or Markdown export as a new conversation"),
    _c("edit-tools", "chat", "edit_tools", title="Edit tools",
       help="Function tools offered in this conversation, and tool_choice"),
    _c("load-tools", "chat", "load_tools", title="Load tools",
       help="Offer the tools of a file (.json, .toml) or a saved set"),
    # --- the conversation, when it has the focus -------------------------------------
    _c("edit-message", "conversation", "screen.edit_message", "e", label="Edit",
       title="Edit message", help="Edit your selected message; resend it as a new branch",
       footer=True),
    _c("regenerate", "conversation", "screen.regenerate", "g", label="Regenerate",
       title="Regenerate reply", help="Ask again; the old reply is kept as a sibling",
       footer=True),
    _c("sibling-previous", "conversation", "screen.sibling(-1)", "[", label="Prev version",
       title="Previous version", help="The previous version of the selected message",
       footer=True),
    _c("sibling-next", "conversation", "screen.sibling(1)", "]", label="Next version",
       title="Next version", help="The next version of the selected message", footer=True),
    _c("toggle-reasoning", "conversation", "toggle_reasoning", "t", label="Thinking",
       footer=True),
    _c("open-picture", "conversation", "open_picture", "enter", label="Open picture",
       title="Open picture", help="Show the selected (or newest) picture full screen"),
    _c("show-all", "conversation", "show_all", "a", label="Show all",
       title="Show all of a reply", help="Draw the blocks cut short for size in full"),
    _c("copy-message", "conversation", "screen.copy_message", "y", label="Copy",
       title="Copy message", help="The selected message (else the newest reply) as Markdown",
       footer=True),
    _c("copy-code", "conversation", "screen.copy_code", "c", label="Copy code",
       title="Copy code block",
       help="From the selected message (else the newest reply); asks which if several"),
    _c("open-in-editor", "conversation", "screen.open_message('editor')", "o",
       label="Open in $EDITOR", title="Open message in $EDITOR",
       help="The selected message (else the newest reply) as Markdown, in your editor"),
    _c("open-in-pager", "conversation", "screen.open_message('pager')", "v",
       label="Open in $PAGER", title="Open message in $PAGER",
       help="The selected message (else the newest reply) as Markdown, in your pager"),
    _c("message-previous", "conversation", "select(-1)", "up,k", label="Previous message"),
    _c("message-next", "conversation", "select(1)", "down,j", label="Next message"),
    _c("scroll-top", "conversation", "scroll_home", "home", label="Top"),
    _c("scroll-bottom", "conversation", "scroll_end", "end", label="Bottom"),
    _c("page-up", "conversation", "page_up", "pageup", label="Page up"),
    _c("page-down", "conversation", "page_down", "pagedown", label="Page down"),
    # --- the inspector (its tab strip; on the Stream tab typing goes to the filter) -----
    _c("inspector-copy-curl", "inspector", "wire('copy', 'curl')", "c",
       label="Copy curl", title="Copy as curl", help="The request as a curl command"),
    _c("inspector-copy-request", "inspector", "wire('copy', 'request')", "q",
       label="Copy request", title="Copy request JSON", help="The exact JSON body sent"),
    _c("inspector-copy-response", "inspector", "wire('copy', 'response')", "s",
       label="Copy response", title="Copy response JSON", help="The response as one object"),
    _c("inspector-copy-stream", "inspector", "wire('copy', 'stream')", "l",
       label="Copy stream", title="Copy stream log", help="Every raw SSE line with its time"),
    _c("inspector-save", "inspector", "wire('save', '')", "w", label="Save…",
       title="Save exchange to file", help="Save curl, request, response or stream log"),
    _c("inspector-replay", "inspector", "replay", "e", label="Replay",
       title="Replay request", help="Edit the request JSON and send it again"),
    _c("replay-external", "inspector", "replay(True)", title="Replay request in $EDITOR",
       help="Edit the request in your editor, then send it"),
    # --- screens on top of the chat ----------------------------------------------------
    _c("picker-close", "picker", "close", "escape", label="Close", footer=True),
    _c("picker-down", "picker", "move(1)", "down", label="Down", priority=True),
    _c("picker-up", "picker", "move(-1)", "up", label="Up", priority=True),
    _c("picker-page-down", "picker", "move(10)", "pagedown", label="Page down", priority=True),
    _c("picker-page-up", "picker", "move(-10)", "pageup", label="Page up", priority=True),
    _c("picker-favourite", "picker", "favourite", "ctrl+f", label="Favourite", footer=True),
    _c("picker-refresh", "picker", "refresh", "ctrl+r", label="Refresh", footer=True),
    _c("params-cancel", "params", "cancel", "escape", label="Cancel", footer=True),
    _c("params-apply", "params", "apply", "ctrl+s", label="Apply", footer=True),
    _c("system-cancel", "system", "cancel", "escape", label="Cancel", footer=True),
    _c("system-apply", "system", "apply", "ctrl+s", label="Apply", footer=True),
    _c("preview-close", "preview", "close", "escape,q", label="Close", footer=True),
    _c("replay-send", "replay", "send", "ctrl+s", label="Send", footer=True, priority=True),
    _c("replay-cancel", "replay", "cancel", "escape", label="Cancel", footer=True),
    _c("close-conversations", "browser", "close", "escape", label="Back", footer=True),
    _c("rename-conversation", "browser", "rename", "f2,r", label="Rename", footer=True),
    _c("delete-conversation", "browser", "delete", "ctrl+d,d,delete", label="Delete",
       footer=True),
    _c("undo-delete", "browser", "undo", "ctrl+u,u", label="Undo delete", footer=True),
    _c("new-from-browser", "browser", "new", "ctrl+n", label="New", footer=True),
    _c("compare-previous", "compare", "select(-1)", "left,h", label="Previous column"),
    _c("compare-next", "compare", "select(1)", "right,l", label="Next column"),
    _c("compare-keep", "compare", "keep", "enter", label="Keep this one", footer=True),
    _c("compare-stop-one", "compare", "stop_one", "x", label="Stop this one", footer=True),
    _c("compare-reasoning", "compare", "toggle_reasoning", "t", label="Thinking"),
    _c("settings-close", "settings", "close", "escape", label="Close", footer=True),
    _c("help-close", "help", "close", "escape,f1,q", label="Close", footer=True),
)  # fmt: skip
"""Every command of the app, by where it applies."""

BY_ID = {command.id: command for command in COMMANDS}

TEXTUAL_TITLES = {"Quit": "quit", "Keys": "help"}
"""Textual's own palette commands that run one of ours: their key is shown too."""


def bindings_for(where: str) -> list[BindingType]:
    """The `BINDINGS` of the screen or widget that owns the commands of `where`."""
    return [
        Binding(
            command.keys,
            command.action,
            command.label,
            show=command.footer,
            priority=command.priority,
            id=command.id,
        )
        for command in COMMANDS
        if command.where == where and command.keys
    ]


def palette_commands(wheres: Iterable[str]) -> list[Command]:
    """The palette's commands of these places, in table order."""
    places = set(wheres)
    return [command for command in COMMANDS if command.title and command.where in places]


def keys_of(command: Command, keymap: Mapping[str, str]) -> str:
    """The keys in force for a command: the user's keymap entry, else its default."""
    return keymap.get(command.id, command.keys)


def key_label(keys: str) -> str:
    """Keys as people write them: `f2` -> `F2`, `ctrl+g` -> `Ctrl+G`, `question_mark` -> `?`."""
    out = []
    for key in keys.split(","):
        key = key.strip()
        if not key:
            continue
        *modifiers, name = key.split("+")
        shown = format_key(name)
        if len(shown) == 1:
            shown = shown.upper() if modifiers else shown
        elif name.startswith("f") and name[1:].isdigit():
            shown = name.upper()
        else:
            shown = shown[:1].upper() + shown[1:]
        out.append("+".join([*(m.capitalize() for m in modifiers), shown]))
    return " ".join(out)


MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
_NAMED = frozenset(key.value for key in Keys if "+" not in key.value and "<" not in key.value)


def key_problem(keys: str) -> str | None:
    """Why Textual cannot use a key string (None when every key in it is fine)."""
    parts = [part.strip() for part in keys.split(",")]
    if not keys.strip() or not all(parts):
        return "an empty key"
    for part in parts:
        *modifiers, name = part.split("+")
        bad = [m for m in modifiers if m not in MODIFIERS]
        if bad or not name:
            return f"{part!r} is not a key (modifiers are ctrl, shift, alt, meta, super)"
        if len(name) == 1 or name in _NAMED:
            continue
        try:
            unicodedata.lookup(name.replace("_", " ").upper())
        except KeyError:
            return f"{part!r} is not a key Textual knows"
    return None


def check_keymap(keymap: Mapping[str, str]) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Split a config keymap into the entries to use and the problems of the others.

    Returns:
        (usable entries, [(binding id, problem)]): a bad entry keeps its default keys.
    """
    good: dict[str, str] = {}
    problems: list[tuple[str, str]] = []
    for binding_id, keys in keymap.items():
        command = BY_ID.get(binding_id)
        if command is None:
            problems.append((binding_id, f"unknown binding id {binding_id!r}"))
            continue
        problem = key_problem(keys)
        if problem is not None:
            default = key_label(command.keys) or "none"
            problems.append((binding_id, f"{problem}; the default ({default}) is kept"))
            continue
        good[binding_id] = keys
    # A key another command already answers, or one text boxes keep, is refused as the
    # Settings screen refuses it. Checked against the whole keymap, so a swap of two keys
    # is fine; an entry refused may make another one clash with its default: again.
    clashing = True
    while clashing:
        clashing = False
        for binding_id, keys in list(good.items()):
            clash = key_clash(binding_id, keys, good)
            if clash is not None:
                del good[binding_id]
                default = key_label(BY_ID[binding_id].keys) or "none"
                problems.append((binding_id, f"{clash}; the default ({default}) is kept"))
                clashing = True
    return good, problems


_ALIASES = {
    "esc": "escape",
    "return": "enter",
    "⏎": "enter",
    "del": "delete",
    "pgup": "pageup",
    "pgdn": "pagedown",
    "?": "question_mark",
    "↑": "up",
    "↓": "down",
    "←": "left",
    "→": "right",
}


def normalize_keys(text: str) -> str:
    """Keys as typed, or as help writes them (`Ctrl+K`, `Esc F1`), in Textual's spelling
    (`ctrl+k`, `escape,f1`). Nothing is checked here (see `key_problem`)."""
    out = []
    for part in re.split(r"[,\s]+", text.strip()):
        if not part:
            continue
        *modifiers, name = part.split("+")
        if len(name) > 1 or modifiers:
            name = name.lower()
        out.append("+".join([*(m.lower() for m in modifiers), _ALIASES.get(name, name)]))
    return ",".join(out)


_INSIDE = {"conversation": "chat", "inspector": "chat"}
"""Places whose keys are seen together with another place's (the focus is inside it)."""


def _overlap(a: str, b: str) -> bool:
    return a == b or "app" in (a, b) or _INSIDE.get(a) == b or _INSIDE.get(b) == a


_NO_TEXT_BOX = frozenset({"conversation", "inspector", "compare", "help", "preview"})
"""Places where no text box has the focus."""


def text_box_keys() -> dict[str, str]:
    """Keys a focused text box (the composer, a field) keeps for itself, with what they do."""
    from textual.widgets import Input, TextArea

    out: dict[str, str] = {}
    for widget in (TextArea, Input):
        for key, bindings in BindingsMap(widget.BINDINGS).key_to_bindings.items():
            out.setdefault(key, bindings[0].description or bindings[0].action.replace("_", " "))
    return out


def key_clash(binding_id: str, keys: str, keymap: Mapping[str, str]) -> str | None:
    """Another command that already answers one of `keys` where `binding_id` applies, or
    a text box that keeps the key (F6 selects a line in the composer).

    Keys two commands share by default (Escape stops a reply or cancels an edit, as the
    moment decides) are no clash. Returns a message, or None.
    """
    command = BY_ID[binding_id]
    wanted = {key.strip() for key in keys.split(",")}
    new = wanted - {key.strip() for key in command.keys.split(",")}
    if not command.priority and command.where not in _NO_TEXT_BOX:
        kept = text_box_keys()
        for key in sorted(new):
            if key in kept:
                return f"text boxes keep {key_label(key)} ({kept[key]}); pick another key"
    for other in COMMANDS:
        if other.id == binding_id or not _overlap(other.where, command.where):
            continue
        in_force = {key.strip() for key in keys_of(other, keymap).split(",")}
        shared = wanted & in_force
        defaults = {key.strip() for key in other.keys.split(",")}
        shared -= defaults & {key.strip() for key in command.keys.split(",")}
        if shared:
            name = other.title or other.label
            return (
                f"{key_label(','.join(sorted(shared)))} is already {name!r} "
                f"({WHERE[other.where]}); give that one another key first"
            )
    return None
