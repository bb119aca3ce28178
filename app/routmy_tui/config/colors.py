"""Loose colour validation for theme files: hex, rgb()/hsl() forms, CSS and ANSI colour words."""

from __future__ import annotations

import re

_CSS_NAMES_TEXT = """
    aliceblue antiquewhite aqua aquamarine azure beige bisque black blanchedalmond blue
    blueviolet brown burlywood cadetblue chartreuse chocolate coral cornflowerblue cornsilk
    crimson cyan darkblue darkcyan darkgoldenrod darkgray darkgreen darkgrey darkkhaki
    darkmagenta darkolivegreen darkorange darkorchid darkred darksalmon darkseagreen
    darkslateblue darkslategray darkslategrey darkturquoise darkviolet deeppink deepskyblue
    dimgray dimgrey dodgerblue firebrick floralwhite forestgreen fuchsia gainsboro ghostwhite
    gold goldenrod gray green greenyellow grey honeydew hotpink indianred indigo ivory khaki
    lavender lavenderblush lawngreen lemonchiffon lightblue lightcoral lightcyan
    lightgoldenrodyellow lightgray lightgreen lightgrey lightpink lightsalmon lightseagreen
    lightskyblue lightslategray lightslategrey lightsteelblue lightyellow lime limegreen linen
    magenta maroon mediumaquamarine mediumblue mediumorchid mediumpurple mediumseagreen
    mediumslateblue mediumspringgreen mediumturquoise mediumvioletred midnightblue mintcream
    mistyrose moccasin navajowhite navy oldlace olive olivedrab orange orangered orchid
    palegoldenrod palegreen paleturquoise palevioletred papayawhip peachpuff peru pink plum
    powderblue purple rebeccapurple red rosybrown royalblue saddlebrown salmon sandybrown
    seagreen seashell sienna silver skyblue slateblue slategray slategrey snow springgreen
    steelblue tan teal thistle tomato turquoise violet wheat white whitesmoke yellow
    yellowgreen transparent
"""

CSS_COLOR_NAMES = frozenset(_CSS_NAMES_TEXT.split())
"""CSS Color Module level 4 named colours, plus `transparent`."""

_HEX_RE = re.compile(r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")
_FUNCTION_RE = re.compile(r"(?:rgb|rgba|hsl|hsla)\(\s*[0-9.%,\s]+\)")
_ANSI_RE = re.compile(r"ansi_(?:bright_)?(?:black|red|green|yellow|blue|magenta|cyan|white)")


def is_color(value: object) -> bool:
    """Whether a theme colour value looks usable.

    Accepts `#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa`, `rgb(...)`/`hsl(...)` forms, a CSS colour
    word and Textual's `ansi_*` names. Loose on purpose: the UI's parser has the last word.
    """
    if not isinstance(value, str):
        return False
    text = value.strip().lower()
    return bool(
        _HEX_RE.fullmatch(text)
        or _FUNCTION_RE.fullmatch(text)
        or _ANSI_RE.fullmatch(text)
        or text in CSS_COLOR_NAMES
    )
