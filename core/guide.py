"""The API guide (``docs/api.md``) as a page of the site: a small Markdown subset — headings, paragraphs, bullet
lists, tables, code blocks, inline code, bold and links — rendered with every character escaped first, so the guide
cannot inject markup. The repository file stays the one source; the page reads it once per process."""

from __future__ import annotations

import functools
import html
import re
from pathlib import Path

from django.conf import settings

GUIDE = Path(settings.BASE_DIR) / "docs" / "api.md"
INLINE_CODE = re.compile(r"`([^`]+)`")
BOLD = re.compile(r"\*\*(.+?)\*\*")
LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


def _inline(text: str) -> str:
    """Escape, then mark up code spans (their content untouched), bold and links to http(s) or site paths."""
    parts = INLINE_CODE.split(text)
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append(f"<code>{html.escape(part)}</code>")
            continue
        escaped = BOLD.sub(r"<strong>\1</strong>", html.escape(part, quote=True))
        out.append(LINK.sub(lambda m: _link(m.group(1), html.unescape(m.group(2))), escaped))
    return "".join(out)


def _link(label: str, target: str) -> str:
    if not (target.startswith(("https://", "http://", "/", "#"))):
        return label
    return f'<a href="{html.escape(target, quote=True)}">{label}</a>'


def _slug(text: str) -> str:
    return re.sub(r"[^0-9a-z一-鿿]+", "-", text.lower()).strip("-")


def render(markdown: str) -> str:
    lines, out, i = markdown.splitlines(), [], 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("```"):
            block = []
            i += 1
            while i < len(lines) and not lines[i].startswith("```"):
                block.append(lines[i])
                i += 1
            out.append(f"<pre><code>{html.escape(chr(10).join(block))}</code></pre>")
            i += 1
        elif match := re.match(r"(#{1,4}) (.*)", line):
            level = len(match.group(1))
            out.append(f'<h{level} id="{_slug(match.group(2))}">{_inline(match.group(2))}</h{level}>')
            i += 1
        elif line.startswith("|"):
            rows = []
            while i < len(lines) and lines[i].startswith("|"):
                cells = [c.strip() for c in lines[i].strip().strip("|").split("|")]
                if not all(re.fullmatch(r":?-+:?", c) for c in cells):
                    rows.append(cells)
                i += 1
            head, *body = rows or [[]]
            out.append('<div class="scroll"><table class="compact"><thead><tr>'
                       + "".join(f"<th>{_inline(c)}</th>" for c in head) + "</tr></thead><tbody>"
                       + "".join("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in r) + "</tr>" for r in body)
                       + "</tbody></table></div>")  # fmt: skip
        elif re.match(r"[-*] ", line):
            items = []
            while i < len(lines) and (re.match(r"[-*] ", lines[i]) or lines[i].startswith("  ")):
                if re.match(r"[-*] ", lines[i]):
                    items.append(lines[i][2:])
                else:
                    items[-1] += " " + lines[i].strip()
                i += 1
            out.append("<ul>" + "".join(f"<li>{_inline(item)}</li>" for item in items) + "</ul>")
        elif not line.strip():
            i += 1
        else:
            paragraph = []
            while i < len(lines) and lines[i].strip() and not re.match(r"(#{1,4} |\||[-*] |```)", lines[i]):
                paragraph.append(lines[i].strip())
                i += 1
            out.append(f"<p>{_inline(' '.join(paragraph))}</p>")
    return "\n".join(out)


@functools.cache
def api_guide_html() -> str:
    return render(GUIDE.read_text(encoding="utf-8"))
