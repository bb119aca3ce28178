"""Whether a list of messages makes a request an OpenAI-compatible server accepts."""

from __future__ import annotations

from routmy_tui.core.types import ChatMessage

__all__ = ["request_problems"]


def request_problems(messages: list[ChatMessage]) -> list[str]:
    """What is wrong with sending `messages` to ask for a reply (empty when nothing is).

    The rules: the system message comes first if at all; a reply does not follow a reply;
    every tool call of a reply is answered by a `tool` message (quoting its id) before the
    next user message or reply; a `tool` message answers a call of the reply before it; the
    last message is the user's or a tool result (something to answer).
    """
    problems: list[str] = []
    if not messages:
        return ["there is no message to send"]
    open_calls: dict[str, str] = {}
    previous = ""
    for number, message in enumerate(messages, start=1):
        role = message.role
        if role == "system" and number != 1:
            problems.append(f"message {number}: a system message after the first")
        if role in ("user", "assistant") and open_calls:
            names = ", ".join(f"{name} ({call_id})" for call_id, name in open_calls.items())
            problems.append(f"message {number}: tool calls not answered before it: {names}")
            open_calls = {}
        if role == "assistant":
            if previous == "assistant":
                problems.append(f"message {number}: a reply right after a reply")
            open_calls = {call.id: call.name or "(no name)" for call in message.tool_calls}
        elif role == "tool":
            call_id = message.tool_call_id or ""
            if call_id not in open_calls:
                problems.append(f"message {number}: a tool result for no open call ({call_id!r})")
            open_calls.pop(call_id, None)
        elif role not in ("system", "user"):
            problems.append(f"message {number}: unknown role {role!r}")
        previous = role
    if open_calls:
        names = ", ".join(f"{name} ({call_id})" for call_id, name in open_calls.items())
        problems.append(f"tool calls not answered yet: {names}")
    elif messages[-1].role not in ("user", "tool"):
        problems.append("the last message is a reply: there is nothing to answer")
    return problems
