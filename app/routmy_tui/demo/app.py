"""The demo backend's Starlette application: routes, validation and fault responses."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections import Counter
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import Send

from routmy_tui.demo import images, stream
from routmy_tui.demo.catalog import MODELS, models_payload
from routmy_tui.demo.faults import Faults, error_body, html_page, parse_faults, text_body
from routmy_tui.demo.plan import RequestError, build_plan, last_user_text, validate


class _DemoStreamingResponse(StreamingResponse):
    """A StreamingResponse that can leave its body unfinished when the stream says ABORT.

    Returning without the final body message makes uvicorn close the transport, so the
    client sees an incomplete body (a cut chunked stream or a short Content-Length).
    """

    async def stream_response(self, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        async for chunk in self.body_iterator:
            if chunk is stream.ABORT:
                return
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})


def error_response(
    status: int,
    message: str | None = None,
    kind: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """A JSON error response in rout.my's shape."""
    return JSONResponse(error_body(status, message, kind), status_code=status, headers=headers)


def fault_response(faults: Faults, key: str, flaky: Counter[str]) -> Response | None:
    """The response a response-level fault asks for, or None to go on normally.

    Args:
        faults: The parsed markers.
        key: The exact prompt text (fault:flaky counts requests per text).
        flaky: The server's per-text request counter.
    """
    if faults.status is not None:
        status = faults.status
        if faults.body == "html":
            return Response(html_page(status), status, media_type="text/html")
        if faults.body == "text":
            return PlainTextResponse(text_body(status), status)
        if faults.body == "empty":
            return Response(b"", status)
        headers = {"Retry-After": "1", "retry-after-ms": "1000"} if faults.retry_after else None
        return error_response(status, headers=headers)
    if faults.flaky is not None:
        flaky[key] += 1
        if flaky[key] <= faults.flaky:
            return error_response(
                503, f"Temporarily unavailable (demo flaky {flaky[key]}/{faults.flaky})"
            )
    return None


async def _json_body(request: Request) -> Any:
    try:
        return json.loads(await request.body())
    except (ValueError, UnicodeDecodeError) as exc:
        raise RequestError(400, "Request body is not valid JSON") from exc


def build_app(tps: float = 80.0, ttft: float = 0.15) -> Starlette:
    """Build the demo application.

    Args:
        tps: Default streaming speed in tokens per second (0: as fast as possible).
        ttft: Default delay before the first token, in seconds.

    Returns:
        The ASGI application; its state is its own (fault:flaky counters).
    """
    flaky: Counter[str] = Counter()

    async def list_models(request: Request) -> Response:
        return JSONResponse(models_payload())

    async def get_model(request: Request) -> Response:
        model = MODELS.get(request.path_params["model_id"])
        if model is None:
            return error_response(404, "Model not found", "not_found_error")
        return JSONResponse(model.to_wire())

    async def chat(request: Request) -> Response:
        try:
            body = await _json_body(request)
            validate(body)
            key = last_user_text(body["messages"])
            faults = parse_faults(key)
            early = fault_response(faults, key, flaky)
            if early is not None:
                return early
            plan = await run_in_threadpool(build_plan, body, tps, ttft)
        except RequestError as exc:
            return error_response(exc.status, exc.message, exc.kind)
        if body.get("stream") is True and not faults.json:
            items = stream.build_items(plan)
            headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
            return _DemoStreamingResponse(
                stream.pace(plan, items), headers=headers, media_type="text/event-stream"
            )
        return await _whole(plan, faults)

    async def _whole(plan: Any, faults: Faults) -> Response:
        if faults.stall is not None:
            await asyncio.sleep(faults.stall)
        if faults.inband:
            body = {
                "id": plan.id,
                "object": "chat.completion",
                "model": plan.model.id,
                "choices": None,
                **stream.INBAND_ERROR,
            }
            return JSONResponse(body)
        data = json.dumps(plan.completion(), ensure_ascii=False).encode()
        if faults.disconnect:

            async def cut() -> Any:
                yield data[: len(data) // 2]
                yield stream.ABORT

            return _DemoStreamingResponse(
                cut(), media_type="application/json", headers={"Content-Length": str(len(data))}
            )
        return Response(data, media_type="application/json")

    async def generate_images(request: Request) -> Response:
        try:
            body = await _json_body(request)
            if not isinstance(body, dict):
                raise RequestError(400, "Request body must be a JSON object")
            prompt = body.get("prompt")
            if not isinstance(prompt, str) or not prompt:
                raise RequestError(400, "Prompt is required")
            validate({**body, "messages": [{"role": "user", "content": prompt}]})
            if body["model"] != "demo/image":
                raise RequestError(400, f"{body['model']} is not an image model")
            faults = parse_faults(prompt)
            early = fault_response(faults, prompt, flaky)
            if early is not None:
                return early
            width, height = _parse_size(body.get("size"))
            count = body.get("n", 1)
            if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= 4:
                raise RequestError(400, "n must be an integer from 1 to 4")
        except RequestError as exc:
            return error_response(exc.status, exc.message, exc.kind)
        items = []
        for index in range(count):
            text = prompt if index == 0 else f"{prompt} #{index + 1}"
            png = await run_in_threadpool(images.draw_png, text, width, height)
            if body.get("response_format") == "url":
                items.append({"url": images.png_data_url(png), "revised_prompt": text})
            else:
                items.append({"b64_json": base64.b64encode(png).decode(), "revised_prompt": text})
        return JSONResponse({"created": int(time.time()), "data": items})

    async def not_found(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        message = (
            f"No route for {request.method} {request.url.path}" if status in (404, 405) else None
        )
        return error_response(status, message)

    routes = [
        Route("/v1/models", list_models, methods=["GET"]),
        Route("/v1/models/{model_id:path}", get_model, methods=["GET"]),
        Route("/v1/chat/completions", chat, methods=["POST"]),
        Route("/v1/images/generations", generate_images, methods=["POST"]),
    ]
    return Starlette(routes=routes, exception_handlers={HTTPException: not_found})


def _parse_size(size: Any) -> tuple[int, int]:
    """`"WxH"` (or "auto"/None for 1024x1024), capped to the drawn size limit."""
    if size in (None, "auto"):
        return 1024, 1024
    try:
        width, height = (int(v) for v in str(size).lower().split("x"))
    except ValueError as exc:
        raise RequestError(400, f"Invalid size {size!r}: use WIDTHxHEIGHT") from exc
    if width <= 0 or height <= 0:
        raise RequestError(400, f"Invalid size {size!r}")
    return images.cap_size(width, height)
