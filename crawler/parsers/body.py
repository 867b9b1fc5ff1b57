"""The article body on a page: which containers hold it, and which blocks inside them are not
body text although no selector names them.

- A body may be split into several containers (an ad or an image between two halves of the
  text field); teasers of other articles use the same field class, so only containers of the
  same article element as the largest one are read.
- The 2024+ summary (``اظهر الملخص`` and its bullets) may sit inside the body container.
- Boxes of links (related articles, "read also", tag lists, share buttons) are found by their
  link density, whatever their class names.
"""

from __future__ import annotations

from lxml import etree

from crawler.outlets import TextMarkers
from crawler.parsers.html import SKIPPED, css, tag_of, text_of
from crawler.text import fold

# Containers that may be a box of links; a <p> full of links is still a paragraph.
BOX_TAGS = frozenset({"div", "ul", "ol", "aside", "section", "nav", "dl"})
# A box of links: at least this many links, holding this share of its text.
BOX_MIN_LINKS = 2
BOX_LINK_SHARE = 0.6
# A box that starts with a related-links label is short (a label and a few titles).
LABELLED_BOX_MAX_CHARS = 600
# The summary sits at the top of the body: only the first elements are searched for its toggle.
SUMMARY_SEARCH = 60
MAX_ELEMENTS = 20000  # a hostile body: beyond this, no box detection
_HAS_LINK = etree.XPath("boolean(.//a)")


def body_containers(root: etree._Element, selector: str) -> list[etree._Element]:
    """The containers holding the article's body, in page order: every match of ``selector``
    not inside another, belonging to the same article element as the one with most text."""
    found = css(root, selector)
    if len(found) < 2:
        return found
    found = [el for el in found if not any(a in found for a in el.iterancestors())]
    owners = [_owner(el) for el in found]
    sizes = [len(text_of(el)) for el in found]
    main = owners[sizes.index(max(sizes))]
    return [el for el, owner in zip(found, owners, strict=True) if owner is main]


def _owner(el: etree._Element) -> etree._Element | None:
    for ancestor in el.iterancestors():
        if tag_of(ancestor) in ("article", "main"):
            return ancestor
    return None


def summary_block(
    container: etree._Element, markers: TextMarkers
) -> tuple[list[str], list[etree._Element]]:
    """The summary bullets inside a body container and the elements to leave out of the body:
    the toggle (a button, a span...) and the list after it."""
    toggle = fold(markers.summary_toggle)
    # Cheap test first (in C): the toggle's last word, which no hamza spelling changes.
    if markers.summary_toggle.split()[-1] not in container.xpath("string()"):
        return [], []
    for i, el in enumerate(container.iter()):
        if i > SUMMARY_SEARCH:
            break
        if not isinstance(el.tag, str) or el is container:
            continue
        if fold(" ".join("".join(el.itertext()).split())) != toggle:
            continue
        listing = _next_list(el, container)
        if listing is None:
            return [], []
        bullets = [text_of(li) for li in listing.iter("li")]
        return [b for b in bullets if b], [el, listing]
    return [], []


def _next_list(el: etree._Element, container: etree._Element) -> etree._Element | None:
    """The first list after ``el`` in page order, inside ``container``."""
    node: etree._Element | None = el
    while node is not None and node is not container:
        for sibling in node.itersiblings():
            if tag_of(sibling) in ("ul", "ol"):
                return sibling
            inner = next(sibling.iter("ul", "ol"), None) if isinstance(sibling.tag, str) else None
            if inner is not None:
                return inner
            if text_of(sibling):
                return None  # text before any list: not a summary block
        node = node.getparent()
    return None


def link_boxes(container: etree._Element, markers: TextMarkers) -> list[etree._Element]:
    """Blocks inside the body that are lists of links, or short boxes headed by a
    related-links label: never body text."""
    if not _HAS_LINK(container):
        return []
    labels = [fold(label) for label in (markers.deeper_label, *markers.related_labels)]
    text_len: dict[etree._Element, int] = {}
    link_len: dict[etree._Element, int] = {}
    links: dict[etree._Element, int] = {}
    boxes: list[etree._Element] = []
    # Post-order over the tree (explicit stack: pages may nest deeply), summing text lengths.
    order: list[etree._Element] = []
    stack = [container]
    while stack:
        el = stack.pop()
        if len(order) > MAX_ELEMENTS:
            return []
        order.append(el)
        stack.extend(c for c in el if isinstance(c.tag, str) and tag_of(c) not in SKIPPED)
    for el in reversed(order):
        own = len((el.text or "").strip()) + sum(len((c.tail or "").strip()) for c in el)
        total = own + sum(text_len.get(c, 0) for c in el)
        is_link = tag_of(el) == "a"
        text_len[el] = total
        link_len[el] = total if is_link else sum(link_len.get(c, 0) for c in el)
        links[el] = (1 if is_link else 0) + sum(links.get(c, 0) for c in el)
    # Pre-order again, not descending into a box once found.
    stack = [container]
    while stack:
        el = stack.pop()
        total = text_len.get(el, 0)
        if el is not container and tag_of(el) in BOX_TAGS and total:
            dense = links[el] >= BOX_MIN_LINKS and link_len[el] >= BOX_LINK_SHARE * total
            if dense or (links[el] and total <= LABELLED_BOX_MAX_CHARS and _labelled(el, labels)):
                boxes.append(el)
                continue
        stack.extend(c for c in el if c in text_len)
    return boxes


def _labelled(el: etree._Element, labels: list[str]) -> bool:
    start = fold(" ".join("".join(el.itertext()).split()[:4]))
    return any(start.startswith(label) for label in labels)
