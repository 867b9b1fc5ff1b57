"""The web view: the archive in datasette, read-only, with newsmon's plugin for folded search,
right-to-left cells, readable diffs, charts and Atom feeds."""
