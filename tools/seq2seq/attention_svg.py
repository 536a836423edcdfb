#!/usr/bin/env python3
"""Write an attention matrix as an SVG heat map (no plotting library).

Rows are the output characters (top to bottom, in decoding order), columns the source characters (left to
right); a cell's darkness is its attention weight (white 0, dark blue 1), so each row sums to one.

    from attention_svg import attention_svg
    attention_svg(weights, source_chars, output_chars, "attention.svg", title="...")

CLI, from a JSON file {"source": "...", "output": "...", "attention": [[...], ...]} ([len(output), len(source)]):

    /usr/bin/python3 tools/seq2seq/attention_svg.py matrix.json out.svg
"""
import argparse
import json
from xml.sax.saxutils import escape

CELL = 22           # px per cell
LABEL = 12          # font size of the axis characters
MARGIN_LEFT = 44    # room for the output characters
MARGIN_TOP = 64     # room for the title and the source characters


def _color(w):
    """White (0) to dark blue (1), linear in each channel."""
    w = min(max(float(w), 0.0), 1.0)
    lo, hi = (255, 255, 255), (8, 48, 107)
    return "#%02x%02x%02x" % tuple(int(round(a + (b - a) * w)) for a, b in zip(lo, hi))


def _shown(ch):
    return "\u2423" if ch == " " else ch   # an open box makes spaces visible


def attention_svg_text(weights, source_chars, output_chars, title=""):
    rows, cols = len(output_chars), len(source_chars)
    assert len(weights) == rows and all(len(r) == cols for r in weights), "weights must be [output, source]"
    width = MARGIN_LEFT + cols * CELL + 10
    height = MARGIN_TOP + rows * CELL + 28
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
           'font-family="monospace">' % (width, height, width, height),
           '<rect width="100%" height="100%" fill="white"/>']
    if title:
        out.append('<text x="%d" y="16" font-size="13">%s</text>' % (4, escape(title)))
    for j, ch in enumerate(source_chars):
        x = MARGIN_LEFT + j * CELL + CELL / 2
        out.append('<text x="%g" y="%d" font-size="%d" text-anchor="middle">%s</text>'
                   % (x, MARGIN_TOP - 8, LABEL, escape(_shown(ch))))
    for i, ch in enumerate(output_chars):
        y = MARGIN_TOP + i * CELL + CELL / 2 + LABEL / 3
        out.append('<text x="%d" y="%g" font-size="%d" text-anchor="end">%s</text>'
                   % (MARGIN_LEFT - 8, y, LABEL, escape(_shown(ch))))
        for j in range(cols):
            w = weights[i][j]
            out.append('<rect x="%d" y="%d" width="%d" height="%d" fill="%s"><title>%s \u2192 %s: %.3f</title></rect>'
                       % (MARGIN_LEFT + j * CELL, MARGIN_TOP + i * CELL, CELL, CELL, _color(w),
                          escape(_shown(ch)), escape(_shown(source_chars[j])), w))
    out.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#888"/>'
               % (MARGIN_LEFT, MARGIN_TOP, cols * CELL, rows * CELL))
    out.append('<text x="%d" y="%d" font-size="11" fill="#555">rows: output, columns: source, '
               'darker = more attention</text>' % (4, MARGIN_TOP + rows * CELL + 18))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def attention_svg(weights, source_chars, output_chars, path, title=""):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(attention_svg_text(weights, source_chars, output_chars, title))


def main():
    ap = argparse.ArgumentParser(description="attention matrix JSON -> SVG heat map")
    ap.add_argument("matrix_json")
    ap.add_argument("svg")
    args = ap.parse_args()
    with open(args.matrix_json, encoding="utf-8") as f:
        d = json.load(f)
    attention_svg(d["attention"], list(d["source"]), list(d["output"]), args.svg, d.get("title", ""))


if __name__ == "__main__":
    main()
