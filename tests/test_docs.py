"""No dangling documentation reference.

Every relative link of the repository's Markdown files (README.md, CHANGELOG.md, docs/, the
package READMEs, benchmarks/results/) points at a file or folder that exists, and a link to a
heading of a Markdown file (``file.md#heading``) at a heading it has (GitHub's anchors).
Every path of a documentation file mentioned in the sources and docstrings (``docs/...md``,
``benchmarks/results/...md``, ``CHANGELOG.md``...) and in the Markdown files' text and code
exists too; a path written as a command's output (``--out PATH``) is not a reference.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: Markdown files whose links and mentions must resolve (globs relative to the root).
MARKDOWN_GLOBS = (
    "*.md",
    "docs/**/*.md",
    "tiaug/*.md",
    "samcl_loss/*.md",
    "examples/**/*.md",
    "benchmarks/**/*.md",
)
#: Source trees whose documentation paths must resolve.
SOURCE_DIRS = ("tiaug/src", "samcl_loss/src", "examples", "benchmarks")

_FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.MULTILINE | re.DOTALL)
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1", re.DOTALL)
_INLINE_LINK = re.compile(
    r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+\"[^\"]*\")?\s*\)"
)
_REFERENCE_LINK = re.compile(r"^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)", re.MULTILINE)
_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.*?)[ \t#]*$", re.MULTILINE)
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
#: A mentioned documentation file: a path under docs/ or benchmarks/results/, a relative
#: path of a Markdown file, or an upper-case name such as CHANGELOG.md.
_MENTION = re.compile(
    r"(?<![\w./<>-])((?:[\w.-]+/)*[\w.-]+\.md)(?![\w/-])",
)
#: What precedes a path that a command writes rather than reads.
_OUTPUT_OPTION = re.compile(r"(?:--out|--results|-o)[ =]$")


def markdown_files(root: Path = ROOT) -> list[Path]:
    files = {p for pattern in MARKDOWN_GLOBS for p in root.glob(pattern) if p.is_file()}
    return sorted(p for p in files if not _ignored(p, root))


def source_files(root: Path = ROOT) -> list[Path]:
    files = {p for folder in SOURCE_DIRS for p in (root / folder).rglob("*.py")}
    return sorted(p for p in files if not _ignored(p, root))


def _ignored(path: Path, root: Path) -> bool:
    """Environments, caches and build outputs are not the repository's documents."""
    parts = path.relative_to(root).parts
    return any(
        p.startswith(".") or p in {"__pycache__", "build", "dist", "outputs", "runs"} for p in parts
    )


def github_anchor(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, markup and punctuation dropped, spaces to
    hyphens (``## Speed (CPU)`` -> ``speed-cpu``)."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link's text only
    text = text.replace("`", "").lower()
    kept = [c for c in text if c in " -_" or unicodedata.category(c)[0] in "LN"]
    return "".join(kept).replace(" ", "-")


def anchors(markdown: Path) -> set[str]:
    """The anchors of a Markdown file's headings, repeated ones numbered as GitHub does."""
    text = _FENCE.sub("", markdown.read_text(encoding="utf-8"))
    seen: dict[str, int] = {}
    found = set()
    for heading in _HEADING.findall(text):
        anchor = github_anchor(heading)
        count = seen.get(anchor, 0)
        seen[anchor] = count + 1
        found.add(anchor if count == 0 else f"{anchor}-{count}")
    return found


def link_targets(markdown: Path) -> list[str]:
    """The targets of a Markdown file's links and images, outside code."""
    text = _CODE_SPAN.sub("", _FENCE.sub("", markdown.read_text(encoding="utf-8")))
    targets = _INLINE_LINK.findall(text) + _REFERENCE_LINK.findall(text)
    return [t[1:-1] if t.startswith("<") else t for t in targets]


def dangling_links(markdown: Path) -> list[str]:
    """The links of ``markdown`` to a file, folder or heading that does not exist."""
    dangling = []
    for target in link_targets(markdown):
        if _SCHEME.match(target):
            continue  # a web address
        path, _, fragment = target.partition("#")
        resolved = (markdown.parent / path).resolve() if path else markdown
        missing = not resolved.exists()
        if missing or (fragment and resolved.suffix == ".md" and fragment not in anchors(resolved)):
            dangling.append(target)
    return dangling


def mentions(path: Path) -> list[str]:
    """Documentation files a file names in its text (not the outputs of commands)."""
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        for match in _MENTION.finditer(line):
            name = match.group(1)
            first, *rest = name.split("/")
            if not rest and not name[:-3].isupper():
                continue  # a bare lower-case name: a file a command writes (study.md)
            if first.isupper() and rest:
                continue  # a placeholder folder: RESULTS/table1.md, OUTDIR/...
            before = line[: match.start()]
            if before.endswith("](") or _OUTPUT_OPTION.search(before):
                continue  # a link's target (checked as a link), or a command's output
            found.append(name)
    return found


def dangling_mentions(path: Path, root: Path = ROOT) -> list[str]:
    """Mentioned documentation files of ``path`` found neither from the repository's root
    nor from the folder of ``path`` or one above it."""
    folders = [path.parent, *path.parent.parents]
    folders = [f for f in folders if f == root or root in f.parents]
    return [
        name
        for name in mentions(path)
        if not any((folder / name).exists() for folder in [root, *folders])
    ]


def _ids(paths: list[Path]) -> list[str]:
    return [str(p.relative_to(ROOT)) for p in paths]


MARKDOWN = markdown_files()
SOURCES = source_files()


def test_the_documents_are_found() -> None:
    names = set(_ids(MARKDOWN))
    expected = {"README.md", "CHANGELOG.md", "docs/method.md", "docs/physics.md"}
    assert expected | {"tiaug/README.md", "samcl_loss/README.md"} <= names
    assert any(name.startswith("benchmarks/results/") for name in names)
    assert any(name.startswith("tiaug/src/") for name in _ids(SOURCES))


@pytest.mark.parametrize("markdown", MARKDOWN, ids=_ids(MARKDOWN))
def test_markdown_links_resolve(markdown: Path) -> None:
    assert dangling_links(markdown) == [], f"{markdown.relative_to(ROOT)}: dangling links"


@pytest.mark.parametrize("path", MARKDOWN + SOURCES, ids=_ids(MARKDOWN + SOURCES))
def test_mentioned_documents_exist(path: Path) -> None:
    assert dangling_mentions(path) == [], f"{path.relative_to(ROOT)}: missing documents"


def test_the_checks_find_dangling_references(tmp_path: Path) -> None:
    """A bogus link, heading or mentioned path is found; good ones, web addresses, code and
    command outputs are not."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "method.md").write_text("# The method\n\n## 2. The SAM-CL loss\n")
    readme = tmp_path / "README.md"
    readme.write_text(
        "# Title\n\n"
        "[method](docs/method.md), [loss](docs/method.md#2-the-sam-cl-loss), [top](#title),\n"
        "![figure](docs/missing.png), [gone](docs/gone.md), [bad](docs/method.md#nowhere),\n"
        "[web](https://example.org/x.md), `[code](docs/code.md)`, see docs/physics.md and\n"
        "docs/method.md; PHYSICS.md.\n\n"
        "```bash\npython run.py --out docs/written.md  # [x](docs/in_code.md)\n```\n"
    )
    assert dangling_links(readme) == ["docs/missing.png", "docs/gone.md", "docs/method.md#nowhere"]
    assert dangling_mentions(readme, tmp_path) == ["docs/physics.md", "PHYSICS.md"]
    source = tmp_path / "module.py"
    source.write_text(
        '"""See docs/method.md, section 2, and docs/METHOD.md; RESULTS/table1.md."""\n'
    )
    assert dangling_mentions(source, tmp_path) == ["docs/METHOD.md"]


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("2. The SAM-CL loss", "2-the-sam-cl-loss"),
        (
            'A critic that cannot cheat (`negatives="reflect"`)',
            "a-critic-that-cannot-cheat-negativesreflect",
        ),
        ("DDP (CPU/gloo and GPU/nccl alike)", "ddp-cpugloo-and-gpunccl-alike"),
        ("Citation and licence", "citation-and-licence"),
    ],
)
def test_github_anchor(heading: str, anchor: str) -> None:
    assert github_anchor(heading) == anchor
