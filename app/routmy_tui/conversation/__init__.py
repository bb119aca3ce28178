"""The conversation on screen, owned in one place, with no UI in it.

`Conversation` holds the branch as exact wire messages and the conversation's settings; every
operation is one of its methods and every request is built from it. `Recorder` stores it by
listening to its events and loads branches back.
"""

from routmy_tui.conversation.model import Branches, Conversation, InvalidRequest, UnansweredCalls
from routmy_tui.conversation.settings import ChatSettings
from routmy_tui.conversation.turns import Turn
from routmy_tui.conversation.validity import request_problems

__all__ = [
    "Branches",
    "ChatSettings",
    "Conversation",
    "InvalidRequest",
    "Turn",
    "UnansweredCalls",
    "request_problems",
]
