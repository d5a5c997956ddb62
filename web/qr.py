"""The shop's QR code (segno): the shop's chat link, for the shop window and flyers."""
import io

import segno

SCALE_SVG = 8
SCALE_PNG = 10


def qr_svg(content: str) -> bytes:
    out = io.BytesIO()
    segno.make(content, error="m", micro=False).save(out, kind="svg", scale=SCALE_SVG, border=4,
                                                     title="QR code", xmldecl=True)
    return out.getvalue()


def qr_png(content: str) -> bytes:
    out = io.BytesIO()
    segno.make(content, error="m", micro=False).save(out, kind="png", scale=SCALE_PNG, border=4)
    return out.getvalue()
