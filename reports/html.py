"""HTML report: jinja2 with autoescape on, self-contained (inline CSS and a tiny sort script)."""
from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from privascope.catalog import Catalog
from privascope.model import Bundle
from privascope.reports.view import build_view

TEMPLATES = Path(__file__).resolve().parent / "templates"
CSS_FILE = TEMPLATES / "report.css"  # the batch index includes the same file


def environment() -> Environment:
    # autoescape=True for every template (not only *.html): app strings are hostile input
    return Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render_html(bundle: Bundle, catalog: Catalog, lang: str = "zh") -> str:
    return environment().get_template("report.html.j2").render(**build_view(bundle, catalog, lang))
